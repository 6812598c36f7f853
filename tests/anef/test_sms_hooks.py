"""Where the project already tells people by e-mail, a text goes too to those who chose texts
(issue 21): an attestation ready, a correction requested, a renewal reminder. The texts name
neither the procedure nor the prefecture."""

import datetime

import pytest
from django.utils import timezone

from accounts.enums import ContactChannels
from anef.enums import MessageChannel, NotificationKind
from anef.models import NotificationLog, OutgoingMessage
from applications import services
from applications.reminders.rules import WINDOW_OPEN
from applications.reminders.services import renewal_reminders_send
from attestations import notifications
from attestations.services import attestations_sweep
from reference.models import Prefecture
from tests.accounts.factories import ApplicantProfileFactory, PrefectureAgentFactory
from tests.applications.factories import ResidencePermitFactory, ground
from tests.applications.helpers import filed
from tests.attestations.factories import renewal

pytestmark = pytest.mark.django_db
NUMBER = "+33612345678"
TODAY = datetime.date.today()


def _takes_texts(user, channels=ContactChannels.BOTH):
    user.contact_channels = channels
    user.phone_number = NUMBER
    user.phone_verified_at = timezone.now()
    user.save()
    return user


def _texts():
    return OutgoingMessage.objects.filter(channel=MessageChannel.SMS)


@pytest.fixture
def agent(reference_data):
    return PrefectureAgentFactory(prefecture=Prefecture.objects.get(departement_code="75"))


def _neutral(text: str, *words: str) -> None:
    for word in ("préfecture", "prefecture", "titre", "permit", "Paris", *words):
        assert word.casefold() not in text.casefold()


def test_sms_hook_attestation_ready_texts_holder_who_chose_texts_once(agent):
    application = renewal(agent, today=TODAY)
    _takes_texts(application.applicant)
    attestations_sweep(today=TODAY)
    notifications.attestations_notify_pending(today=TODAY)
    notifications.attestations_notify_pending(today=TODAY)
    text = _texts().get()
    assert text.recipient == NUMBER
    _neutral(text.body, application.reference)
    assert NotificationLog.objects.filter(
        channel="sms", kind=NotificationKind.ATTESTATION_READY
    ).exists()


def test_sms_hook_attestation_ready_email_only_holder_gets_no_text(agent):
    application = renewal(agent, today=TODAY)
    _takes_texts(application.applicant, ContactChannels.EMAIL)
    attestations_sweep(today=TODAY)
    notifications.attestations_notify_pending(today=TODAY)
    assert not _texts().exists()
    assert OutgoingMessage.objects.filter(channel=MessageChannel.EMAIL).exists()


def test_sms_hook_correction_requested_texts_the_applicant(reference_data, agent):
    profile = ApplicantProfileFactory(postal_code="75014", city="Paris")
    _takes_texts(profile.user, ContactChannels.SMS)
    application = _correction(profile, agent)
    text = _texts().get()
    assert text.recipient == NUMBER
    _neutral(text.body, application.reference, "passeport")


def test_sms_hook_renewal_reminder_texted_once_and_logged_on_sms(reference_data):
    profile = ApplicantProfileFactory(postal_code="75014", city="Paris")
    _takes_texts(profile.user)
    ResidencePermitFactory(
        holder=profile.user,
        ground=ground("parent_of_french_child"),
        valid_until=TODAY + datetime.timedelta(days=120),
    )
    renewal_reminders_send(TODAY)
    renewal_reminders_send(TODAY)
    text = _texts().get()
    _neutral(text.body, "renouvel", "renew")
    assert NotificationLog.objects.filter(channel="sms", kind=WINDOW_OPEN).count() == 1


# --- "By text message" means texts instead of e-mails (walked 2026-12-04: the person who chose
# texts only got every e-mail as well, so the choice "texts" did what "both" does) -----------


def _emails_to(user):
    return OutgoingMessage.objects.filter(channel=MessageChannel.EMAIL, recipient=user.email)


@pytest.mark.parametrize(
    ("channels", "verified", "emailed"),
    [
        (ContactChannels.SMS, True, False),  # texts only: the text says it
        (ContactChannels.SMS, False, True),  # number not proven: no text, so the e-mail
        (ContactChannels.BOTH, True, True),
        (ContactChannels.EMAIL, False, True),
    ],
)
def test_sms_hook_attestation_ready_email_follows_the_channel_chosen(
    agent, channels, verified, emailed
):
    application = renewal(agent, today=TODAY)
    person = _takes_texts(application.applicant, channels)
    if not verified:
        person.phone_verified_at = None
        person.save()
    attestations_sweep(today=TODAY)
    notifications.attestations_notify_pending(today=TODAY)
    assert _emails_to(person).exists() == emailed
    assert _texts().exists() == (channels != ContactChannels.EMAIL and verified)


def _correction(profile, agent):
    application = filed(profile)
    services.correction_request_create(
        application=application,
        actor=agent,
        message="Le passeport est illisible.",
        deadline=TODAY + datetime.timedelta(days=30),
    )
    return application


def test_sms_hook_correction_requested_emailed_with_link_and_deadline_never_its_content(
    reference_data, agent
):
    profile = ApplicantProfileFactory(postal_code="75014", city="Paris")
    application = _correction(profile, agent)
    email = _emails_to(profile.user).get()
    assert application.reference in email.body
    assert f"/portal/applications/{application.reference}/" in email.body
    assert "passeport" not in email.body.casefold()
    assert str((TODAY + datetime.timedelta(days=30)).year) in email.body
    assert not _texts().exists()


def test_sms_hook_correction_requested_texts_only_gets_no_email(reference_data, agent):
    profile = ApplicantProfileFactory(postal_code="75014", city="Paris")
    _takes_texts(profile.user, ContactChannels.SMS)
    _correction(profile, agent)
    assert _texts().count() == 1
    assert not _emails_to(profile.user).exists()


def test_sms_hook_callback_texts_only_gets_the_text_not_the_email(
    reference_data, django_capture_on_commit_callbacks
):
    from support import callbacks
    from support import services as support_services

    profile = ApplicantProfileFactory(postal_code="75014", city="Paris")
    person = _takes_texts(profile.user, ContactChannels.SMS)
    ticket, _token = support_services.ticket_open_from_portal(
        actor=person, category="other", body="Call me"
    )
    emails_before = _emails_to(person).count()
    with django_capture_on_commit_callbacks(execute=True):
        callbacks.callback_book(ticket=ticket, starts_at=callbacks.slots_offered()[0], actor=person)
    assert _texts().filter(recipient=NUMBER).count() == 1
    assert _emails_to(person).count() == emails_before


@pytest.mark.parametrize(
    ("channels", "emailed"), [(ContactChannels.SMS, False), (ContactChannels.BOTH, True)]
)
def test_sms_hook_renewal_reminder_texts_only_gets_no_email(reference_data, channels, emailed):
    profile = ApplicantProfileFactory(postal_code="75014", city="Paris")
    person = _takes_texts(profile.user, channels)
    ResidencePermitFactory(
        holder=person,
        ground=ground("parent_of_french_child"),
        valid_until=TODAY + datetime.timedelta(days=120),
    )
    renewal_reminders_send(TODAY)
    renewal_reminders_send(TODAY)
    assert _texts().count() == 1
    assert _emails_to(person).exists() == emailed
