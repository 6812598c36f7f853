"""The dossier API states the decision's notification and the dates the law sets (issue 18):
how and when the decision reached the person, whether it comes with an obligation to leave
France, before which day it can be challenged, and when silence becomes an implicit rejection.
Read-only, for the person and for the agents of the dossier's prefecture."""

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from applications import services
from applications.enums import NotificationChannel
from reference.models import DecisionReason
from tests.applications.api_helpers import _complete, _url

pytestmark = pytest.mark.django_db


def _refused(applicant, agent, **decision):
    reason = DecisionReason.objects.filter(kind="refusal").first()
    return services.application_decide_unfavourable(
        application=_complete(applicant, agent),
        actor=agent,
        reason=reason,
        explanation="Les conditions ne sont pas remplies.",
        legal_basis=reason.legal_basis,
        remedies=reason.remedies_fr,
        **decision,
    )


def _read(api_client, user, application, route="application-detail") -> dict:
    api_client.force_authenticate(user)
    response = api_client.get(
        _url(route, reference=application.reference), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_api_deadlines_refusal_notified_online_applicant_sees_date_before_which_to_challenge(
    api_client, applicant, agent
):
    application = _refused(applicant, agent, obligation_to_leave=False)
    body = _read(api_client, applicant, application)
    today = timezone.localdate()
    assert body["decision"]["obligation_to_leave"] is False
    assert body["decision"]["notification_channel"] == NotificationChannel.PORTAL_EMAIL
    assert body["decision"]["notified_on"] == today.isoformat()
    assert body["deadlines"] == {
        "implicit_rejection_on": None,
        "remedy": "dated",
        "remedy_before": (today + relativedelta(months=2)).isoformat(),
    }


def test_api_deadlines_refusal_with_obligation_to_leave_applicant_no_date_computed(
    api_client, applicant, agent
):
    application = _refused(applicant, agent, obligation_to_leave=True)
    body = _read(api_client, applicant, application)
    assert body["decision"]["obligation_to_leave"] is True
    assert (body["deadlines"]["remedy"], body["deadlines"]["remedy_before"]) == (
        "not_computed",
        None,
    )


def test_api_deadlines_refusal_by_letter_not_received_applicant_told_not_notified(
    api_client, applicant, agent
):
    application = _refused(
        applicant, agent, obligation_to_leave=False, notification_channel=NotificationChannel.LETTER
    )
    body = _read(api_client, applicant, application)
    assert body["decision"]["notification_channel"] == "letter"
    assert body["decision"]["notification_channel_label"] == "By letter"
    assert body["decision"]["notified_on"] is None
    assert (body["deadlines"]["remedy"], body["deadlines"]["remedy_before"]) == (
        "not_notified",
        None,
    )


def test_api_deadlines_complete_dossier_applicant_sees_implicit_rejection_day(
    api_client, applicant, agent
):
    application = _complete(applicant, agent)
    body = _read(api_client, applicant, application)
    completed_on = timezone.localdate(application.completed_at)
    assert body["decision"] is None
    assert body["deadlines"] == {
        "implicit_rejection_on": (completed_on + relativedelta(months=4)).isoformat(),
        "remedy": "",
        "remedy_before": None,
    }


def test_api_deadlines_applicant_may_not_record_notification(api_client, applicant, agent):
    application = _refused(applicant, agent, obligation_to_leave=False)
    assert _read(api_client, applicant, application)["abilities"]["record_notification"] is False


def test_api_deadlines_agent_sees_the_same_dates_and_may_record_notification(
    api_client, applicant, agent
):
    application = _refused(
        applicant, agent, obligation_to_leave=None, notification_channel=NotificationChannel.LETTER
    )
    body = _read(api_client, agent, application, route="agent-application-detail")
    assert body["decision"]["obligation_to_leave"] is None
    assert body["decision"]["notification_channel"] == "letter"
    assert body["deadlines"]["remedy"] == "not_computed"
    assert body["abilities"]["record_notification"] is True


def test_api_deadlines_other_prefecture_agent_reads_nothing(
    api_client, applicant, agent, other_agent
):
    application = _refused(applicant, agent, obligation_to_leave=False)
    api_client.force_authenticate(other_agent)
    response = api_client.get(_url("agent-application-detail", reference=application.reference))
    assert response.status_code == 404
    assert "remedy_before" not in response.content.decode()
