"""Expert opinions: the transitions and who may ask, answer and withdraw; visible to the
agents of the prefecture that asked only — never to the person, their helper, the contact
centre, nor the applicant API."""

import pytest
from django.urls import reverse

from anef.errors import DomainError
from applications.enums import ApplicationStatus
from applications.models import Application, Opinion, WorkbenchEvent
from applications.opinions import rules, services
from applications.opinions.rules import OpinionStatus
from reference.models import Prefecture
from tests.accounts.factories import (
    ApplicantProfileFactory,
    ContactCentreAgentFactory,
    HelperFactory,
    MandateFactory,
    PrefectureAgentFactory,
)
from tests.applications.factories import ApplicationFactory, pdf_upload

pytestmark = pytest.mark.django_db

SECRET = "Is the marriage certificate genuine?"


@pytest.fixture
def profile(paris):
    return ApplicantProfileFactory(postal_code="75011")


@pytest.fixture
def application(profile, paris):
    return ApplicationFactory(
        applicant=profile.user, prefecture=paris, status=ApplicationStatus.SUBMITTED
    )


@pytest.fixture
def colleague(paris):
    return PrefectureAgentFactory(prefecture=paris)


@pytest.fixture
def opinion(application, agent, colleague):
    return services.opinion_ask(
        application=application, actor=agent, addressee=colleague, question=SECRET
    )


# --- Rules ---------------------------------------------------------------------------------------


def test_rules_opinion_asked_moves_to_answered_or_withdrawn():
    assert rules.may_move(OpinionStatus.ASKED, OpinionStatus.ANSWERED)
    assert rules.may_move(OpinionStatus.ASKED, OpinionStatus.WITHDRAWN)


@pytest.mark.parametrize("final", [OpinionStatus.ANSWERED, OpinionStatus.WITHDRAWN])
def test_rules_opinion_final_state_moves_nowhere(final):
    assert not rules.may_move(final, OpinionStatus.ANSWERED)
    assert not rules.may_move(final, OpinionStatus.WITHDRAWN)


def _ask(**overrides):
    facts = {
        "application_status": ApplicationStatus.SUBMITTED,
        "addressee_is_colleague": None,
        "addressee_is_asker": False,
        "outside_service": "OFII",
        "question": "Q?",
    }
    return rules.ask_refusal(**{**facts, **overrides})


def test_rules_opinion_both_agent_and_service_refused():
    assert _ask(addressee_is_colleague=True) == "addressee_required"


def test_rules_opinion_neither_agent_nor_service_refused():
    assert _ask(outside_service=" ") == "addressee_required"


def test_rules_opinion_service_name_at_limit_allowed():
    assert _ask(outside_service="x" * rules.OUTSIDE_SERVICE_MAX_LENGTH) is None


def test_rules_opinion_service_name_over_limit_refused():
    too_long = "x" * (rules.OUTSIDE_SERVICE_MAX_LENGTH + 1)
    assert _ask(outside_service=too_long) == "service_too_long"


def test_rules_opinion_draft_refused():
    assert _ask(application_status=ApplicationStatus.DRAFT) == "not_filed"


def test_rules_opinion_outside_service_answered_by_asker():
    assert rules.who_answers(addressee_id=None, asked_by_id=7) == 7


def test_rules_opinion_colleague_answers_own():
    assert rules.who_answers(addressee_id=3, asked_by_id=7) == 3


# --- Services ------------------------------------------------------------------------------------


def test_opinion_ask_colleague_recorded_agent_side_only(opinion, application):
    assert opinion.status == OpinionStatus.ASKED
    assert WorkbenchEvent.objects.filter(application=application, kind="opinion_asked").exists()
    assert not application.events.filter(params__icontains="opinion").exists()


def test_opinion_ask_agent_of_other_prefecture_as_addressee_refused(application, agent):
    lyon = PrefectureAgentFactory(prefecture=Prefecture.objects.get(departement_code="69"))
    with pytest.raises(DomainError) as refused:
        services.opinion_ask(application=application, actor=agent, addressee=lyon, question="Q")
    assert refused.value.code == "addressee_elsewhere"


def test_opinion_ask_by_agent_of_other_prefecture_refused(application, other_agent):
    with pytest.raises(DomainError) as refused:
        services.opinion_ask(
            application=application, actor=other_agent, outside_service="OFII", question="Q"
        )
    assert refused.value.code == "not_yours"
    assert not Opinion.objects.exists()


def test_opinion_answer_by_addressee_with_file(opinion, colleague):
    answered = services.opinion_answer(
        opinion=opinion, actor=colleague, answer="Genuine.", uploaded_file=pdf_upload("a.pdf")
    )
    assert answered.status == OpinionStatus.ANSWERED
    assert answered.answer_content_type == "application/pdf"
    assert answered.answer_file.name.startswith(f"opinions/{opinion.application.reference}/")


def test_opinion_answer_refused_file_stores_nothing(opinion, colleague):
    with pytest.raises(DomainError):
        services.opinion_answer(
            opinion=opinion,
            actor=colleague,
            answer="Genuine.",
            uploaded_file=pdf_upload("a.pdf", content=b"not a pdf at all"),
        )
    opinion.refresh_from_db()
    assert opinion.status == OpinionStatus.ASKED


def test_opinion_answer_by_asker_of_colleague_question_refused(opinion, agent):
    with pytest.raises(DomainError) as refused:
        services.opinion_answer(opinion=opinion, actor=agent, answer="Me")
    assert refused.value.code == "not_addressee"


def test_opinion_outside_service_answer_pasted_by_asker(application, agent):
    opinion = services.opinion_ask(
        application=application, actor=agent, outside_service="Consulate", question="Q"
    )
    answered = services.opinion_answer(opinion=opinion, actor=agent, answer="Pasted")
    assert answered.answered_by == agent


def test_opinion_withdraw_by_asker_then_answer_refused(opinion, agent, colleague):
    services.opinion_withdraw(opinion=opinion, actor=agent)
    with pytest.raises(DomainError) as refused:
        services.opinion_answer(opinion=opinion, actor=colleague, answer="Late")
    assert refused.value.code == "opinion_closed"


def test_opinion_withdraw_by_colleague_refused(opinion, colleague):
    with pytest.raises(DomainError) as refused:
        services.opinion_withdraw(opinion=opinion, actor=colleague)
    assert refused.value.code == "not_asker"


# --- Who sees it ---------------------------------------------------------------------------------


def _backoffice(application):
    return reverse("backoffice:application_detail", args=[application.reference])


def test_opinion_shown_to_agent_of_prefecture(client, opinion, application, colleague):
    client.force_login(colleague)
    assert SECRET in client.get(_backoffice(application)).content.decode()


def test_opinion_hidden_from_applicant_page(client, opinion, application, profile):
    client.force_login(profile.user)
    page = client.get(reverse("portal:application_detail", args=[application.reference]))
    assert page.status_code == 200
    assert SECRET not in page.content.decode()


def test_opinion_hidden_from_mandated_helper_page(client, opinion, application, profile):
    helper = HelperFactory()
    MandateFactory(helper=helper, person=profile.user)
    client.force_login(helper)
    page = client.get(reverse("portal:application_detail", args=[application.reference]))
    assert page.status_code == 200
    assert SECRET not in page.content.decode()


def test_opinion_hidden_from_applicant_api(api_client, opinion, application, profile):
    api_client.force_authenticate(profile.user)
    response = api_client.get(f"/api/v1/applications/{application.reference}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert SECRET not in body
    assert "opinion" not in body.lower()


def test_opinion_file_hidden_from_other_prefecture(client, opinion, colleague, other_agent):
    services.opinion_answer(
        opinion=opinion, actor=colleague, answer="Yes", uploaded_file=pdf_upload("a.pdf")
    )
    client.force_login(other_agent)
    url = reverse("backoffice:opinion_file", args=[opinion.application.reference, opinion.pk])
    assert client.get(url).status_code == 404


def test_opinion_file_refused_to_contact_centre(client, opinion, colleague):
    services.opinion_answer(
        opinion=opinion, actor=colleague, answer="Yes", uploaded_file=pdf_upload("a.pdf")
    )
    client.force_login(ContactCentreAgentFactory())
    url = reverse("backoffice:opinion_file", args=[opinion.application.reference, opinion.pk])
    assert client.get(url).status_code == 403


def test_opinion_file_served_to_agent(client, opinion, colleague, agent):
    services.opinion_answer(
        opinion=opinion, actor=colleague, answer="Yes", uploaded_file=pdf_upload("a.pdf")
    )
    client.force_login(agent)
    url = reverse("backoffice:opinion_file", args=[opinion.application.reference, opinion.pk])
    response = client.get(url)
    body = b"".join(response.streaming_content)
    response.close()
    assert response.status_code == 200
    assert body.startswith(b"%PDF")
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_opinion_ask_view_by_agent(client, application, agent, colleague):
    client.force_login(agent)
    response = client.post(
        reverse("backoffice:opinion_ask", args=[application.reference]),
        {"addressee": colleague.pk, "question": "Q?"},
    )
    assert response.status_code == 302
    assert Opinion.objects.get().addressee == colleague


def test_opinion_list_of_agent_of_other_prefecture_empty(opinion, other_agent):
    from applications.opinions.selectors import opinion_list_visible_to

    assert not opinion_list_visible_to(other_agent).exists()


def test_opinion_dossier_moved_new_prefecture_agents_do_not_see_it(opinion, application):
    from applications.opinions.selectors import opinions_panel

    lyon = Prefecture.objects.get(departement_code="69")
    Application.objects.filter(pk=application.pk).update(prefecture=lyon)
    application.refresh_from_db()
    lyon_agent = PrefectureAgentFactory(prefecture=lyon)
    assert opinions_panel(lyon_agent, application)["opinions"]["items"] == []
