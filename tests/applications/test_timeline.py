"""The timeline's two audiences (issue 18): the applicant (and a helper acting for them) reads
the second person; agents read the third person, naming the role of whoever acted."""

import pytest
from django.utils import translation

from accounts.enums import Role
from applications.enums import EventKind
from applications.models import Event
from applications.timeline import Audience, event_text


def _event(kind: str, role: str = "", **params) -> Event:
    return Event(kind=kind, actor_role=role, params=params)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_timeline_created_by_applicant_applicant_reads_second_person():
    text = event_text(_event(EventKind.CREATED, Role.APPLICANT))
    assert text == "You started this application."


def test_timeline_created_by_applicant_agent_reads_the_applicant():
    text = event_text(_event(EventKind.CREATED, Role.APPLICANT), audience=Audience.AGENT)
    assert text == "The applicant started the application."


def test_timeline_created_by_helper_agent_reads_through_a_helper():
    text = event_text(_event(EventKind.CREATED, Role.HELPER), audience=Audience.AGENT)
    assert text == "The applicant (through a helper) started the application."


def test_timeline_created_by_helper_applicant_reads_passive():
    assert event_text(_event(EventKind.CREATED, Role.HELPER)) == "The application was started."


def test_timeline_correction_requested_agent_reads_an_agent_asked():
    event = _event(
        EventKind.CORRECTION_REQUESTED,
        Role.PREFECTURE_AGENT,
        deadline="2026-03-01",
        message="Passport page 2",
    )
    text = event_text(event, audience=Audience.AGENT)
    assert text.startswith("An agent asked for a correction before ")
    assert text.endswith(": Passport page 2")
    assert "2026-03-01" not in text  # the date is formatted as for the applicant


def test_timeline_correction_requested_applicant_reads_asks_you():
    event = _event(
        EventKind.CORRECTION_REQUESTED, Role.PREFECTURE_AGENT, deadline="2026-03-01", message="x"
    )
    assert event_text(event).startswith("The prefecture asks you for a correction before ")


def test_timeline_event_without_actor_agent_reads_the_system():
    text = event_text(_event(EventKind.WITHDRAWN), audience=Audience.AGENT)
    assert text == "The system withdrew the application."


@pytest.mark.parametrize("kind", EventKind.values)
@pytest.mark.parametrize("role", [*Role.values, ""])
def test_timeline_every_kind_agent_text_has_no_second_person(kind, role):
    params = {
        "deadline": "2026-03-01",
        "message": "m",
        "document_type": "passport",
        "name": "p.pdf",
        "card_number": "1",
        "category": "identity",
        "postal_code": "75011",
        "city": "Paris",
        "from_prefecture": "A",
        "to_prefecture": "B",
        "number": "1",
        "handed_over_on": "2026-01-01",
        "count": 2,
        "purge_on": "2026-06-01",
        "notified_on": "2026-02-02",
        "channel": "letter",
        "obligation_to_leave": True,
    }
    text = event_text(_event(kind, role, **params), audience=Audience.AGENT)
    words = text.lower().replace(".", " ").replace(":", " ").split()
    assert not {"you", "your"} & set(words), text
    # A sentence, not the bare kind label (every kind has its agent text and its parameters).
    assert text != Event(kind=kind).get_kind_display()
