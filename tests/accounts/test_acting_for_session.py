"""A helper's acting for a person ends after each use (issue 21, as Aidants Connect does): on
leaving the person's space, or after 15 minutes without a request in it, whichever first; the
helper is then in their own space with a message, and a desk computer left signed in no longer
acts for that person."""

import datetime

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.views.acting import LAST_ACTION_GRAIN_SECONDS, LAST_ACTION_KEY, SESSION_KEY
from tests.accounts.factories import ApplicantProfileFactory, MandateFactory

pytestmark = pytest.mark.django_db
EN = {"headers": {"accept-language": "en"}}
START = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def person(reference_data):
    return ApplicantProfileFactory(postal_code="75014", city="Paris").user


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def acting(client, person, clock):
    """The helper signed in and acting for `person` since START."""
    helper = MandateFactory(person=person).helper
    client.force_login(helper)
    client.post(reverse("mandates:act_for", kwargs={"person_id": person.pk}))
    assert client.session[SESSION_KEY] == person.pk
    return client


def _texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_acting_for_idle_15_minutes_ends_and_lands_in_own_space(acting, clock):
    clock.shift(datetime.timedelta(minutes=15, seconds=1))
    response = acting.get(reverse("portal:home"), **EN)
    assert response.status_code == 302
    assert response["Location"] == reverse("mandates:helping")
    assert SESSION_KEY not in acting.session
    assert any("nothing was done for 15 minutes" in text for text in _texts(response))


def test_acting_for_idle_just_under_15_minutes_goes_on(acting, clock):
    clock.shift(datetime.timedelta(minutes=14, seconds=59))
    assert acting.get(reverse("portal:home")).status_code == 200
    assert acting.session[SESSION_KEY] is not None


def test_acting_for_each_action_restarts_the_15_minutes(acting, clock):
    clock.shift(datetime.timedelta(minutes=14))
    assert acting.get(reverse("portal:permits")).status_code == 200
    clock.shift(datetime.timedelta(minutes=14))
    assert acting.get(reverse("portal:home")).status_code == 200
    assert SESSION_KEY in acting.session


def test_acting_for_leaving_the_persons_space_ends_it(acting):
    response = acting.get(reverse("mandates:helping"), **EN)
    assert response.status_code == 200
    assert SESSION_KEY not in acting.session
    assert LAST_ACTION_KEY not in acting.session
    assert any("You left the space" in text for text in _texts(response))


def test_acting_for_after_leaving_person_pages_ask_to_choose_again(acting):
    acting.get(reverse("accounts:home"))
    response = acting.get(reverse("portal:home"))
    assert response["Location"] == reverse("mandates:helping")


def test_acting_for_shared_computer_after_idle_post_is_not_done_for_the_person(
    acting, person, clock
):
    """Someone sits at the desk after the helper walked away: a form sent in the person's
    space acts for nobody, and the acting does not come back afterwards."""
    clock.shift(datetime.timedelta(minutes=20))
    response = acting.post(
        reverse("portal:address_change"),
        {"address_line": "1 rue du Vol", "postal_code": "69001", "city": "Lyon"},
    )
    assert response["Location"] == reverse("mandates:helping")
    person.applicant_profile.refresh_from_db()
    assert person.applicant_profile.city == "Paris"
    assert acting.get(reverse("portal:profile"))["Location"] == reverse("mandates:helping")


def test_acting_for_switching_language_does_not_end_it(acting):
    acting.post(reverse("set_language"), {"language": "en", "next": "/portal/"})
    assert SESSION_KEY in acting.session


def test_acting_for_request_within_the_grain_leaves_the_session_unchanged(acting, clock):
    """So that the helper's pages may be kept by the page cache (it keeps no page whose render
    changed the session)."""
    clock.shift(datetime.timedelta(seconds=LAST_ACTION_GRAIN_SECONDS - 1))
    response = acting.get(reverse("portal:home"))
    assert response.status_code == 200
    assert not response.wsgi_request.session.modified
    assert acting.session[LAST_ACTION_KEY] == START.timestamp()


def test_acting_for_request_after_the_grain_moves_the_last_action(acting, clock):
    clock.shift(datetime.timedelta(seconds=LAST_ACTION_GRAIN_SECONDS))
    acting.get(reverse("portal:home"))
    assert acting.session[LAST_ACTION_KEY] == START.timestamp() + LAST_ACTION_GRAIN_SECONDS


def test_acting_for_ends_after_one_action_once_the_helper_is_back_in_their_space(acting, person):
    """Issue 21's "ends after one action": the helper does one thing for the person (a change
    of address), goes back to their own space, and the next form sent to the person's space
    acts for nobody."""
    done = acting.post(
        reverse("portal:address_change"),
        {"address_line": "3 rue Neuve", "postal_code": "75011", "city": "Paris"},
    )
    assert done.status_code == 302
    person.applicant_profile.refresh_from_db()
    assert person.applicant_profile.address_line == "3 rue Neuve"
    acting.get(reverse("mandates:helping"))
    again = acting.post(
        reverse("portal:address_change"),
        {"address_line": "1 rue du Vol", "postal_code": "69001", "city": "Lyon"},
    )
    assert again["Location"] == reverse("mandates:helping")
    person.applicant_profile.refresh_from_db()
    assert person.applicant_profile.address_line == "3 rue Neuve"
