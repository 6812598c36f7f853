"""Issue 21: doors into callbacks — a person books only on their own ticket, sees only their
own callback; the console records outcomes."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from support import services
from support.enums import CallbackStatus
from support.models import Callback
from tests.accounts.factories import ApplicantFactory

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 24, 10, 5, tzinfo=PARIS)
SLOT = datetime(2026, 11, 24, 14, 0, tzinfo=PARIS)
pytestmark = pytest.mark.django_db


def _owned_ticket():
    owner = ApplicantFactory(phone_number="+33612345678")
    ticket, _token = services.ticket_open_from_portal(actor=owner, category="other", body="Hi")
    return owner, ticket


def test_portal_callback_booking_another_persons_ticket_is_404(client):
    _owner, ticket = _owned_ticket()
    client.force_login(ApplicantFactory())
    url = reverse("support_portal:callback", args=[ticket.number])
    with time_machine.travel(NOW, tick=False):
        response = client.post(url, {"starts_at": SLOT.isoformat(), "phone": "0611111111"})
    assert response.status_code == 404
    assert not Callback.objects.exists()


def test_portal_callback_reading_another_persons_callback_is_404(client):
    owner, ticket = _owned_ticket()
    with time_machine.travel(NOW, tick=False):
        services.callback_book(ticket=ticket, starts_at=SLOT, actor=owner)
    client.force_login(ApplicantFactory())
    response = client.get(reverse("support_portal:callback", args=[ticket.number]))
    assert response.status_code == 404


def test_portal_callback_owner_books_a_slot(client):
    owner, ticket = _owned_ticket()
    client.force_login(owner)
    url = reverse("support_portal:callback", args=[ticket.number])
    with time_machine.travel(NOW, tick=False):
        response = client.post(url, {"starts_at": SLOT.isoformat(), "phone": ""})
    assert response.status_code == 302
    assert Callback.objects.get().starts_at == SLOT


def test_console_callback_mark_made_records_the_call(client, agent):
    owner, ticket = _owned_ticket()
    with time_machine.travel(NOW, tick=False):
        callback = services.callback_book(ticket=ticket, starts_at=SLOT, actor=owner)
    client.force_login(agent)
    response = client.post(reverse("support_console:callback_mark", args=[callback.pk, "made"]))
    assert response.status_code == 302
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.MADE


def test_console_callback_queue_shows_dossier_references_only(client, agent):
    owner, ticket = _owned_ticket()
    with time_machine.travel(NOW, tick=False):
        services.callback_book(ticket=ticket, starts_at=SLOT, actor=owner)
    client.force_login(agent)
    response = client.get(reverse("support_console:callbacks"))
    assert response.status_code == 200
    assert ticket.number.encode() in response.content
