"""What each kind of change refreshes among the kept pages (anef/generations.py, issue 19): the
services bump the person, the prefecture or the console they changed, and nothing else; a
missing bump would be a page served stale. Each test keeps a page, makes the change through its
service, and reads the page again.

These tests commit (`transaction=True`): see tests/test_page_cache.py.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.enums import MandateDuration
from accounts.mandates import mandate_confirm, mandate_grant, mandate_revoke
from accounts.services import applicant_profile_create
from applications import services as dossier
from applications.enums import ApplicationStatus
from applications.models import Application
from attestations.models import Attestation
from attestations.services import attestations_sweep
from reference.models import DecisionReason, Ground, Prefecture
from substitution import deposits
from support import services as support
from tests.accounts.factories import (
    ApplicantFactory,
    ApplicantProfileFactory,
    ContactCentreAgentFactory,
    HelperFactory,
    MandateFactory,
    PrefectureAgentFactory,
)
from tests.applications.factories import ApplicationFactory
from tests.applications.helpers import started, with_all_documents
from tests.page_cache_helpers import (
    client_of,
    get,
    hit,
    paris,  # noqa: F401 (a fixture)
)

pytestmark = pytest.mark.django_db(transaction=True)

QUEUE = "/agents/"
CONSOLE = "/support/"


@pytest.fixture
def agent(paris):  # noqa: F811
    return PrefectureAgentFactory(prefecture=paris)


@pytest.fixture
def amina(paris):  # noqa: F811
    return ApplicantProfileFactory(postal_code="75011")


@pytest.fixture
def bruno(paris):  # noqa: F811
    return ApplicantProfileFactory(postal_code="75012")


def _submitted(profile) -> Application:
    """A filed dossier made by the factory (no service, no bump), so that only the change under
    test moves the pages on."""
    return ApplicationFactory(
        applicant=profile.user, status=ApplicationStatus.SUBMITTED, filed_at=timezone.now()
    )


def _kept(client, url: str = "/portal/"):
    get(client, url)
    assert hit(client, url)[1]


# --- Dossiers -----------------------------------------------------------------------------------


def test_page_cache_dossier_change_refreshes_its_person_and_prefecture_only(
    amina, bruno, agent, reference_data
):
    mine, _theirs = _submitted(amina), _submitted(bruno)
    amina_client, bruno_client, queue_client = (
        client_of(amina.user),
        client_of(bruno.user),
        client_of(agent),
    )
    lyon_client = client_of(
        PrefectureAgentFactory(prefecture=Prefecture.objects.get(departement_code="69"))
    )
    for client, url in [
        (amina_client, "/portal/"),
        (bruno_client, "/portal/"),
        (queue_client, QUEUE),
        (lyon_client, QUEUE),
    ]:
        _kept(client, url)
    dossier.application_mark_complete(application=mine, actor=agent)
    page, kept = hit(amina_client)
    assert not kept
    assert "Complete, being examined" in page.text
    assert not hit(queue_client, QUEUE)[1]
    assert hit(bruno_client)[1]
    assert hit(lyon_client, QUEUE)[1]


def test_page_cache_dossier_submit_shows_in_the_queue_and_the_dashboard(amina, agent):
    application = with_all_documents(started(amina))
    queue_client, amina_client = client_of(agent), client_of(amina.user)
    _kept(queue_client, QUEUE)
    _kept(amina_client)
    assert application.reference not in get(queue_client, QUEUE).text
    dossier.application_submit(application=application, actor=amina.user)
    assert application.reference in get(queue_client, QUEUE).text
    assert "Submitted" in get(amina_client).text


def test_page_cache_unfavourable_decision_shows_on_the_dashboard(amina, agent):
    application = dossier.application_mark_complete(application=_submitted(amina), actor=agent)
    client = client_of(amina.user)
    _kept(client)
    dossier.application_decide_unfavourable(
        application=application,
        actor=agent,
        reason=DecisionReason.objects.get(code="conditions_not_met"),
        explanation="Les conditions ne sont pas remplies.",
        legal_basis="Article L. 423-7 du CESEDA",
        remedies="Recours gracieux, hiérarchique ou contentieux dans les deux mois.",
    )
    assert "Refused" in get(client).text


def test_page_cache_attestation_issued_by_the_sweep_shows_on_the_dashboard(amina):
    _submitted(amina)
    client = client_of(amina.user)
    _kept(client)
    assert attestations_sweep().issued == 1
    receipt = Attestation.objects.get(holder=amina.user)
    assert receipt.number in get(client).text


# --- Identity and address -----------------------------------------------------------------------


def test_page_cache_address_change_moves_the_dossier_between_queues(amina, agent):
    application = _submitted(amina)
    seine_saint_denis = Prefecture.objects.get(departement_code="93")
    other_queue = client_of(PrefectureAgentFactory(prefecture=seine_saint_denis))
    paris_queue, amina_client = client_of(agent), client_of(amina.user)
    for client, url in [(paris_queue, QUEUE), (other_queue, QUEUE), (amina_client, "/portal/")]:
        _kept(client, url)
    dossier.address_change(
        profile=amina,
        address_line="3 rue de la République",
        postal_code="93200",
        city="Saint-Denis",
        actor=amina.user,
    )
    assert application.reference not in get(paris_queue, QUEUE).text
    assert application.reference in get(other_queue, QUEUE).text
    assert "3 rue de la République" in get(amina_client).text


def test_page_cache_foreigner_number_shows_in_the_queue(agent, reference_data):
    profile = ApplicantProfileFactory(postal_code="75011", foreigner_number=None)
    _submitted(profile)
    client = client_of(agent)
    _kept(client, QUEUE)
    dossier.foreigner_number_attach(profile=profile, number="7500000042", actor=agent)
    assert "7500000042" in get(client, QUEUE).text


def test_page_cache_foreigner_number_of_a_withdrawn_dossier_shows_in_the_queue(
    agent, reference_data
):
    """A withdrawn dossier, still listed, has no event for the number (only open ones do): its
    queue is found through the prefectures applications tells anef.generations at start-up."""
    profile = ApplicantProfileFactory(postal_code="75011", foreigner_number=None)
    ApplicationFactory(
        applicant=profile.user,
        status=ApplicationStatus.WITHDRAWN,
        filed_at=timezone.now(),
        withdrawn_at=timezone.now(),
    )
    client = client_of(agent)
    _kept(client, QUEUE)
    dossier.foreigner_number_attach(profile=profile, number="7500000044", actor=agent)
    assert "7500000044" in get(client, QUEUE).text


def test_page_cache_foreigner_number_of_a_person_without_dossier_shows_on_the_dashboard(agent):
    profile = ApplicantProfileFactory(postal_code="75011", foreigner_number=None)
    client = client_of(profile.user)
    _kept(client)
    dossier.foreigner_number_attach(profile=profile, number="7500000043", actor=agent)
    assert "7500000043" in get(client).text


def test_page_cache_address_change_of_a_person_without_dossier_shows_on_the_dashboard(amina):
    client = client_of(amina.user)
    _kept(client)
    dossier.address_change(
        profile=amina,
        address_line="8 boulevard Voltaire",
        postal_code="75011",
        city="Paris",
        actor=amina.user,
    )
    assert "8 boulevard Voltaire" in get(client).text


def test_page_cache_identity_details_given_show_on_the_dashboard(reference_data):
    person = ApplicantFactory()
    client = client_of(person)
    _kept(client)
    applicant_profile_create(
        user=person,
        birth_date=datetime.date(1990, 1, 2),
        nationality="Sénégalaise",
        address_line="12 rue Oberkampf",
        postal_code="75011",
        city="Paris",
    )
    assert "12 rue Oberkampf" in get(client).text


def _row(page, number: str) -> str:
    """The console's table row of the ticket `number`."""
    text = page.content.decode()
    start = text.index(number)
    return text[text.rindex("<tr", 0, start) : text.index("</tr>", start)]


# --- Tickets ------------------------------------------------------------------------------------


def test_page_cache_ticket_opened_from_the_portal_shows_in_the_console(amina):
    client = client_of(ContactCentreAgentFactory())
    _kept(client, CONSOLE)
    ticket, _secret = support.ticket_open_from_portal(
        actor=amina.user, category="other", body="Where is my card?"
    )
    assert ticket.number in get(client, CONSOLE).text


def test_page_cache_ticket_reply_shows_in_the_console(amina):
    contact = ContactCentreAgentFactory()
    ticket, _secret = support.ticket_open_from_portal(
        actor=amina.user, category="other", body="Where is my card?"
    )
    client = client_of(contact)
    _kept(client, CONSOLE)
    assert "Waiting for the person" not in _row(get(client, CONSOLE), ticket.number)
    support.ticket_reply(ticket=ticket, actor=contact, body="Nous regardons votre demande.")
    assert "Waiting for the person" in _row(get(client, CONSOLE), ticket.number)


# --- Mandates -----------------------------------------------------------------------------------


def _helper_of(amina, grounds):
    """A helper acting for Amina under a mandate for `grounds` only, and their client."""
    helper = HelperFactory()
    MandateFactory(person=amina.user, helper=helper, grounds=grounds)
    client = client_of(helper)
    client.post(reverse("mandates:act_for", kwargs={"person_id": amina.user.pk}))
    return helper, client


def test_page_cache_mandate_accepted_shows_the_dossiers_it_covers(amina):
    covered, other = (
        Ground.objects.get(code="parent_of_french_child"),
        Ground.objects.get(code="salaried_worker"),
    )
    uncovered = ApplicationFactory(
        applicant=amina.user,
        ground=other,
        status=ApplicationStatus.SUBMITTED,
        filed_at=timezone.now(),
    )
    helper, client = _helper_of(amina, [covered])
    _kept(client)
    assert uncovered.reference not in get(client).text
    asked = MandateFactory(person=amina.user, helper=helper, grounds=[other], consented_at=None)
    mandate_confirm(mandate=asked, person=amina.user)
    assert uncovered.reference in get(client).text


def test_page_cache_mandate_granted_shows_the_dossiers_it_covers(amina):
    covered, other = (
        Ground.objects.get(code="parent_of_french_child"),
        Ground.objects.get(code="salaried_worker"),
    )
    uncovered = ApplicationFactory(
        applicant=amina.user,
        ground=other,
        status=ApplicationStatus.SUBMITTED,
        filed_at=timezone.now(),
    )
    helper, client = _helper_of(amina, [covered])
    _kept(client)
    mandate_grant(
        person=amina.user,
        helper_email=helper.email,
        duration=MandateDuration.ONE_MONTH,
        starts_on=timezone.localdate(),
        grounds=[other],
    )
    assert uncovered.reference in get(client).text


def test_page_cache_mandate_revoked_hides_the_dossiers_it_covered(amina):
    covered, other = (
        Ground.objects.get(code="parent_of_french_child"),
        Ground.objects.get(code="salaried_worker"),
    )
    application = ApplicationFactory(
        applicant=amina.user,
        ground=other,
        status=ApplicationStatus.SUBMITTED,
        filed_at=timezone.now(),
    )
    helper, client = _helper_of(amina, [covered])
    second = MandateFactory(person=amina.user, helper=helper, grounds=[other])
    _kept(client)
    assert application.reference in get(client).text
    mandate_revoke(mandate=second, person=amina.user)
    assert application.reference not in get(client).text  # the first mandate still lets it in


def test_page_cache_helpers_view_follows_the_persons_dossier(amina, agent):
    application = _submitted(amina)
    _helper, client = _helper_of(amina, [application.ground])
    _kept(client)
    dossier.application_mark_complete(application=application, actor=agent)
    assert "Complete" in get(client).text


# --- Substitution -------------------------------------------------------------------------------


def test_page_cache_deposit_recorded_at_the_desk_shows_on_the_dashboard_and_queue(amina, agent):
    person_client, queue_client = client_of(amina.user), client_of(agent)
    _kept(person_client)
    _kept(queue_client, QUEUE)
    case = deposits.deposit_start(
        agent=agent,
        channel="post",
        ground=Ground.objects.get(code="parent_of_french_child"),
        kind="first_application",
        first_name=amina.user.first_name,
        last_name=amina.user.last_name,
        birth_date=datetime.date(1988, 5, 1),
        nationality="Tunisienne",
        address_line=amina.address_line,
        postal_code=amina.postal_code,
        city=amina.city,
        email=amina.user.email,
    )
    assert case.application.reference in get(person_client).text
    with_all_documents(case.application)
    deposits.deposit_file(case=case, actor=agent)
    assert case.application.reference in get(queue_client, QUEUE).text
