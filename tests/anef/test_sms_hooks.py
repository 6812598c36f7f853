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
    application = filed(profile)
    services.correction_request_create(
        application=application,
        actor=agent,
        message="Le passeport est illisible.",
        deadline=TODAY + datetime.timedelta(days=30),
    )
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
