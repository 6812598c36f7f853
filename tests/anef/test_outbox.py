"""The outbox (anef/outbox.py, issue 17): every outgoing message written in the caller's
transaction, sent after commit, tried again with backoff, given up after N attempts, and sent
once even by two workers at once."""

import datetime
import logging
import time
from smtplib import SMTPServerDisconnected

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.mandate_notices import send_not_a_person
from anef import metrics, outbox
from anef.enums import MessageStatus
from anef.models import OutgoingMessage
from anef.outbox import enqueue, enqueue_email, outbox_send_due, outbox_send_one, retry_delay
from tests.accounts.factories import (
    AdministratorFactory,
    ApplicantFactory,
    ContactCentreSupervisorFactory,
)
from tests.anef.smtp_server import TinySmtpServer
from tests.concurrency import postgresql_only, run_at_once

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


class RefusingBackend(BaseEmailBackend):
    """A mail server that drops the connection: what smtplib raises when it is down."""

    def send_messages(self, email_messages):
        raise SMTPServerDisconnected("Connection unexpectedly closed")


class SlowLocmemBackend(LocmemBackend):
    """locmem, slow enough that two workers' runs overlap."""

    def send_messages(self, messages):
        time.sleep(0.02)
        return super().send_messages(messages)


def _message(recipient: str = "awa@example.org", **kwargs) -> OutgoingMessage | None:
    return enqueue(recipient=recipient, subject="Hello", body="Body text", **kwargs)


def _later(message: OutgoingMessage) -> datetime.datetime:
    message.refresh_from_db()
    return message.next_attempt_at


# --- Enqueue ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_outbox_enqueue_same_key_twice_writes_one_message():
    first = _message(idempotency_key="k-1")
    second = _message(idempotency_key="k-1")
    assert first is not None
    assert second is None
    assert OutgoingMessage.objects.count() == 1


@pytest.mark.django_db
def test_outbox_enqueue_duplicate_key_keeps_the_callers_transaction(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        _message(idempotency_key="k-1")
        _message(idempotency_key="k-1")  # an IntegrityError inside must not doom the block
        _message(recipient="other@example.org")
    assert sorted(OutgoingMessage.objects.values_list("recipient", flat=True)) == [
        "awa@example.org",
        "other@example.org",
    ]
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_outbox_enqueue_is_sent_on_commit_by_the_nudge(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = _message(person=ApplicantFactory())
    assert mail.outbox == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    assert [m.to for m in mail.outbox] == [["awa@example.org"]]
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert (message.attempts, message.body, message.last_error) == (1, "", "")


@pytest.mark.django_db(transaction=True)
def test_outbox_enqueue_in_a_rolled_back_transaction_is_never_sent():
    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        _message()
        raise Abort
    assert OutgoingMessage.objects.count() == 0
    assert outbox_send_due() == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_outbox_enqueue_email_keeps_subject_text_html_and_sender(
    django_capture_on_commit_callbacks,
):
    email = mail.EmailMultiAlternatives(
        "Sujet / Subject", "Texte", "Anef <a@example.org>", ["x@example.org", "y@example.org"]
    )
    email.attach_alternative("<p>Texte</p>", "text/html")
    with django_capture_on_commit_callbacks(execute=True):
        written = enqueue_email(email, idempotency_key="e-1", language="fr")
    assert len(written) == 2  # one message per address
    sent = {m.to[0]: m for m in mail.outbox}
    assert set(sent) == {"x@example.org", "y@example.org"}
    for message in sent.values():
        assert (message.subject, message.body, message.from_email) == (
            "Sujet / Subject",
            "Texte",
            "Anef <a@example.org>",
        )
        assert message.alternatives == [("<p>Texte</p>", "text/html")]


@pytest.mark.django_db
def test_outbox_enqueue_email_with_an_attachment_is_refused():
    email = EmailMessage("S", "B", to=["x@example.org"])
    email.attach("a.txt", b"x", "text/plain")
    with pytest.raises(ValueError, match="attachments"):
        enqueue_email(email)
    assert OutgoingMessage.objects.count() == 0


@pytest.mark.django_db
def test_outbox_project_email_written_with_its_bilingual_text(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_not_a_person("agent@example.org")
    row = OutgoingMessage.objects.get()
    assert row.language == "fr+en"
    assert mail.outbox[0].subject == row.subject
    assert " / " in row.subject  # French, then English


# --- Backoff and permanent failure ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("attempts", "seconds"),
    [(0, 0), (1, 60), (2, 120), (3, 240), (9, 15360), (10, 21600), (30, 21600)],
)
def test_outbox_retry_delay_doubles_up_to_the_cap(attempts, seconds):
    delay = retry_delay(attempts, base_seconds=60, max_seconds=21600)
    assert delay == datetime.timedelta(seconds=seconds)


@pytest.mark.django_db
def test_outbox_failed_message_waits_exactly_its_backoff(settings):
    settings.EMAIL_BACKEND = "tests.anef.test_outbox.RefusingBackend"
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    message = _message()
    now = timezone.now()
    assert outbox_send_due(now=now) == 0
    assert _later(message) == now + datetime.timedelta(seconds=60)
    # Not due a microsecond before: not even tried.
    outbox_send_due(now=now + datetime.timedelta(seconds=60, microseconds=-1))
    message.refresh_from_db()
    assert message.attempts == 1
    # Due at the boundary: tried, and the next wait is twice as long.
    outbox_send_due(now=now + datetime.timedelta(seconds=60))
    message.refresh_from_db()
    assert message.attempts == 2
    assert message.next_attempt_at == now + datetime.timedelta(seconds=60 + 120)
    assert message.status == MessageStatus.PENDING
    assert "SMTPServerDisconnected" in message.last_error


@pytest.mark.django_db
def test_outbox_message_failed_for_good_after_max_attempts(settings, caplog):
    settings.EMAIL_BACKEND = "tests.anef.test_outbox.RefusingBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 3
    message = _message()
    moment = timezone.now()
    for _ in range(3):
        with caplog.at_level(logging.WARNING, logger="anef.outbox"):
            outbox_send_due(now=moment)
        moment = _later(message)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.FAILED, 3)
    assert message.body == "Body text"  # kept, so that an administrator can try again
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert "failed for good after 3 attempts" in errors[0].getMessage()
    # Given up: no further run tries it again.
    outbox_send_due(now=moment + datetime.timedelta(days=30))
    message.refresh_from_db()
    assert message.attempts == 3


@pytest.mark.django_db
def test_outbox_message_still_pending_one_attempt_before_max(settings):
    settings.EMAIL_BACKEND = "tests.anef.test_outbox.RefusingBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 3
    message = _message()
    moment = timezone.now()
    for _ in range(2):
        outbox_send_due(now=moment)
        moment = _later(message)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.PENDING, 2)


@pytest.mark.django_db
def test_outbox_retry_puts_a_failed_message_back(settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.anef.test_outbox.RefusingBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 1
    message = _message()
    outbox_send_due()
    settings.EMAIL_BACKEND = LOCMEM
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.outbox_retry([message.pk]) == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_outbox_send_one_does_not_send_a_sent_message_again():
    message = _message()
    assert outbox_send_one(message.pk) is True
    assert outbox_send_one(message.pk) is False
    assert outbox_send_due() == 0
    assert len(mail.outbox) == 1


# --- A real SMTP server, down then up ------------------------------------------------------------


@pytest.fixture
def smtp_server(settings):
    server = TinySmtpServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = server.host
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()


@pytest.mark.django_db
def test_outbox_mail_server_down_then_up_delivers_each_message_once(
    smtp_server, django_capture_on_commit_callbacks
):
    recipients = [f"person{number}@example.org" for number in range(3)]
    # The server is down: the nudges on commit try at once, and fail.
    with django_capture_on_commit_callbacks(execute=True):
        for recipient in recipients[:2]:
            _message(recipient=recipient)
        send_not_a_person(recipients[2])  # a real e-mail of the project
    pending = OutgoingMessage.objects.order_by("pk")
    assert [(m.status, m.attempts) for m in pending] == [(MessageStatus.PENDING, 1)] * 3
    assert all("Connection" in m.last_error or "refused" in m.last_error for m in pending)
    # Still down at the next run: one more attempt each, still pending.
    retry_at = max(m.next_attempt_at for m in pending)
    assert outbox_send_due(now=retry_at) == 0
    assert [m.attempts for m in pending.all()] == [2, 2, 2]
    assert smtp_server.received == []
    # Back up: the next run delivers every message, and the one after sends nothing more.
    smtp_server.start()
    retry_at = max(m.next_attempt_at for m in pending.all())
    assert outbox_send_due(now=retry_at) == 3
    assert outbox_send_due(now=retry_at + datetime.timedelta(days=1)) == 0
    assert sorted(r for item in smtp_server.received for r in item.recipients) == recipients
    assert {m.status for m in pending.all()} == {MessageStatus.SENT}
    delivered = {item.recipients[0]: item.message for item in smtp_server.received}
    assert delivered["person0@example.org"]["Subject"] == "Hello"
    assert delivered["person0@example.org"].get_payload().strip() == "Body text"


# --- Two workers at once -------------------------------------------------------------------------


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_outbox_two_workers_at_once_send_each_message_once(settings):
    settings.EMAIL_BACKEND = "tests.anef.test_outbox.SlowLocmemBackend"
    # Written without the nudge (as after a worker outage): only the two runs send them.
    OutgoingMessage.objects.bulk_create(
        OutgoingMessage(recipient=f"p{number}@example.org", body="B", idempotency_key=f"k{number}")
        for number in range(20)
    )
    counts: list[int] = []
    errors = run_at_once(lambda _: counts.append(outbox_send_due()), [1, 2])
    assert errors == []
    assert sum(counts) == 20
    assert all(counts)  # both workers took part
    assert sorted(m.to[0] for m in mail.outbox) == sorted(f"p{n}@example.org" for n in range(20))
    assert OutgoingMessage.objects.filter(status=MessageStatus.SENT, attempts=1).count() == 20


# --- Visible: metrics and admin ------------------------------------------------------------------


@pytest.mark.django_db
def test_outbox_metrics_show_pending_due_retrying_and_failed(settings):
    settings.EMAIL_BACKEND = "tests.anef.test_outbox.RefusingBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 2
    failed = _message(recipient="a@example.org")
    outbox_send_due()
    outbox_send_due(now=_later(failed))  # a@ failed for good
    _message(recipient="b@example.org")  # due, never tried
    text = metrics.render(metrics.collect())
    assert 'anef_outbox_pending{channel="email"} 1' in text
    assert 'anef_outbox_due{channel="email"} 1' in text
    assert 'anef_outbox_retrying{channel="email"} 0' in text
    assert 'anef_outbox_failed{channel="email"} 1' in text
    assert 'anef_metrics_collector_up{collector="outbox"} 1' in text


@pytest.mark.django_db
def test_admin_outbox_lists_messages_without_their_text(client):
    _message(recipient="awa@example.org")
    OutgoingMessage.objects.update(body="reset link https://secret.example/token")
    client.force_login(AdministratorFactory())
    listing = client.get(reverse("admin:anef_outgoingmessage_changelist"))
    assert listing.status_code == 200
    assert "awa@example.org" in listing.text
    detail = client.get(
        reverse("admin:anef_outgoingmessage_change", args=[OutgoingMessage.objects.get().pk])
    )
    assert detail.status_code == 200
    assert "secret.example" not in detail.text


@pytest.mark.django_db
def test_admin_outbox_closed_to_a_contact_centre_supervisor(client):
    _message(recipient="awa@example.org")
    client.force_login(ContactCentreSupervisorFactory())
    response = client.get(reverse("admin:anef_outgoingmessage_changelist"))
    assert response.status_code == 302
    assert "awa@example.org" not in response.text


@pytest.mark.django_db
def test_admin_outbox_try_again_now_sends_a_failed_message(client, settings):
    settings.EMAIL_BACKEND = "tests.anef.test_outbox.RefusingBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 1
    message = _message()
    outbox_send_due()
    settings.EMAIL_BACKEND = LOCMEM
    client.force_login(AdministratorFactory())
    response = client.post(
        reverse("admin:anef_outgoingmessage_changelist"),
        {"action": "retry_now", "_selected_action": [message.pk]},
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.PENDING, 0)


# --- allauth's e-mails ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_outbox_password_reset_mail_through_the_outbox_and_its_link_erased_once_sent(
    client, django_capture_on_commit_callbacks
):
    person = ApplicantFactory(email="amina@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": person.email})
    assert response.status_code == 302
    row = OutgoingMessage.objects.get()
    assert (row.recipient, row.person, row.status) == (person.email, person, MessageStatus.SENT)
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
    assert row.body == ""  # a copy of the table taken now gives no reset link
