"""Text messages (issue 21): the segment counter, mobile numbers in E.164, the outbox's SMS
channel (once per person, kind and day; text erased once sent; logged without content) and the
HTTP provider backend."""

import datetime
import logging

import pytest
import requests

from accounts.enums import ContactChannels
from anef.enums import MessageChannel, MessageStatus, NotificationKind, NotificationSubject
from anef.models import NotificationLog, OutgoingMessage
from anef.outbox import outbox_send_due
from anef.phone import phone_e164
from anef.sms import segments, sms_enqueue
from anef.sms_backends import HttpSmsBackend, SmsProviderError
from tests.accounts.factories import ApplicantFactory

NUMBER = "+33612345678"


# --- Segments -----------------------------------------------------------------------------------


def test_segments_gsm7_160_characters_one_segment():
    assert segments("a" * 160).segments == 1


def test_segments_gsm7_161_characters_two_segments_of_153():
    assert segments("a" * 161).segments == 2
    assert segments("a" * 306).segments == 2
    assert segments("a" * 307).segments == 3


def test_segments_gsm7_extended_characters_count_twice():
    count = segments("€" * 80)
    assert (count.encoding, count.units, count.segments) == ("GSM-7", 160, 1)
    assert segments("€" * 81).segments == 2


def test_segments_french_accents_of_gsm7_stay_gsm7():
    assert segments("é è à ù É").encoding == "GSM-7"


@pytest.mark.parametrize("char", ["«", "ê", "ç", "’", "\u00a0"])
def test_segments_character_outside_gsm7_forces_ucs2(char):
    count = segments("a" * 69 + char)
    assert (count.encoding, count.segments) == ("UCS-2", 1)
    assert segments("a" * 70 + char).segments == 2


def test_segments_ucs2_two_segments_hold_134_units():
    assert segments("ب" * 134).segments == 2
    assert segments("ب" * 135).segments == 3


def test_segments_emoji_counts_two_ucs2_units():
    assert segments("😀" * 35).segments == 1
    assert segments("😀" * 36).segments == 2


# --- Phone numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("06 12 34 56 78", NUMBER),
        ("06.12.34.56.78", NUMBER),
        ("+33 6 12 34 56 78", NUMBER),
        ("0033612345678", NUMBER),
        ("07-81-23-45-67", "+33781234567"),
        ("0696 12 34 56", "+596696123456"),
        ("0690 12 34 56", "+590690123456"),
        ("0692 12 34 56", "+262692123456"),
        ("+44 7911 123456", "+447911123456"),
        ("+1 202 555 0100", "+12025550100"),
    ],
)
def test_phone_e164_mobile_numbers_normalised(typed, e164):
    assert phone_e164(typed) == e164


@pytest.mark.parametrize(
    "typed",
    [
        "01 23 45 67 89",
        "0612",
        "+33 1 23 45 67 89",
        "06 12 34 56 7x",
        "+0612345678",
        "",
        "+44 7700 900123",  # a range reserved for fiction: no such mobile
        "0800 12 34 56",
    ],
)
def test_phone_e164_landline_or_malformed_refused(typed):
    assert phone_e164(typed) is None


# --- Enqueue and send ---------------------------------------------------------------------------


def _person(channels=ContactChannels.SMS, verified=True):
    return ApplicantFactory(
        contact_channels=channels,
        phone_number=NUMBER,
        phone_verified_at=datetime.datetime.now(tz=datetime.UTC) if verified else None,
    )


def _enqueue(person, **kwargs):
    return sms_enqueue(
        person=person,
        kind=kwargs.get("kind", NotificationKind.ATTESTATION_READY),
        context={"link": "https://anef.example/portal/"},
        subject_type=NotificationSubject.ATTESTATION,
        subject_id=1,
        due_day=kwargs.get("due_day"),
    )


@pytest.mark.django_db
def test_sms_enqueue_person_who_chose_sms_writes_one_text_and_one_log_row():
    person = _person()
    assert _enqueue(person) is True
    message = OutgoingMessage.objects.get()
    assert (message.channel, message.recipient) == (MessageChannel.SMS, NUMBER)
    assert message.body.startswith("Un document") or message.body.startswith("A document")
    log = NotificationLog.objects.get()
    assert (log.channel, log.kind) == ("sms", NotificationKind.ATTESTATION_READY)


@pytest.mark.django_db
def test_sms_enqueue_twice_same_kind_and_day_sends_once():
    person = _person()
    _enqueue(person)
    assert _enqueue(person) is False
    assert OutgoingMessage.objects.count() == 1


@pytest.mark.django_db
def test_sms_enqueue_another_day_sends_again():
    person = _person()
    _enqueue(person, due_day=datetime.date(2026, 1, 1))
    assert _enqueue(person, due_day=datetime.date(2026, 1, 2)) is True


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("channels", "verified"),
    [(ContactChannels.EMAIL, True), (ContactChannels.SMS, False), (ContactChannels.BOTH, False)],
)
def test_sms_enqueue_email_only_or_number_not_proven_sends_nothing(channels, verified):
    assert _enqueue(_person(channels, verified)) is False
    assert not OutgoingMessage.objects.exists()
    assert not NotificationLog.objects.exists()


@pytest.mark.django_db
def test_sms_outbox_sends_through_backend_erases_text_and_logs_no_content(
    sms_outbox, django_capture_on_commit_callbacks, caplog
):
    person = _person(ContactChannels.BOTH)
    _enqueue(person)
    text = OutgoingMessage.objects.get().body
    with caplog.at_level(logging.DEBUG):
        assert outbox_send_due() == 1
    assert [(message.recipients, message.body) for message in sms_outbox] == [([NUMBER], text)]
    message = OutgoingMessage.objects.get()
    assert (message.status, message.body) == (MessageStatus.SENT, "")
    assert text not in caplog.text
    assert NUMBER not in caplog.text


@pytest.mark.django_db
def test_sms_outbox_provider_refusal_retried_without_content_in_error(settings, caplog):
    settings.SMS_BACKEND = "anef.sms_backends.HttpSmsBackend"
    settings.SMS_HTTP_URL = "https://sms-provider.invalid/send"
    _enqueue(_person())
    text = OutgoingMessage.objects.get().body

    class Refused:
        status_code = 503

    def post(self, url, json, timeout):
        return Refused()

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(requests.Session, "post", post)
        assert outbox_send_due() == 0
    message = OutgoingMessage.objects.get()
    assert (message.status, message.attempts) == (MessageStatus.PENDING, 1)
    assert "HTTP 503" in message.last_error
    for secret in (text, NUMBER):
        assert secret not in message.last_error
        assert secret not in caplog.text


def test_http_backend_posts_json_with_bearer_token(monkeypatch):
    import sms

    seen = []

    class Accepted:
        status_code = 201

    def post(self, url, json, timeout):
        seen.append((url, json, self.headers["Authorization"], timeout))
        return Accepted()

    monkeypatch.setattr(requests.Session, "post", post)
    backend = HttpSmsBackend(url="https://provider.invalid/sms", token="t0k", timeout=3)
    sent = sms.Message("Hello", "ANEF", [NUMBER], connection=backend).send()
    assert sent == 1
    assert seen == [
        (
            "https://provider.invalid/sms",
            {"to": NUMBER, "from": "ANEF", "text": "Hello"},
            "Bearer t0k",
            3,
        )
    ]


def test_http_backend_timeout_raises_provider_error_without_content(monkeypatch):
    import sms

    def post(self, url, json, timeout):
        raise requests.Timeout(f"timed out sending {json}")

    monkeypatch.setattr(requests.Session, "post", post)
    backend = HttpSmsBackend(url="https://provider.invalid/sms", token="t", timeout=1)
    with pytest.raises(SmsProviderError) as error:
        sms.Message("Secret text", "ANEF", [NUMBER], connection=backend).send()
    assert "Secret" not in str(error.value) and NUMBER not in str(error.value)
