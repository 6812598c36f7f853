"""Account recovery with four eyes (issue 15, "the contact centre can take over any account").

Attacks first: one contact-centre agent alone must not be able to give an account a new e-mail
address (then a reset link, then the person's documents); guessing facts, approving one's own
request, a plain agent approving, approving twice or after expiry must all fail; after a
recovery, documents and new share codes are held for 72 hours while attestations stay available;
the old address can stop it.
"""

import datetime as dt

import pytest
import time_machine
from auditlog.models import LogEntry
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from anef.errors import DomainError
from applications.enums import ApplicationStatus
from applications.models import Document
from attestations import share_codes
from attestations.models import Attestation
from attestations.numbers import new_number
from reference.models import DocumentType
from support import services
from support.enums import RecoveryStatus, TicketCategory
from support.models import AccountRecovery, Ticket
from support.recovery import MAX_FAILED_FACTS
from support.selectors import recovery_hold_until
from tests.accounts.factories import (
    ApplicantProfileFactory,
    ContactCentreAgentFactory,
    PrefectureAgentFactory,
)
from tests.applications.factories import PDF_BYTES, ApplicationFactory
from tests.support.factories import web_ticket

pytestmark = pytest.mark.django_db

BIRTH = dt.date(1990, 5, 17)
FACTS = {"birth_date": BIRTH, "postal_code": "75011", "foreigner_number": "1234567890"}
NEW_EMAIL = "new.owner@example.org"


@pytest.fixture
def second_supervisor(db):
    user = ContactCentreAgentFactory(email="second.supervisor@anef.example")
    user.user_permissions.add(
        Permission.objects.get(
            content_type__app_label="support", codename="supervise_contact_centre"
        )
    )
    return user


@pytest.fixture
def person(db):
    return ApplicantProfileFactory(
        birth_date=BIRTH, postal_code="75011", foreigner_number="1234567890"
    ).user


def _ticket(person) -> Ticket:
    return web_ticket(email=person.email, category=TicketCategory.CANNOT_LOG_IN)[0]


def _request(actor, person, **facts):
    return services.recovery_request(
        ticket=_ticket(person),
        actor=actor,
        person=person,
        new_email=NEW_EMAIL,
        **{**FACTS, **facts},
    )


def _status(response) -> int:
    """The status of a (possibly streamed) file response, read to its end (which closes the
    file through the test client's wrapper)."""
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)
    return response.status_code


def _actions(instance) -> list[str]:
    return [
        (entry.additional_data or {}).get("action")
        for entry in LogEntry.objects.get_for_object(instance).order_by("pk")
    ]


# --- The finding itself ------------------------------------------------------------------------


def test_attack_one_contact_centre_agent_alone_changes_email_impossible(client, agent, person):
    """The finding: one agent ticks boxes (old console) or types the right facts (new one) and
    changes the e-mail. Every console route is tried; the address must stay the owner's."""
    old_email = person.email
    ticket = _ticket(person)
    client.force_login(agent)
    base = f"/support/tickets/{ticket.number}/"
    # The old console's doors: checkboxes, then the e-mail change.
    client.post(
        base + "identity-checks/",
        {"account": old_email, "checks": ["foreigner_number", "birth_date_and_place"]},
    )
    client.post(base + "account/email/", {"new_email": NEW_EMAIL})
    # The new console's door, with the right facts typed.
    client.post(
        base + "recovery/",
        {"account": old_email, "new_email": NEW_EMAIL, **FACTS, "birth_date": "1990-05-17"},
    )
    person.refresh_from_db()
    assert person.email == old_email
    recovery = AccountRecovery.objects.get(person=person)
    assert recovery.status == RecoveryStatus.AWAITING_APPROVAL
    # and the agent cannot approve it themselves
    client.post(base + f"recovery/{recovery.reference}/approve/")
    person.refresh_from_db()
    assert person.email == old_email


# --- Facts typed and compared -------------------------------------------------------------------


@pytest.mark.parametrize(
    "wrong",
    [
        {"birth_date": dt.date(1990, 5, 18)},
        {"postal_code": "75012"},
        {"foreigner_number": "1234567899"},
    ],
)
def test_recovery_wrong_fact_sent_to_desk_and_not_approvable(agent, supervisor, person, wrong):
    recovery, outcome = _request(agent, person, **wrong)
    assert outcome == "mismatch"
    assert recovery.status == RecoveryStatus.AWAITING_DESK_CHECK
    with pytest.raises(DomainError) as error:
        services.recovery_approve(recovery=recovery, actor=supervisor)
    assert error.value.code == "not_checked"
    person.refresh_from_db()
    assert person.email != NEW_EMAIL


def test_recovery_facts_normalised_spaces_and_case_matched(agent, person):
    _recovery, outcome = _request(
        agent, person, postal_code=" 75 011 ", foreigner_number="12345 67890 "
    )
    assert outcome == "matched"


def test_recovery_person_without_foreigner_number_sent_to_desk(agent):
    person = ApplicantProfileFactory(
        birth_date=BIRTH, postal_code="75011", foreigner_number=None
    ).user
    recovery, outcome = _request(agent, person, foreigner_number="")
    assert outcome == "no_foreigner_number"
    assert recovery.status == RecoveryStatus.AWAITING_DESK_CHECK


def test_recovery_failed_facts_limited_then_right_facts_not_compared(agent, person):
    recovery, _outcome = _request(agent, person, postal_code="00000")
    for _attempt in range(MAX_FAILED_FACTS - 1):
        assert (
            services.recovery_facts_check(
                recovery=recovery, actor=agent, **{**FACTS, "postal_code": "1"}
            )
            == "mismatch"
        )
    # the right facts now: no more comparisons (no oracle), only a desk check remains
    assert (
        services.recovery_facts_check(recovery=recovery, actor=agent, **FACTS)
        == "too_many_attempts"
    )
    recovery.refresh_from_db()
    assert recovery.status == RecoveryStatus.AWAITING_DESK_CHECK


def test_views_console_recovery_mismatch_names_no_field(client, agent, person):
    ticket = _ticket(person)
    client.force_login(agent)
    response = client.post(
        f"/support/tickets/{ticket.number}/recovery/",
        {**FACTS, "account": person.email, "new_email": NEW_EMAIL, "birth_date": "1991-01-01"},
        follow=True,
        headers={"accept-language": "en"},
    )
    text = response.text
    assert "do not match the record" in text
    assert "birth" not in text.split("do not match the record")[0][-300:].lower()


# --- Four eyes ---------------------------------------------------------------------------------


def test_recovery_supervisor_approving_own_request_refused(supervisor, person):
    recovery, _outcome = _request(supervisor, person)
    with pytest.raises(DomainError) as error:
        services.recovery_approve(recovery=recovery, actor=supervisor)
    assert error.value.code == "four_eyes"
    person.refresh_from_db()
    assert person.email != NEW_EMAIL


def test_recovery_supervisor_who_typed_facts_cannot_approve(agent, supervisor, person):
    recovery, _outcome = _request(agent, person, postal_code="99999")
    assert services.recovery_facts_check(recovery=recovery, actor=supervisor, **FACTS) == "matched"
    with pytest.raises(DomainError) as error:
        services.recovery_approve(recovery=recovery, actor=supervisor)
    assert error.value.code == "four_eyes"


def test_recovery_plain_agent_approving_refused(agent, person):
    recovery, _outcome = _request(agent, person)
    with pytest.raises(DomainError) as error:
        services.recovery_approve(recovery=recovery, actor=ContactCentreAgentFactory())
    assert error.value.code == "not_supervisor"


def test_views_console_recovery_plain_agent_approve_changes_nothing(client, agent, person):
    recovery, _outcome = _request(agent, person)
    client.force_login(ContactCentreAgentFactory())
    client.post(
        reverse(
            "support_console:recovery_approve", args=[recovery.ticket.number, recovery.reference]
        )
    )
    recovery.refresh_from_db()
    assert recovery.status == RecoveryStatus.AWAITING_APPROVAL


def test_recovery_approving_twice_refused(agent, supervisor, second_supervisor, person):
    recovery, _outcome = _request(agent, person)
    services.recovery_approve(recovery=recovery, actor=supervisor)
    for actor in (supervisor, second_supervisor):
        with pytest.raises(DomainError) as error:
            services.recovery_approve(recovery=recovery, actor=actor)
        assert error.value.code == "recovery_closed"
    assert _actions(person).count("account_email_change") == 1


def test_recovery_approval_after_expiry_refused(agent, supervisor, person):
    recovery, _outcome = _request(agent, person)
    with (
        time_machine.travel(timezone.now() + dt.timedelta(hours=49)),
        pytest.raises(DomainError) as error,
    ):
        services.recovery_approve(recovery=recovery, actor=supervisor)
    assert error.value.code == "recovery_expired"
    person.refresh_from_db()
    assert person.email != NEW_EMAIL


def test_recovery_database_refuses_approval_by_requester(agent, person):
    recovery, _outcome = _request(agent, person)
    with pytest.raises(IntegrityError), transaction.atomic():
        AccountRecovery.objects.filter(pk=recovery.pk).update(
            decided_by=agent, status=RecoveryStatus.APPROVED, decided_at=timezone.now()
        )


def test_recovery_refused_changes_nothing(agent, supervisor, person):
    recovery, _outcome = _request(agent, person)
    services.recovery_refuse(recovery=recovery, actor=supervisor, reason="Caller hesitated.")
    recovery.refresh_from_db()
    person.refresh_from_db()
    assert (recovery.status, person.email != NEW_EMAIL) == (RecoveryStatus.REFUSED, True)
    assert "account_recovery_refuse" in _actions(recovery)


# --- Desk check -------------------------------------------------------------------------------


def test_views_backoffice_desk_check_then_second_supervisor_approves(
    client, agent, supervisor, person, django_capture_on_commit_callbacks
):
    recovery, _outcome = _request(agent, person, foreigner_number="")
    desk_agent = PrefectureAgentFactory()
    client.force_login(desk_agent)
    url = reverse("support_backoffice:recovery_desk_check")
    page = client.get(url, {"reference": recovery.reference.lower()})
    assert person.last_name in page.text
    client.post(url, {"reference": recovery.reference, "document_kind": "passport"})
    recovery.refresh_from_db()
    assert (recovery.status, recovery.desk_checked_by) == (
        RecoveryStatus.AWAITING_APPROVAL,
        desk_agent,
    )
    entry = LogEntry.objects.get_for_object(recovery).get(
        additional_data__action="account_recovery_desk_check"
    )
    assert entry.actor == desk_agent
    with django_capture_on_commit_callbacks(execute=True):
        services.recovery_approve(recovery=recovery, actor=supervisor)
    person.refresh_from_db()
    assert person.email == NEW_EMAIL


def test_recovery_desk_check_by_contact_centre_agent_refused(agent, supervisor, person):
    recovery, _outcome = _request(agent, person, foreigner_number="")
    with pytest.raises(DomainError):
        services.recovery_desk_check_record(
            recovery=recovery, actor=supervisor, document_kind="passport"
        )


# --- Approval: old address told, stop link --------------------------------------------------------


def _approved(agent, supervisor, person, capture):
    recovery, _outcome = _request(agent, person)
    mail.outbox.clear()
    with capture(execute=True):
        services.recovery_approve(recovery=recovery, actor=supervisor)
    return recovery


def _link(message, fragment: str) -> str:
    return next(word for word in message.body.split() if fragment in word)


def test_recovery_approval_tells_old_address_and_sends_reset_to_new(
    agent, supervisor, person, django_capture_on_commit_callbacks
):
    old_email = person.email
    recovery = _approved(agent, supervisor, person, django_capture_on_commit_callbacks)
    to_old = next(m for m in mail.outbox if m.to == [old_email])
    to_new = next(m for m in mail.outbox if m.to == [NEW_EMAIL])
    assert "/contact/recovery-stop/" in to_old.body
    assert "/password/reset/key/" in to_new.body
    assert _actions(recovery) == [
        "account_recovery_request",
        "account_recovery_facts_checked",
        "account_recovery_approve",
        "account_recovery_old_address_told",
    ]


def test_recovery_stop_link_locks_account_and_opens_ticket(
    client, agent, supervisor, person, django_capture_on_commit_callbacks
):
    old_email = person.email
    _approved(agent, supervisor, person, django_capture_on_commit_callbacks)
    to_old = next(m for m in mail.outbox if m.to == [old_email])
    path = "/" + _link(to_old, "/contact/recovery-stop/").split("/", 3)[3]
    assert client.get(path).status_code == 200  # a mail scanner's GET changes nothing
    person.refresh_from_db()
    assert person.is_active
    client.post(path)
    person.refresh_from_db()
    recovery = AccountRecovery.objects.get(person=person)
    assert (person.is_active, recovery.status) == (False, RecoveryStatus.STOPPED)
    opened = Ticket.objects.filter(email=old_email).exclude(pk=recovery.ticket_id)
    assert opened.get().category == TicketCategory.CANNOT_LOG_IN
    assert "account_recovery_stopped" in _actions(recovery)


def test_recovery_stop_link_unknown_token_404(client):
    assert client.get("/contact/recovery-stop/nope/").status_code == 404


# --- The 72-hour hold ---------------------------------------------------------------------------


@pytest.fixture
def files(person, reference_data):
    application = ApplicationFactory(
        applicant=person, status=ApplicationStatus.SUBMITTED, filed_at=timezone.now()
    )
    document = Document(
        application=application,
        document_type=DocumentType.objects.get(code="passport"),
        original_name="passport.pdf",
        content_type="application/pdf",
        size=len(PDF_BYTES),
        sha256="0" * 64,
        uploaded_by=person,
    )
    document.file.save("passport.pdf", ContentFile(PDF_BYTES), save=True)
    today = timezone.localdate()
    attestation = Attestation.objects.create(
        number=new_number("deposit_receipt", today.year),
        kind="deposit_receipt",
        application=application,
        holder=person,
        valid_from=today,
        issue_on=today,
        holder_snapshot={"first_name": person.first_name, "last_name": person.last_name},
        rights={"stay": False, "work": "none"},
        prefecture=application.prefecture,
    )
    return document, attestation


def test_recovery_hold_documents_and_share_codes_refused_attestations_kept(
    client, agent, supervisor, person, files, django_capture_on_commit_callbacks
):
    document, attestation = files
    client.force_login(person)
    assert _status(client.get(reverse("document_download", args=[document.pk]))) == 200
    _approved(agent, supervisor, person, django_capture_on_commit_callbacks)
    client.force_login(person)  # the new holder of the account, signed in after the reset
    page = client.get(reverse("document_download", args=[document.pk]))
    assert page.status_code == 403
    assert "recovery" in page.text
    api = client.get(reverse("api:document-file", args=[document.pk]))
    assert api.status_code == 403
    with pytest.raises(DomainError) as error:
        share_codes.share_code_create(
            attestation=attestation,
            actor=person,
            verifier_name="Employer",
            verifier_kind="employer",
        )
    assert error.value.code == "recovery_hold"
    pdf = client.get(reverse("attestations_portal:pdf", args=[attestation.number]))
    assert _status(pdf) == 200


def test_recovery_hold_lifted_after_72_hours(
    client, agent, supervisor, person, files, django_capture_on_commit_callbacks
):
    document, _attestation = files
    _approved(agent, supervisor, person, django_capture_on_commit_callbacks)
    assert recovery_hold_until(person) is not None
    with time_machine.travel(timezone.now() + dt.timedelta(hours=72, minutes=1)):
        assert recovery_hold_until(person) is None
        client.force_login(person)
        assert _status(client.get(reverse("document_download", args=[document.pk]))) == 200


def test_recovery_hold_does_not_touch_the_prefecture_agent(
    client, agent, supervisor, person, files, django_capture_on_commit_callbacks
):
    document, _attestation = files
    _approved(agent, supervisor, person, django_capture_on_commit_callbacks)
    client.force_login(PrefectureAgentFactory(prefecture=document.application.prefecture))
    assert _status(client.get(reverse("document_download", args=[document.pk]))) == 200


def test_views_portal_recovery_confirm_recorded_hold_kept(
    client, agent, supervisor, person, django_capture_on_commit_callbacks
):
    recovery = _approved(agent, supervisor, person, django_capture_on_commit_callbacks)
    client.force_login(person)
    assert "Confirm" in client.get(reverse("support_portal:recovery_confirm")).text
    client.post(reverse("support_portal:recovery_confirm"))
    recovery.refresh_from_db()
    assert recovery.person_confirmed_at is not None
    assert recovery_hold_until(person) is not None
    assert "account_recovery_confirmed_by_person" in _actions(recovery)
