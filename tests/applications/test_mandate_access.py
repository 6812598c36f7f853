"""Dossiers under a mandate (issue 6): a helper with a mandate in force, in scope, does what the
person may; outside the scope, before the start, after the end or the revocation, the dossier is
a 404 like anyone else's — on the pages and in the API. Scenario 10 end to end."""

from datetime import UTC, datetime

import pytest
import time_machine
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.enums import MandateDuration, Role
from accounts.mandates import mandate_revoke
from accounts.models import User
from applications.enums import ApplicationStatus, EventKind
from applications.models import Application, Event
from applications.permissions import get_abilities
from applications.selectors import application_list_visible_to, document_list_visible_to
from reference.models import Prefecture
from tests.accounts.factories import (
    ApplicantProfileFactory,
    HelperFactory,
    MandateFactory,
    PrefectureAgentFactory,
)
from tests.applications.factories import ground, pdf_upload
from tests.applications.helpers import filed, started

pytestmark = pytest.mark.django_db

EN = {"accept-language": "en"}


@pytest.fixture
def profile(reference_data):
    return ApplicantProfileFactory(postal_code="75014", city="Paris")


@pytest.fixture
def mandate(profile):
    return MandateFactory(person=profile.user)


@pytest.fixture
def helper(mandate):
    return mandate.helper


def _detail(application):
    return reverse("portal:application_detail", kwargs={"reference": application.reference})


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- Selectors and abilities --------------------------------------------------------------------


def test_selectors_application_visible_helper_with_mandate(profile, helper):
    application = started(profile)
    other = started(ApplicantProfileFactory(postal_code="75011"))
    assert list(application_list_visible_to(helper)) == [application]
    assert other not in application_list_visible_to(helper)


def test_selectors_application_visible_helper_without_mandate(profile):
    started(profile)
    assert not application_list_visible_to(HelperFactory()).exists()


def test_selectors_application_visible_helper_scope(profile):
    mandate = MandateFactory(person=profile.user, grounds=[ground("student")])
    in_scope = started(profile, "student")
    out_of_scope = started(profile, "parent_of_french_child")
    assert list(application_list_visible_to(mandate.helper)) == [in_scope]
    assert get_abilities(mandate.helper, in_scope)["edit_documents"]
    assert not any(get_abilities(mandate.helper, out_of_scope).values())


def test_permissions_abilities_mandated_helper_like_owner(profile, helper):
    application = filed(profile)
    assert get_abilities(helper, application) == get_abilities(profile.user, application)


def test_selectors_document_visible_helper_follows_the_mandate(profile, mandate, helper):
    application = filed(profile)
    assert document_list_visible_to(helper).filter(application=application).exists()
    mandate_revoke(mandate=mandate, person=profile.user)
    assert not document_list_visible_to(helper).exists()


# --- Expiry, boundary days, frozen clock --------------------------------------------------------


def test_views_portal_application_detail_helper_mandate_last_day_then_expired(reference_data):
    with time_machine.travel(datetime(2026, 3, 10, 8, 0, tzinfo=UTC), tick=False):
        profile = ApplicantProfileFactory(postal_code="75014")
        mandate = MandateFactory(person=profile.user, duration=MandateDuration.ONE_MONTH)
        application = started(profile)
        assert mandate.ends_on.isoformat() == "2026-04-09"
    client = APIClient()
    client.force_login(mandate.helper)
    with time_machine.travel(datetime(2026, 4, 9, 21, 59, tzinfo=UTC), tick=False):
        assert client.get(_detail(application)).status_code == 200
        url = reverse("api:application-detail", kwargs={"reference": application.reference})
        assert client.get(url).status_code == 200
    with time_machine.travel(datetime(2026, 4, 9, 22, 1, tzinfo=UTC), tick=False):
        # Midnight has passed in Paris: the mandate has ended.
        assert client.get(_detail(application)).status_code == 404
        assert client.get(url).status_code == 404


def test_views_portal_application_detail_helper_mandate_not_started(reference_data):
    with time_machine.travel(datetime(2026, 3, 10, 8, 0, tzinfo=UTC), tick=False):
        profile = ApplicantProfileFactory(postal_code="75014")
        mandate = MandateFactory(
            person=profile.user,
            duration=MandateDuration.ONE_DAY,
            starts_on=datetime(2026, 3, 11).date(),
        )
        application = started(profile)
        client = APIClient()
        client.force_login(mandate.helper)
        assert client.get(_detail(application)).status_code == 404


# --- Revocation enforced on pages and API -------------------------------------------------------


def test_views_portal_revoked_mandate_hides_the_dossier(client, profile, mandate, helper):
    application = started(profile)
    client.force_login(helper)
    assert client.get(_detail(application)).status_code == 200
    mandate_revoke(mandate=mandate, person=profile.user)
    assert client.get(_detail(application)).status_code == 404
    upload = reverse(
        "portal:document_upload", kwargs={"reference": application.reference, "code": "passport"}
    )
    assert client.post(upload, {"files": [pdf_upload()]}).status_code == 404
    assert not application.documents.exists()


def test_api_revoked_mandate_hides_the_dossier(profile, mandate, helper):
    application = started(profile)
    api = _api(helper)
    assert api.get(reverse("api:application-list")).json()["count"] == 1
    mandate_revoke(mandate=mandate, person=profile.user)
    assert api.get(reverse("api:application-list")).json()["count"] == 0
    url = reverse("api:application-submit", kwargs={"reference": application.reference})
    assert api.post(url, {}, format="json").status_code == 404


def test_views_portal_acting_for_stops_when_the_mandate_is_revoked(
    client, profile, mandate, helper
):
    client.force_login(helper)
    client.post(reverse("mandates:act_for", kwargs={"person_id": profile.user.pk}))
    assert client.get(reverse("portal:home")).status_code == 200
    mandate_revoke(mandate=mandate, person=profile.user)
    response = client.get(reverse("portal:application_new"), headers=EN)
    assert response.status_code == 302
    assert response["Location"] == reverse("mandates:helping")


# --- Scope on pages and API ---------------------------------------------------------------------


def test_views_portal_application_new_helper_out_of_scope_ground(client, profile):
    mandate = MandateFactory(person=profile.user, grounds=[ground("student")])
    client.force_login(mandate.helper)
    client.post(reverse("mandates:act_for", kwargs={"person_id": profile.user.pk}))
    page = client.get(reverse("portal:application_new"))
    assert page.status_code == 200
    codes = [entry["ground"].code for entry in page.context["grounds"]]
    assert codes == ["student"]
    out = reverse(
        "portal:application_new_procedure", kwargs={"ground_code": "parent_of_french_child"}
    )
    assert client.post(out, {"kind": "first_application"}).status_code == 404
    assert not Application.objects.exists()


def test_api_application_create_helper_on_behalf_of(profile, helper):
    response = _api(helper).post(
        reverse("api:application-list"),
        {"ground": "student", "kind": "first_application", "on_behalf_of": profile.user.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    application = Application.objects.get(reference=response.json()["reference"])
    assert application.applicant == profile.user
    event = application.events.get(kind=EventKind.CREATED)
    assert (event.actor, event.actor_role) == (helper, Role.HELPER)


def test_api_application_create_helper_without_on_behalf_of(profile, helper):
    response = _api(helper).post(
        reverse("api:application-list"),
        {"ground": "student", "kind": "first_application"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "on_behalf_of_required"


def test_api_application_create_helper_for_someone_without_mandate(reference_data, helper):
    stranger = ApplicantProfileFactory(postal_code="75011")
    response = _api(helper).post(
        reverse("api:application-list"),
        {"ground": "student", "kind": "first_application", "on_behalf_of": stranger.user.pk},
        format="json",
    )
    assert response.status_code == 404
    assert not Application.objects.exists()


def test_api_application_create_helper_out_of_scope(profile):
    mandate = MandateFactory(person=profile.user, grounds=[ground("student")])
    response = _api(mandate.helper).post(
        reverse("api:application-list"),
        {
            "ground": "parent_of_french_child",
            "kind": "first_application",
            "on_behalf_of": profile.user.pk,
        },
        format="json",
    )
    assert response.status_code == 404
    assert not Application.objects.exists()


def test_api_permit_list_helper_on_behalf_of(profile, helper):
    api = _api(helper)
    url = reverse("api:permit-list")
    assert api.get(url, {"on_behalf_of": profile.user.pk}).json()["count"] == 0
    assert api.get(url, {"on_behalf_of": HelperFactory().pk}).status_code == 404


# --- Audit: every act says for whom -------------------------------------------------------------


def test_services_audit_helper_act_says_acting_for(profile, mandate, helper):
    application = started(profile)
    _api(helper).post(
        reverse("api:application-withdraw", kwargs={"reference": application.reference}),
        {},
        format="json",
    )
    entry = LogEntry.objects.get_for_object(application).get(additional_data__action="withdraw")
    assert entry.actor == helper
    assert entry.additional_data["acting_for"] == profile.user.pk
    assert entry.additional_data["mandate"] == mandate.pk


# --- Scenario 10 --------------------------------------------------------------------------------


def test_scenario_10_prison_social_worker_files_for_a_person(client, reference_data):
    """A prison social worker records the signed mandate of a person who cannot use the portal,
    opens their account, completes their identity, starts and files the application; the
    person's timeline shows who did it."""
    helper = HelperFactory(first_name="Claire", last_name="Martin")
    client.force_login(helper)
    response = client.post(
        reverse("mandates:record"),
        {
            "person_email": "ibrahima.detenu@anef.example",
            "first_name": "Ibrahima",
            "last_name": "Sow",
            "postal_code": "75014",
            "duration": MandateDuration.SIX_MONTHS,
            "starts_on": timezone.localdate().isoformat(),
            "organisation_name": "SPIP de Paris",
            "organisation_email": "spip@justice.example",
            "consent_file": pdf_upload("mandat-signe.pdf"),
            "signed_in_front_of_me": "on",
        },
        headers=EN,
    )
    assert response.status_code == 302, response.context["form"].errors
    person = User.objects.get(email="ibrahima.detenu@anef.example")
    # Pending until a Paris agent saw the person and the signed form (issue 15).
    assert (
        client.post(reverse("mandates:act_for", kwargs={"person_id": person.pk})).status_code == 404
    )
    agent = PrefectureAgentFactory(prefecture=Prefecture.objects.get(departement_code="75"))
    mandate = person.mandates_given.get()
    client.force_login(agent)
    response = client.post(
        reverse("mandates_backoffice:check", kwargs={"pk": mandate.pk}),
        {"identity_document": "passeport 12AB34567", "person_seen": "on", "form_compared": "on"},
    )
    assert response.status_code == 302
    client.force_login(helper)
    # Act for the person: their identity first, then the application.
    client.post(reverse("mandates:act_for", kwargs={"person_id": person.pk}))
    home = client.get(reverse("portal:home"), headers=EN)
    assert "You are acting for Ibrahima Sow" in home.text
    response = client.post(
        reverse("portal:profile"),
        {
            "birth_date": "1983-12-17",
            "birth_place": "Conakry",
            "nationality": "Guinéenne",
            "foreigner_number": "",
            "identity_document_reference": "",
            "address_line": "42 rue de la Santé",
            "postal_code": "75014",
            "city": "Paris",
        },
    )
    assert response.status_code == 302
    assert person.applicant_profile.city == "Paris"
    response = client.post(
        reverse(
            "portal:application_new_procedure", kwargs={"ground_code": "parent_of_french_child"}
        ),
        {"kind": "first_application"},
    )
    application = Application.objects.get(applicant=person)
    assert response["Location"] == _detail(application)
    for piece in client.get(_detail(application)).context["pieces"]:
        if piece["item"].requirement.mandatory:
            client.post(
                reverse(
                    "portal:document_upload",
                    kwargs={"reference": application.reference, "code": piece["code"]},
                ),
                {"files": [pdf_upload(f"{piece['code']}.pdf")]},
            )
    client.post(reverse("portal:application_submit", kwargs={"reference": application.reference}))
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.applicant == person
    # Every act is the helper's, in the helper's role.
    events = Event.objects.filter(application=application)
    assert {(event.actor_id, event.actor_role) for event in events} == {(helper.pk, Role.HELPER)}
    # The person, signed in later, reads in their timeline who did it.
    client.logout()
    client.force_login(person)
    page = client.get(_detail(application), headers=EN)
    assert page.status_code == 200
    assert "Claire Martin, helper" in page.text
    labels = {label for _event, _text, label in page.context["timeline"]}
    assert labels == {"Claire Martin, helper"}
    texts = {text for _event, text, _label in page.context["timeline"]}
    assert "The application was started." in texts
    assert "You started this application." not in texts  # the person did not
