"""Verification as a decision (issue 18): the checker (an employer, a landlord) reads first a
yes/no in their language, on the page `/verify/<number>/` and in the JSON API: valid today or
not, may stay in France, may work (yes / yes with limits / no); before an attestation starts,
what covers the person today and from when the attestation takes over; once it ended, since
when, and the newer attestation that replaced it. Never why it ended.

The attestations are real ones, issued by the sweep (tests/attestations/factories.py).
"""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.html import escape, strip_tags
from django.utils.translation import gettext

from attestations.services import attestations_sweep
from tests.attestations.factories import LIMITATION, issued_api
from tests.attestations.test_verification import (
    ONE_DAY,
    english_day,
    expiry,
    on,
    refuse,
)

PRIVATE_WORDS = ("refused", "refus", "withdrawn", "closed", "error", "revoked", "conditions")


def page(client, number: str, language: str = "en") -> str:
    response = client.get(reverse("verify", args=[number]), headers={"accept-language": language})
    assert response.status_code == 200
    return response.text


def body(client, number: str, language: str = "en") -> dict:
    response = client.get(
        reverse("api:verify", args=[number]), headers={"accept-language": language}
    )
    assert response.status_code == 200
    return response.json()


def visible_text(html: str) -> str:
    """What the checker reads of the attestation: the words of the page's content."""
    content = html[html.index('id="verify-headline"') : html.index("Check another attestation")]
    return strip_tags(content)


def day_in(language: str, day: datetime.date) -> str:
    with translation.override(language):
        return date_format(day, "DATE_FORMAT")


def text_in(language: str, msgid: str) -> str:
    with translation.override(language):
        return gettext(msgid)


def superseded(api):
    """The sweep the day after the first API's last day issues the next one."""
    ended = api.valid_until + ONE_DAY
    attestations_sweep(today=ended)
    newer = api.application.attestations.filter(kind="api").order_by("valid_from", "pk")[1]
    return ended, newer


@pytest.fixture
def api(agent):
    return issued_api(agent, today=datetime.date.today())


# --- Valid today ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_headline_page_valid_api_says_valid_today_may_stay_may_work_with_limits(client, api):
    with on(expiry(api) + ONE_DAY):
        text = page(client, api.number)
    assert '<h2 id="headline-title" class="fr-alert__title">Valid today</h2>' in text
    assert '<dd id="headline-stay">Yes</dd>' in text
    assert (
        f'<dd id="headline-work">Yes, with limits: <bdi lang="fr">{LIMITATION}</bdi></dd>'
    ) in text
    assert text.index("headline-title") < text.index("facts-title")  # the answer comes first


@pytest.mark.django_db
def test_headline_api_valid_api_gives_stable_codes(client, api):
    with on(expiry(api) + ONE_DAY):
        answer = body(client, api.number)
    assert answer["headline"] == {
        "valid_today": True,
        "may_stay": True,
        "may_work": "limited",
        "work_limitation": LIMITATION,
        "work_limitation_lang": "fr",
    }
    assert answer["covered_today_by"] is None
    assert answer["replaced_by"] is None
    assert answer["rights"]["work_text"] == f"Yes, with limits: {LIMITATION}"


@pytest.mark.django_db
def test_headline_api_full_right_to_work_says_yes_without_limitation(client, agent):
    api = issued_api(agent, today=datetime.date.today(), right_to_work="full")
    with on(expiry(api) + ONE_DAY):
        answer = body(client, api.number)
        text = page(client, api.number)
    assert answer["headline"]["may_work"] == "yes"
    assert answer["headline"]["work_limitation"] == ""
    assert '<dd id="headline-work">Yes</dd>' in text


# --- Not valid yet: the card covers until the day before ------------------------------------------


@pytest.mark.django_db
def test_headline_page_not_yet_valid_shows_the_card_covering_until_the_day_before(client, api):
    card_ends = expiry(api)
    assert api.valid_from == card_ends + ONE_DAY
    with on(card_ends - datetime.timedelta(days=10)):
        text = page(client, api.number)
    assert '<h2 id="headline-title" class="fr-alert__title">Not valid today</h2>' in text
    assert (
        "Today the person is covered by their residence card, valid until "
        f"{english_day(card_ends)}: ask to see it. This attestation takes over on "
        f"{english_day(api.valid_from)}."
    ) in text
    assert '<dd id="headline-stay">Not with this document</dd>' in text


@pytest.mark.django_db
def test_headline_api_not_yet_valid_gives_the_card_covering_today(client, api):
    card_ends = expiry(api)
    with on(card_ends - datetime.timedelta(days=10)):
        answer = body(client, api.number)
    assert answer["status"] == "not_yet_valid"
    assert answer["headline"]["valid_today"] is False
    assert answer["headline"]["may_stay"] is False
    assert answer["headline"]["may_work"] == "no"
    cover = answer["covered_today_by"]
    assert (cover["kind"], cover["valid_until"], cover["takes_over_on"]) == (
        "permit",
        card_ends.isoformat(),
        api.valid_from.isoformat(),
    )


@pytest.mark.django_db
def test_headline_api_on_the_cards_last_day_is_covered_and_the_next_day_valid(client, api):
    card_ends = expiry(api)
    with on(card_ends - datetime.timedelta(days=10)):
        last_card_day, first_api_day = (
            client.get(reverse("api:verify", args=[api.number]), {"on": day.isoformat()}).json()
            for day in (card_ends, card_ends + ONE_DAY)
        )
    assert last_card_day["covered_today_by"]["valid_until"] == card_ends.isoformat()
    assert first_api_day["headline"]["valid_today"] is True
    assert first_api_day["covered_today_by"] is None


@pytest.mark.django_db
def test_headline_page_next_period_issued_ahead_is_covered_by_the_previous_one(client, api):
    """The next API is issued 15 days before the first one's last day: until then, the first
    one covers the person."""
    issued_on = api.valid_until - datetime.timedelta(days=14)
    attestations_sweep(today=issued_on)
    newer = api.application.attestations.filter(kind="api").order_by("valid_from", "pk")[1]
    assert newer.continues_id == api.pk
    with on(issued_on):
        text = page(client, newer.number)
        answer = body(client, newer.number)
    assert (
        "Today the person is covered by their previous attestation, valid until "
        f"{english_day(api.valid_until)}: ask to see it. This attestation takes over on "
        f"{english_day(newer.valid_from)}."
    ) in text
    assert answer["covered_today_by"]["kind"] == "attestation"


# --- Replaced by a newer attestation --------------------------------------------------------------


@pytest.mark.django_db
def test_headline_page_superseded_says_not_valid_and_replaced_with_the_date(client, api):
    ended, newer = superseded(api)
    with on(ended):
        text = page(client, api.number)
    assert '<h2 id="headline-title" class="fr-alert__title">Not valid today</h2>' in text
    assert f"No longer valid since {english_day(ended)}." in text
    assert f"until {english_day(newer.valid_until)}." in text
    assert "replaced by a newer attestation" in text


@pytest.mark.django_db
def test_headline_api_superseded_gives_replaced_by_with_its_validity(client, api):
    ended, newer = superseded(api)
    with on(ended):
        answer = body(client, api.number)
    assert answer["headline"]["valid_today"] is False
    assert answer["replaced_by"] == {
        "valid_from": newer.valid_from.isoformat(),
        "valid_until": newer.valid_until.isoformat(),
        "status": "valid",
    }
    assert answer["covered_today_by"] is None


# --- Ended by a refusal: since when, never why ----------------------------------------------------


@pytest.mark.django_db
def test_headline_page_ended_by_refusal_says_since_when_never_why(client, api, agent):
    refused_on = expiry(api) + datetime.timedelta(days=5)
    with on(refused_on):
        refuse(api.application, agent)
        attestations_sweep(today=refused_on)
        text = page(client, api.number)
    assert '<h2 id="headline-title" class="fr-alert__title">Not valid today</h2>' in text
    assert f"No longer valid since {english_day(refused_on)}." in text
    assert not any(word in visible_text(text).lower() for word in PRIVATE_WORDS)


@pytest.mark.django_db
def test_headline_api_ended_by_refusal_gives_no_reason_and_no_replacement(client, api, agent):
    refused_on = expiry(api) + datetime.timedelta(days=5)
    with on(refused_on):
        refuse(api.application, agent)
        attestations_sweep(today=refused_on)
        answer = body(client, api.number)
    assert answer["status"] == "ended"
    assert answer["ended_on"] == refused_on.isoformat()
    assert answer["headline"] == {
        "valid_today": False,
        "may_stay": False,
        "may_work": "no",
        "work_limitation": "",
        "work_limitation_lang": "",
    }
    assert answer["replaced_by"] is None
    assert not any(word in json.dumps(answer).lower() for word in PRIVATE_WORDS)


# --- In the checker's language --------------------------------------------------------------------


@pytest.mark.django_db
def test_headline_page_in_french_gives_the_answer_and_dates_in_french(client, api):
    card_ends = expiry(api)
    with on(card_ends - datetime.timedelta(days=10)):
        text = page(client, api.number, "fr")
    french_stay = text_in("fr", "May stay in France")
    assert french_stay != "May stay in France"  # a French catalogue is there
    assert f'<dt class="fr-text--bold">{escape(french_stay)}</dt>' in text
    assert f">{escape(text_in('fr', 'Not valid today'))}</h2>" in text  # « aujourd'hui »
    assert day_in("fr", card_ends) in text
    assert day_in("fr", card_ends) != english_day(card_ends)  # the month in French words


@pytest.mark.django_db
def test_headline_page_in_arabic_gives_the_answer_and_keeps_the_limitation_french(client, api):
    with on(expiry(api) + ONE_DAY):
        text = page(client, api.number, "ar")
    arabic_work = text_in("ar", "May work")
    assert arabic_work != "May work"  # an Arabic catalogue is there
    assert f'<dt class="fr-text--bold">{escape(arabic_work)}</dt>' in text
    assert f">{escape(text_in('ar', 'Valid today'))}</h2>" in text
    assert f'<bdi lang="fr">{LIMITATION}</bdi>' in text  # French, isolated in RTL
    assert day_in("ar", api.valid_until) in text
    assert day_in("ar", api.valid_until) != english_day(api.valid_until)


@pytest.mark.django_db
def test_headline_api_in_arabic_gives_the_same_codes(client, api):
    with on(expiry(api) + ONE_DAY):
        answer = body(client, api.number, "ar")
    assert answer["headline"]["valid_today"] is True
    assert answer["headline"]["may_work"] == "limited"
    assert answer["headline"]["work_limitation_lang"] == "fr"
