import datetime

import factory
from django.utils import timezone

from reference.models import Prefecture
from substitution.enums import CaseOrigin, DeskKind
from substitution.models import Desk, Slot, SubstitutionCase

WEEKDAY_HOURS = {str(day): [["09:00", "12:00"], ["13:30", "16:30"]] for day in range(5)}


def prefecture(code: str = "75") -> Prefecture:
    return Prefecture.objects.get(departement_code=code)


class DeskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Desk

    prefecture = factory.LazyFunction(lambda: prefecture("75"))
    kind = DeskKind.SUBSTITUTION
    name = factory.Sequence(lambda n: f"Guichet {n}")
    location = "Hall B"
    opening_hours = factory.LazyFunction(lambda: dict(WEEKDAY_HOURS))


class SlotFactory(factory.django.DjangoModelFactory):
    """A slot of 30 minutes, three days from now between 10:00 and 17:30 local time."""

    class Meta:
        model = Slot

    desk = factory.SubFactory(DeskFactory)
    starts_at = factory.Sequence(
        lambda n: (
            timezone.make_aware(
                datetime.datetime.combine(
                    timezone.localdate() + datetime.timedelta(days=3), datetime.time(10, 0)
                )
            )
            + datetime.timedelta(minutes=30 * (n % 16))  # the same day, 10:00 to 17:30
        )
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(minutes=30))
    capacity = 1


class CaseFactory(factory.django.DjangoModelFactory):
    """A case for a person without an account (contact details only)."""

    class Meta:
        model = SubstitutionCase

    origin = CaseOrigin.CONTACT_CENTRE
    contact_name = "Awa Diallo"
    contact_email = factory.Sequence(lambda n: f"blocked{n}@anef.example")
    contact_phone = "0600000000"
    prefecture = factory.LazyFunction(lambda: prefecture("75"))
