"""The daily reminders run loads in full only the cards with something left to send
(`permits_with_something_to_send`): a card already reminded of what is due, or with nothing
due, costs a few narrow columns, and what is sent is unchanged."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.enums import ContactChannels
from anef.enums import MessageChannel, NotificationLogChannel
from anef.models import NotificationLog, OutgoingMessage
from applications.reminders.rules import WINDOW_OPEN
from applications.reminders.selectors import permits_with_something_to_send
from applications.reminders.services import renewal_reminders_send
from applications.rules import FilingPolicy
from reference.enums import ProcedureKind
from tests.accounts.factories import ApplicantProfileFactory
from tests.applications.factories import ResidencePermitFactory, ground
from tests.applications.helpers import filed

pytestmark = pytest.mark.django_db

GROUND = "parent_of_french_child"


@pytest.fixture
def today():
    return timezone.localdate()


def _permit(today, days_left: int):
    profile = ApplicantProfileFactory(postal_code="75014", city="Paris")
    return ResidencePermitFactory(
        holder=profile.user, ground=ground(GROUND), valid_until=today + timedelta(days=days_left)
    )


def _selected(today):
    return set(permits_with_something_to_send(today, FilingPolicy.from_settings()))


def test_selection_card_already_reminded_is_left_out_the_next_day(reference_data, today):
    permit = _permit(today, 120)
    assert _selected(today) == {permit.pk}
    renewal_reminders_send(today)
    # The window-open reminder is still the latest due tomorrow, and already e-mailed.
    assert _selected(today + timedelta(days=1)) == set()


def test_selection_card_of_a_person_who_texts_stays_until_texted(reference_data, today):
    permit = _permit(today, 120)
    renewal_reminders_send(today)
    user = permit.holder
    user.contact_channels = ContactChannels.BOTH
    user.phone_number = "+33612345678"
    user.phone_verified_at = timezone.now()
    user.save()
    tomorrow = today + timedelta(days=1)
    assert _selected(tomorrow) == {permit.pk}  # e-mailed, not texted yet: the run still texts
    renewal_reminders_send(tomorrow)
    assert OutgoingMessage.objects.filter(channel=MessageChannel.SMS).count() == 1
    assert _selected(tomorrow + timedelta(days=1)) == set()


def test_selection_filed_renewal_before_the_incomplete_reminders_is_left_out(reference_data, today):
    permit = _permit(today, 100)
    application = filed(
        permit.holder.applicant_profile, GROUND, kind=ProcedureKind.RENEWAL, renews_permit=permit
    )
    assert application.status == "submitted", application.status
    assert _selected(today) == set()


def test_selection_next_reminder_day_brings_the_card_back(reference_data, today):
    permit = _permit(today, 120)
    renewal_reminders_send(today)
    assert _selected(today + timedelta(days=30)) == {permit.pk}  # the 90th day
    assert renewal_reminders_send(today + timedelta(days=30)) == 1


def test_reminders_run_with_everyone_reminded_loads_no_card_in_full(reference_data, today):
    for _ in range(5):
        _permit(today, 120)
    assert renewal_reminders_send(today) == 5
    with CaptureQueriesContext(connection) as queries:
        assert renewal_reminders_send(today + timedelta(days=1)) == 0
    # The narrow columns of the cards, their renewals' statuses, the log: nothing else (the full
    # load of every card, its renewals, corrections and pieces is skipped).
    assert len(queries) == 3, [query["sql"][:80] for query in queries]
    assert (
        NotificationLog.objects.filter(
            kind=WINDOW_OPEN, channel=NotificationLogChannel.EMAIL
        ).count()
        == 5
    )
