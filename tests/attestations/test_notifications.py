"""Holders are told once, by e-mail, that a new attestation is in their space; the e-mail links
to the portal and never carries the document."""

import datetime

import pytest
from django.conf import settings
from django.core import mail

from anef.models import OutgoingMessage
from anef.outbox import outbox_send_due
from attestations import notifications
from attestations.enums import AttestationKind
from attestations.models import Attestation
from attestations.services import attestations_sweep
from tests.attestations.factories import renewal

TODAY = datetime.date.today()


@pytest.fixture
def receipt(agent) -> Attestation:
    """A deposit receipt, due in the person's hands today."""
    application = renewal(agent, today=TODAY)
    attestations_sweep(today=TODAY)
    return application.attestations.get(kind=AttestationKind.DEPOSIT_RECEIPT)


@pytest.mark.django_db
def test_notifications_attestation_issued_sends_one_email_even_when_run_twice(
    receipt, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.attestations_notify_pending(today=TODAY) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.attestations_notify_pending(today=TODAY) == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [receipt.holder.email]
    receipt.refresh_from_db()
    assert receipt.notified_at is not None


@pytest.mark.django_db
def test_notifications_email_links_to_the_portal_and_carries_no_document(
    receipt, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notifications.attestations_notify_pending(today=TODAY)
    message = mail.outbox[0]
    assert message.attachments == []
    assert f"{settings.SITE_URL}/portal/attestations/" in message.body
    assert "/pdf/" not in message.body
    assert receipt.number in message.body


@pytest.mark.django_db
def test_notifications_several_attestations_of_one_holder_make_one_email(
    agent, django_capture_on_commit_callbacks
):
    application = renewal(agent, today=TODAY)
    attestations_sweep(today=application.renews_permit.valid_until)  # the receipt and the API
    assert application.attestations.count() == 2
    later = TODAY + datetime.timedelta(days=70)
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.attestations_notify_pending(today=later) == 1
    body = mail.outbox[0].body
    assert all(
        number in body for number in application.attestations.values_list("number", flat=True)
    )


@pytest.mark.django_db
def test_notifications_not_yet_due_attestation_waits(receipt):
    day_before = receipt.issue_on - datetime.timedelta(days=1)
    assert notifications.attestations_notify_pending(today=day_before) == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_notifications_holder_without_account_is_marked_without_email(receipt):
    Attestation.objects.filter(pk=receipt.pk).update(holder=None)
    assert notifications.attestations_notify_pending(today=TODAY) == 0
    assert mail.outbox == []
    receipt.refresh_from_db()
    assert receipt.notified_at is not None


@pytest.mark.django_db
def test_notifications_failed_sending_is_left_in_the_outbox_for_the_next_run(
    receipt, settings, django_capture_on_commit_callbacks
):
    """The attestation is marked told once its e-mail is in the outbox; a mail server down
    delays the e-mail, the outbox's next run after the backoff delivers it."""
    settings.EMAIL_BACKEND = "tests.anef.test_outbox.RefusingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.attestations_notify_pending(today=TODAY) == 1
    receipt.refresh_from_db()
    assert receipt.notified_at is not None
    message = OutgoingMessage.objects.get(recipient=receipt.holder.email)
    assert (message.status, message.attempts, mail.outbox) == ("pending", 1, [])
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox_send_due(now=message.next_attempt_at) == 1
    assert mail.outbox[0].to == [receipt.holder.email]


@pytest.mark.django_db
@pytest.mark.parametrize("holders", [1, 6])
def test_notifications_queries_per_batch_do_not_grow_with_attestations(
    agent, holders, django_assert_max_num_queries
):
    for _ in range(holders):
        renewal(agent, today=TODAY, complete=False)
    attestations_sweep(today=TODAY)
    with django_assert_max_num_queries(8):
        assert notifications.attestations_notify_pending(today=TODAY) == holders
