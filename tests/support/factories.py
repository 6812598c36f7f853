"""Tickets for tests, made through the services (a ticket always has its first message, its
deadlines and its follow-up secret)."""

import factory

from support import services
from support.enums import TicketCategory
from support.models import SavedAnswer
from tests.applications.factories import PNG_BYTES as PNG_BYTES  # a real picture: decoded


def web_ticket(**overrides):
    """A ticket from the public contact form; returns (ticket, follow-up secret)."""
    data = {
        "name": "Awa Konaté",
        "email": "awa.konate@example.org",
        "phone": "",
        "foreigner_number": "",
        "category": TicketCategory.CANNOT_CREATE_ACCOUNT,
        "body": "The sign-up page says my birth date is invalid.",
    }
    data.update(overrides)
    return services.ticket_open_from_contact_form(**data)


def contact_form_data(**overrides) -> dict:
    """What a person types into the public contact form (`/contact/`), as POST data."""
    data = {
        "name": "Awa Konaté",
        "email": "awa@example.org",
        "phone": "",
        "foreigner_number": "",
        "postal_code": "",
        "category": "cannot_create_account",
        "message": "The sign-up page refuses my birth date.",
        "website": "",
    }
    data.update(overrides)
    return data


class SavedAnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SavedAnswer

    title = factory.Sequence(lambda n: f"Answer {n}")
    body_fr = "Bonjour, voici ce que vous pouvez faire."
    body_en = "Hello, here is what you can do."
