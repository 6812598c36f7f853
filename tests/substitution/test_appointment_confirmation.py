"""The appointment's confirmation (issue 18): where, when and what to bring on the case page,
the times hidden once booked, the calendar file (.ics) and its link in the booking e-mail."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from icalendar import Calendar

from applications.selectors import application_checklist
from substitution import services, tasks
from substitution.enums import CaseOrigin
from substitution.ics import appointment_uid
from tests.accounts.factories import ApplicantProfileFactory
from tests.applications.factories import ApplicationFactory
from tests.substitution.factories import CaseFactory, DeskFactory, SlotFactory

pytestmark = pytest.mark.django_db
EN = {"accept-language": "en"}
FR = {"accept-language": "fr"}
PARIS = ZoneInfo("Europe/Paris")
FRENCH_WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]


def _day_ahead(days: int = 9) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def _slot(day: datetime.date, hour: int = 14, minute: int = 30, **kwargs):
    start = datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=PARIS)
    return SlotFactory(starts_at=start, ends_at=start + datetime.timedelta(minutes=30), **kwargs)


def _booked(person=None, *, application=None, day=None, desk=None):
    """A case of `person` (a new applicant by default), booked on `day` at 14:30 in Paris."""
    person = person or ApplicantProfileFactory().user
    case = services.open_case(origin=CaseOrigin.PREFECTURE, person=person)
    if application is not None:
        case.application = application
        case.save(update_fields=["application"])
    extra = {"desk": desk} if desk is not None else {}
    slot = _slot(day or _day_ahead(), **extra)
    appointment = services.appointment_book(case=case, slot=slot, actor=person)
    return person, case, appointment


def _case_page(client, case, headers=EN, query=""):
    url = reverse("substitution_portal:case_detail", args=[case.reference]) + query
    return client.get(url, headers=headers)


def _confirmation(response) -> str:
    """The confirmation block alone (the timeline below also mentions the time)."""
    text = response.text
    start = text.index('id="confirmation"')
    return text[start : text.index("</div>", start)]


def _calendar_url(appointment) -> str:
    return reverse("substitution_portal:appointment_calendar", kwargs={"pk": appointment.pk})


# --- The confirmation on the case page ----------------------------------------------------------


def test_view_portal_confirmation_shows_postcode_and_city(client, reference_data):
    person, case, _ = _booked()
    client.force_login(person)
    text = _confirmation(_case_page(client, case))
    assert "1 bis, rue de Lutèce" in text
    assert "75004 Paris" in text


def test_view_portal_confirmation_shows_weekday_date_and_time_in_english(client, reference_data):
    day = _day_ahead()
    person, case, _ = _booked(day=day)
    client.force_login(person)
    text = _confirmation(_case_page(client, case, headers=EN))
    assert f"{day:%A} {day.day} {day:%B} {day.year}" in text
    assert "2:30 p.m." in text


def test_view_portal_confirmation_shows_weekday_in_french(client, reference_data):
    day = _day_ahead()
    person, case, _ = _booked(day=day)
    client.force_login(person)
    text = _confirmation(_case_page(client, case, headers=FR))
    assert f"{FRENCH_WEEKDAYS[day.weekday()]} {day.day}" in text.lower()
    assert "14:30" in text


def test_view_portal_confirmation_lists_the_procedures_checklist(client, reference_data):
    profile = ApplicantProfileFactory()
    application = ApplicationFactory(applicant=profile.user)
    person, case, _ = _booked(profile.user, application=application)
    client.force_login(person)
    text = _confirmation(_case_page(client, case))
    labels = [
        item.requirement.document_type.label_en for item in application_checklist(application)
    ]
    assert labels
    for label in labels:
        assert escape(label) in text
    assert "A proof of address of less than 6 months" not in text  # not the generic list


def test_view_portal_confirmation_without_application_lists_generic_items(client, reference_data):
    person, case, _ = _booked()
    client.force_login(person)
    text = _confirmation(_case_page(client, case))
    assert "Your passport or another identity document" in text
    assert "A proof of address of less than 6 months" in text
    assert "Your current residence permit or receipt, if you have one" in text


def test_view_portal_confirmation_links_calendar_change_and_cancel(client, reference_data):
    person, case, appointment = _booked()
    client.force_login(person)
    text = _confirmation(_case_page(client, case))
    assert _calendar_url(appointment) in text
    assert "?change=1" in text
    assert reverse("substitution_portal:case_cancel", args=[case.reference]) in text


def test_view_portal_slot_list_absent_once_booked(client, reference_data):
    person, case, _ = _booked()
    other = _slot(_day_ahead(10))
    client.force_login(person)
    response = _case_page(client, case)
    assert response.context["show_picker"] is False
    assert 'name="slot"' not in response.text
    assert f'value="{other.pk}"' not in response.text
    assert "Change my appointment" in response.text


def test_view_portal_slot_list_shown_when_changing(client, reference_data):
    person, case, _ = _booked()
    other = _slot(_day_ahead(10))
    client.force_login(person)
    text = _case_page(client, case, query="?change=1").text
    assert f'value="{other.pk}"' in text
    assert "Your current appointment is kept until you book another one." in text


def test_view_portal_slot_list_shown_before_booking(client, reference_data):
    person = ApplicantProfileFactory().user
    case = services.open_case(origin=CaseOrigin.PREFECTURE, person=person)
    slot = _slot(_day_ahead())
    client.force_login(person)
    text = _case_page(client, case).text
    assert f'value="{slot.pk}"' in text
    assert "Change my appointment" not in text


def test_view_portal_home_links_calendar_of_booked_appointment(client, reference_data):
    person, _, appointment = _booked()
    client.force_login(person)
    assert _calendar_url(appointment) in client.get(reverse("substitution_portal:home")).text


# --- The calendar file --------------------------------------------------------------------------


def _event(response):
    calendar = Calendar.from_ical(response.content)
    (event,) = calendar.events
    return calendar, event


def test_view_portal_calendar_is_text_calendar_attachment(client, reference_data):
    person, _, appointment = _booked()
    client.force_login(person)
    response = client.get(_calendar_url(appointment), headers=EN)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert response["Content-Disposition"].startswith("attachment;")


def test_view_portal_calendar_parses_with_start_end_in_paris(client, reference_data):
    day = _day_ahead()
    person, _, appointment = _booked(day=day)
    client.force_login(person)
    calendar, event = _event(client.get(_calendar_url(appointment), headers=EN))
    start = event.decoded("dtstart")
    assert start == datetime.datetime.combine(day, datetime.time(14, 30), tzinfo=PARIS)
    assert str(start.tzinfo) == "Europe/Paris"
    assert event["dtstart"].params["TZID"] == "Europe/Paris"
    assert event.decoded("dtend") - start == datetime.timedelta(minutes=30)
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]


def test_view_portal_calendar_location_is_full_address(client, reference_data):
    desk = DeskFactory(name="Guichet des titres", location="Hall B")
    person, _, appointment = _booked(desk=desk)
    client.force_login(person)
    _, event = _event(client.get(_calendar_url(appointment), headers=EN))
    assert str(event["location"]) == (
        "Guichet des titres, Hall B, Préfecture de police de Paris, 1 bis, rue de Lutèce, "
        "75004 Paris"
    )


def test_view_portal_calendar_uid_stable_per_appointment(client, reference_data):
    person, _, appointment = _booked()
    _, _, other = _booked()
    client.force_login(person)
    _, first = _event(client.get(_calendar_url(appointment)))
    _, second = _event(client.get(_calendar_url(appointment)))
    assert str(first["uid"]) == str(second["uid"]) == appointment_uid(appointment)
    assert appointment_uid(appointment) != appointment_uid(other)


def test_view_portal_calendar_texts_in_page_language(client, reference_data):
    person, case, appointment = _booked()
    client.force_login(person)
    _, english = _event(client.get(_calendar_url(appointment), headers=EN))
    assert str(english["summary"]).startswith("Appointment at the prefecture")
    assert case.reference in str(english["description"])
    assert "Your passport or another identity document" in str(english["description"])
    assert "Case reference" in str(english["description"])
    _, french = _event(client.get(_calendar_url(appointment), headers=FR))
    assert f"Référence du dossier : {case.reference}" in str(french["description"])


def test_view_portal_calendar_of_another_person_hidden(client, reference_data):
    _, _, appointment = _booked()
    client.force_login(ApplicantProfileFactory().user)
    assert client.get(_calendar_url(appointment)).status_code == 404


def test_view_portal_calendar_of_cancelled_appointment_hidden(client, reference_data):
    person, _, appointment = _booked()
    services.appointment_cancel(appointment=appointment, actor=person)
    client.force_login(person)
    assert client.get(_calendar_url(appointment)).status_code == 404


def test_view_portal_calendar_anonymous_redirected_to_login(client, reference_data):
    _, _, appointment = _booked()
    response = client.get(_calendar_url(appointment))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_view_public_calendar_by_token(client, reference_data):
    case = CaseFactory()
    appointment = services.appointment_book(case=case, slot=_slot(_day_ahead()), actor=None)
    url = reverse("substitution_public:case_calendar", kwargs={"token": case.access_token})
    _, event = _event(client.get(url))
    assert str(event["uid"]) == appointment_uid(appointment)
    wrong = reverse("substitution_public:case_calendar", kwargs={"token": case.reference})
    assert client.get(wrong).status_code == 404


# --- The booking e-mail -------------------------------------------------------------------------


def test_task_confirmation_email_links_calendar_file(
    reference_data, mailoutbox, django_capture_on_commit_callbacks
):
    day = _day_ahead()
    _, _, appointment = _booked(day=day)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_appointment_confirmation(appointment.pk) is True
    (message,) = mailoutbox
    assert message.attachments == []
    assert _calendar_url(appointment) in message.body
    assert "it is not attached to this e-mail" in message.body
    assert "75004 Paris" in message.body
    assert f"{day:%A} {day.day} {day:%B} {day.year}" in message.body
    assert "Your passport or another identity document" in message.body


def test_task_confirmation_email_without_account_links_private_calendar(
    reference_data, mailoutbox, django_capture_on_commit_callbacks
):
    case = CaseFactory()
    appointment = services.appointment_book(case=case, slot=_slot(_day_ahead()), actor=None)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_appointment_confirmation(appointment.pk) is True
    url = reverse("substitution_public:case_calendar", kwargs={"token": case.access_token})
    assert url in mailoutbox[0].body
