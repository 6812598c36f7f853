"""Issue 21, callbacks' loose ends: the confirmation text for a person who chose texts (the
pattern of tests/anef/test_sms_hooks.py), and the console's ticket page listing the callbacks."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.enums import ContactChannels
from anef.enums import MessageChannel, NotificationKind
from anef.models import NotificationLog, OutgoingMessage
from support import services
from tests.accounts.factories import ApplicantFactory

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 24, 10, 5, tzinfo=PARIS)  # a Tuesday
SLOT = datetime(2026, 11, 24, 14, 0, tzinfo=PARIS)
NUMBER = "+33612345678"
pytestmark = pytest.mark.django_db


def _person(channels):
    user = ApplicantFactory()
    user.contact_channels = channels
    user.phone_number = NUMBER
    user.phone_verified_at = timezone.now()
    user.save()
    return user


def _book(person):
    ticket, _token = services.ticket_open_from_portal(actor=person, category="other", body="Hi")
    with time_machine.travel(NOW, tick=False):
        return services.callback_book(ticket=ticket, starts_at=SLOT, actor=person)


def _texts():
    return OutgoingMessage.objects.filter(channel=MessageChannel.SMS)


def test_callback_confirmation_texted_to_person_who_chose_texts():
    person = _person(ContactChannels.BOTH)
    _book(person)
    text = _texts().get()
    assert text.recipient == NUMBER
    assert "14:00" in text.body or "14h00" in text.body or "14 h" in text.body
    for word in ("préfecture", "prefecture", "titre", "permit"):
        assert word not in text.body.casefold()
    assert NotificationLog.objects.filter(
        channel="sms", kind=NotificationKind.CALLBACK_SCHEDULED, person=person
    ).exists()


def test_callback_confirmation_not_texted_to_person_who_chose_email_only():
    person = _person(ContactChannels.EMAIL)
    _book(person)
    assert not _texts().exists()
    assert OutgoingMessage.objects.filter(
        channel=MessageChannel.EMAIL, recipient=person.email
    ).exists()


# --- The console's ticket page ------------------------------------------------------------------


def test_views_console_ticket_page_lists_its_callbacks_with_state(client, agent):
    callback = _book(_person(ContactChannels.EMAIL))
    with time_machine.travel(SLOT, tick=False):
        services.callback_mark_made(callback=callback, actor=agent)
    client.force_login(agent)
    url = reverse("support_console:ticket_detail", args=[callback.ticket.number])
    page = client.get(url, headers={"accept-language": "en"}).content.decode()
    assert 'id="callbacks"' in page
    assert 'data-callback="made"' in page
    assert f'datetime="{timezone.localtime(SLOT).isoformat()}"' in page


def test_views_console_ticket_page_without_callbacks_has_no_callback_list(client, agent):
    person = ApplicantFactory()
    ticket, _token = services.ticket_open_from_portal(actor=person, category="other", body="Hi")
    client.force_login(agent)
    url = reverse("support_console:ticket_detail", args=[ticket.number])
    page = client.get(url, headers={"accept-language": "en"}).content.decode()
    assert 'id="callbacks"' not in page
