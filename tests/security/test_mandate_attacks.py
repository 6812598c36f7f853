"""Attacks on mandates (issue 15, "a helper can give themselves a mandate over any applicant").

Each test is an attack that succeeded against the code before the fix: a helper recorded a
"paper-signed" mandate with a victim's e-mail and any PDF, and the mandate was in force at once
(404 → 200 on the victim's dossier, passport and attestation PDF). Consent must now be proven by
the person (account or single-use link to their verified address) or by an agent of a
prefecture competent for them; nothing tells the helper whether an address has an account.
"""

import datetime
import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core import mail
from django.core.signals import request_finished
from django.db import IntegrityError, close_old_connections, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.enums import ConsentProof, MandateDuration
from accounts.mandates import mandate_active_for, mandate_confirm
from accounts.models import Mandate, User
from anef.errors import DomainError
from attestations import pdf
from attestations.services import attestations_sweep
from reference.models import Prefecture
from tests.accounts.factories import (
    AdministratorFactory,
    ApplicantFactory,
    HelperFactory,
    PrefectureAgentFactory,
)
from tests.applications.factories import pdf_upload
from tests.attestations.factories import renewal

pytestmark = pytest.mark.django_db
LINK = re.compile(r"/portal/mandates/confirm/([^/\s]+)/")


@pytest.fixture
def victim_file(reference_data, monkeypatch):
    """A person with a dossier instructed in Paris, its passport and its deposit receipt."""
    monkeypatch.setattr(pdf, "attestation_pdf_render", lambda attestation: b"%PDF-1.7 test")
    today = datetime.date.today()
    application = renewal(PrefectureAgentFactory(prefecture__departement_code="75"), today=today)
    attestations_sweep(today=today)
    receipt = application.attestations.get(kind="deposit_receipt")
    return {
        "person": application.applicant,
        "urls": [
            reverse("portal:application_detail", kwargs={"reference": application.reference}),
            reverse("document_download", kwargs={"pk": application.documents.first().pk}),
            reverse("attestations_portal:pdf", args=[receipt.number]),
        ],
    }


def _statuses(client, urls) -> list[int]:
    statuses = []
    for url in urls:
        response = client.get(url)
        statuses.append(response.status_code)
        # Closing a streamed file fires request_finished: without close_old_connections, as
        # the test client itself does (tests/test_authorization_matrix.py `outcome`).
        request_finished.disconnect(close_old_connections)
        try:
            response.close()
        finally:
            request_finished.connect(close_old_connections)
    return statuses


def _record(client, email, follow=False, **extra):
    data = {
        "person_email": email,
        "first_name": "Any",
        "last_name": "Name",
        "duration": MandateDuration.ONE_YEAR,
        "starts_on": timezone.localdate().isoformat(),
        "organisation_name": "Association",
        "organisation_email": "asso@example.org",
        "consent_file": pdf_upload("anything.pdf"),
        "signed_in_front_of_me": "on",
        **extra,
    }
    return client.post(
        reverse("mandates:record"), data, headers={"accept-language": "en"}, follow=follow
    )


def _recorded(client, django_capture_on_commit_callbacks, email) -> tuple[Mandate, str]:
    """The helper records a mandate; the mandate and the link e-mailed to the person."""
    with django_capture_on_commit_callbacks(execute=True):
        response = _record(client, email)
    assert response.status_code == 302
    mandate = Mandate.objects.get(person__email=email)
    tokens = [m.group(1) for message in mail.outbox if (m := LINK.search(message.body))]
    return mandate, tokens[-1] if tokens else ""


def _link(token: str) -> str:
    return reverse("mandates:confirm_link", kwargs={"token": token})


# --- The finding itself -------------------------------------------------------------------------


def test_attack_helper_records_signed_mandate_with_victims_email_stays_hidden(
    client, victim_file, django_capture_on_commit_callbacks
):
    person, urls = victim_file["person"], victim_file["urls"]
    helper = HelperFactory()
    client.force_login(helper)
    assert _statuses(client, urls) == [404, 404, 404]
    mandate, _token = _recorded(client, django_capture_on_commit_callbacks, person.email)
    assert mandate.person == person
    # The helper's word and any PDF: still nothing.
    assert _statuses(client, urls) == [404, 404, 404]
    assert (
        client.post(reverse("mandates:act_for", kwargs={"person_id": person.pk})).status_code == 404
    )
    # The person was told, by e-mail and on their portal.
    assert person.email in [address for message in mail.outbox for address in message.to]
    assert mandate.events.filter(kind="created").exists()


def test_attack_helper_signed_mandate_in_force_after_the_person_confirms(
    client, victim_file, django_capture_on_commit_callbacks
):
    person, urls = victim_file["person"], victim_file["urls"]
    helper = HelperFactory()
    client.force_login(helper)
    mandate, _token = _recorded(client, django_capture_on_commit_callbacks, person.email)
    client.force_login(person)
    client.post(reverse("mandates:confirm", kwargs={"pk": mandate.pk}))
    client.force_login(helper)
    assert _statuses(client, urls) == [200, 200, 200]
    mandate.refresh_from_db()
    assert (mandate.confirmed_via, mandate.confirmed_by) == (ConsentProof.PERSON_ACCOUNT, person)


# --- The e-mailed link --------------------------------------------------------------------------


def test_attack_confirmation_link_forged_refused(client, django_capture_on_commit_callbacks):
    person = ApplicantFactory()
    client.force_login(HelperFactory())
    mandate, token = _recorded(client, django_capture_on_commit_callbacks, person.email)
    client.logout()
    payload, _sep, _signature = token.partition(":")
    for forged in ("x", token[:-2] + "AA", payload + ":AAAA:BBBB", f"{mandate.pk}"):
        assert client.post(_link(forged), {"answer": "confirm"}).status_code == 400
    mandate.refresh_from_db()
    assert mandate.consented_at is None


def test_attack_confirmation_link_expired_refused(client, django_capture_on_commit_callbacks):
    person = ApplicantFactory()
    client.force_login(HelperFactory())
    mandate, token = _recorded(client, django_capture_on_commit_callbacks, person.email)
    client.logout()
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        response = client.post(_link(token), {"answer": "confirm"})
    assert response.status_code == 400
    mandate.refresh_from_db()
    assert mandate.consented_at is None


def test_attack_confirmation_link_reused_refused(client, django_capture_on_commit_callbacks):
    person = ApplicantFactory()
    client.force_login(HelperFactory())
    mandate, token = _recorded(client, django_capture_on_commit_callbacks, person.email)
    client.logout()
    assert client.get(_link(token)).status_code == 200  # shows what it confirms, changes nothing
    mandate.refresh_from_db()
    assert mandate.consented_at is None
    assert client.post(_link(token), {"answer": "refuse"}).status_code == 200
    # Used once (refused): it cannot confirm afterwards.
    assert client.post(_link(token), {"answer": "confirm"}).status_code == 400
    mandate.refresh_from_db()
    assert mandate.consented_at is None and mandate.revoked_at is not None


def test_attack_confirmation_link_used_by_the_helpers_account_refused(
    client, django_capture_on_commit_callbacks
):
    person, helper = ApplicantFactory(), HelperFactory()
    client.force_login(helper)
    mandate, token = _recorded(client, django_capture_on_commit_callbacks, person.email)
    # The helper got the link somehow (a shared mailbox, a forwarded e-mail) and is signed in.
    assert client.post(_link(token), {"answer": "confirm"}).status_code == 403
    client.force_login(ApplicantFactory())
    assert client.post(_link(token), {"answer": "confirm"}).status_code == 403
    mandate.refresh_from_db()
    assert mandate.consented_at is None
    # The person, signed out, can still use it.
    client.logout()
    assert client.post(_link(token), {"answer": "confirm"}).status_code == 200
    mandate.refresh_from_db()
    assert (mandate.confirmed_via, mandate.confirmed_by) == (ConsentProof.EMAIL_LINK, person)


def test_attack_confirmation_link_not_sent_to_an_unverified_address(
    client, django_capture_on_commit_callbacks
):
    """An account the helper opens has the address the helper typed: a link to it would be the
    helper confirming for themselves."""
    client.force_login(HelperFactory())
    _mandate, token = _recorded(client, django_capture_on_commit_callbacks, "new@example.org")
    # The address is told (how to claim the account, or see an agent), without a link.
    assert [message.to for message in mail.outbox] == [["new@example.org"]]
    assert token == ""


# --- The helper confirming their own mandate ----------------------------------------------------


def test_attack_helper_confirms_own_mandate_refused(client, django_capture_on_commit_callbacks):
    person, helper = ApplicantFactory(), HelperFactory()
    client.force_login(helper)
    mandate, _token = _recorded(client, django_capture_on_commit_callbacks, person.email)
    assert client.post(reverse("mandates:confirm", kwargs={"pk": mandate.pk})).status_code == 403
    with pytest.raises(DomainError):
        mandate_confirm(mandate=mandate, person=helper)
    mandate.refresh_from_db()
    assert mandate.consented_at is None
    # And the database refuses a proof given by the helper, whatever the code path.
    with pytest.raises(IntegrityError), transaction.atomic():
        Mandate.objects.filter(pk=mandate.pk).update(
            consented_at=timezone.now(), confirmed_via=ConsentProof.AGENT_CHECK, confirmed_by=helper
        )


# --- The agent's identity check -----------------------------------------------------------------


def _check(client, mandate):
    return client.post(
        reverse("mandates_backoffice:check", kwargs={"pk": mandate.pk}),
        {"identity_document": "passport 12AB34567", "person_seen": "on", "form_compared": "on"},
    )


def test_attack_agent_of_another_prefecture_records_identity_check_refused(
    client, victim_file, django_capture_on_commit_callbacks
):
    person, urls = victim_file["person"], victim_file["urls"]
    helper = HelperFactory()
    client.force_login(helper)
    mandate, _token = _recorded(client, django_capture_on_commit_callbacks, person.email)
    other = PrefectureAgentFactory(prefecture__departement_code="93")
    client.force_login(other)
    assert (
        client.get(reverse("mandates_backoffice:check", kwargs={"pk": mandate.pk})).status_code
        == 404
    )
    assert _check(client, mandate).status_code == 404
    assert (
        client.get(reverse("mandates:consent_file", kwargs={"pk": mandate.pk})).status_code == 404
    )
    mandate.refresh_from_db()
    assert mandate.consented_at is None
    # An agent of Paris, where the dossier is: in force, in their name.
    agent = PrefectureAgentFactory(prefecture=Prefecture.objects.get(departement_code="75"))
    client.force_login(agent)
    assert _check(client, mandate).status_code == 302
    mandate.refresh_from_db()
    assert (mandate.confirmed_via, mandate.confirmed_by) == (ConsentProof.AGENT_CHECK, agent)
    assert mandate.identity_document_checked == "passport 12AB34567"
    client.force_login(helper)
    assert _statuses(client, urls) == [200, 200, 200]


def test_attack_helper_chooses_the_prefecture_of_a_person_with_a_record_ignored(
    client, victim_file, django_capture_on_commit_callbacks
):
    """The postal code the helper types counts only for a person with no record at all."""
    person = victim_file["person"]
    client.force_login(HelperFactory())
    with django_capture_on_commit_callbacks(execute=True):
        _record(client, person.email, postal_code="93200")
    mandate = Mandate.objects.get(person=person)
    client.force_login(PrefectureAgentFactory(prefecture__departement_code="93"))
    assert _check(client, mandate).status_code == 404


def test_mandate_check_agent_of_the_prefecture_holding_a_dossier_may_check_identity(
    client, victim_file, django_capture_on_commit_callbacks
):
    """A dossier instructed elsewhere than the address on record (a decided dossier stays where
    it was decided): that prefecture's agents may check the identity too."""
    person = victim_file["person"]
    seine_saint_denis = PrefectureAgentFactory(prefecture__departement_code="93")
    person.applications.update(prefecture=seine_saint_denis.prefecture)
    client.force_login(HelperFactory())
    mandate, _token = _recorded(client, django_capture_on_commit_callbacks, person.email)
    client.force_login(seine_saint_denis)
    assert _check(client, mandate).status_code == 302


# --- Account-existence probing ------------------------------------------------------------------


def _answer(response) -> tuple:
    """What the helper is told: where they are sent and the message they read there."""
    messages = [str(message) for message in get_messages(response.wsgi_request)]
    return response.redirect_chain, messages


@pytest.mark.parametrize("route", ["mandates:record", "mandates:request"])
def test_attack_helper_probes_whether_an_address_has_an_account_same_answer(
    client, route, reference_data
):
    helper = HelperFactory()
    addresses = [
        ApplicantFactory().email,  # a person's account
        "nobody@example.org",  # no account
        HelperFactory().email,  # an account that is not a person's
        AdministratorFactory().email,
    ]
    client.force_login(helper)
    answers = []
    for address in addresses:
        if route == "mandates:record":
            response = _record(client, address, follow=True)
        else:
            response = client.post(
                reverse(route),
                {
                    "person_email": address,
                    "duration": MandateDuration.ONE_MONTH,
                    "starts_on": timezone.localdate().isoformat(),
                    "organisation_name": "Association",
                    "organisation_email": "asso@example.org",
                },
                follow=True,
            )
        answers.append(_answer(response))
    assert all(answer == answers[0] for answer in answers), answers
    assert answers[0][0] == [(reverse("mandates:helping"), 302)]


def test_attack_helper_list_never_shows_the_account_holders_name(
    client, victim_file, django_capture_on_commit_callbacks
):
    person = victim_file["person"]
    client.force_login(HelperFactory())
    _recorded(client, django_capture_on_commit_callbacks, person.email)
    page = client.get(reverse("mandates:helping")).content.decode()
    assert "Any Name" in page
    assert person.last_name not in page
    api = client.get(reverse("api:mandate-list")).json()
    assert person.last_name not in str(api)


def test_attack_existing_account_not_taken_over(client, reference_data):
    person, helper = ApplicantFactory(), HelperFactory()
    before = (person.first_name, person.last_name, person.password)
    client.force_login(helper)
    _record(client, person.email)
    person.refresh_from_db()
    assert (person.first_name, person.last_name, person.password) == before
    assert User.objects.filter(email__iexact=person.email).count() == 1
    assert mandate_active_for(helper, person.pk) is None
