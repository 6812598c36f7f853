"""The verification page kept in the cache (attestations/verification_cache.py, issue 8 "Load"):
served again without the database, but never stale, never another visitor's, never past the
rate limit, and never for share codes (each consultation is logged for the holder)."""

import datetime
import re
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from attestations import signing, verification_cache
from attestations.models import Attestation, ShareCodeConsultation
from attestations.services import attestations_sweep
from tests.attestations.factories import issued_api
from tests.attestations.test_share_codes import new_code
from tests.attestations.test_verification import (
    ENGLISH,
    ONE_DAY,
    _rates,
    english_day,
    expiry,
    on,
    path_of,
    refuse,
    today,
    unknown_number,
)
from tests.test_faults_redis import redis_down  # noqa: F401 (a fixture)

FRENCH = {"accept-language": "fr"}
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def api(agent) -> Attestation:
    return issued_api(agent, today=today())


def _page(client, attestation, headers=ENGLISH):
    return client.get(reverse("verify", args=[attestation.number]), headers=headers)


@pytest.mark.django_db
def test_verify_cache_second_visit_reads_no_database(client, api, django_assert_num_queries):
    with on(expiry(api) + ONE_DAY):
        first = _page(client, api)
        with django_assert_num_queries(0):
            second = _page(Client(), api)
    assert second.status_code == 200
    assert second.content == first.content.replace(
        CSRF_INPUT.search(first.text).group(1).encode(),
        CSRF_INPUT.search(second.text).group(1).encode(),
    )


@pytest.mark.django_db
def test_verify_cache_emptied_cookies_still_get_the_kept_page(
    client, api, django_assert_num_queries
):
    with on(expiry(api) + ONE_DAY):
        _page(client, api)
        emptied = Client()
        # Deleted by the server, still sent by some clients: no session, no message.
        emptied.cookies["messages"] = ""
        emptied.cookies["sessionid"] = ""
        with django_assert_num_queries(0):
            assert _page(emptied, api).status_code == 200


@pytest.mark.django_db
def test_verify_cache_page_changes_at_once_when_superseded(client, api):
    ended = api.valid_until + ONE_DAY
    with on(ended):
        before = _page(client, api)
        attestations_sweep(today=ended)  # issues the next API: the first one is replaced
        after = _page(client, api)
    newer = api.application.attestations.filter(kind="api").order_by("valid_from", "pk")[1]
    assert "Replaced by a newer attestation" not in before.text
    assert (
        f"It was replaced by a newer attestation, valid from {english_day(newer.valid_from)} "
        f"until {english_day(newer.valid_until)}."
    ) in after.text


@pytest.mark.django_db
def test_verify_cache_page_changes_at_once_when_revoked(client, api, agent):
    refused_on = expiry(api) + datetime.timedelta(days=5)
    with on(refused_on):
        before = _page(client, api)
        refuse(api.application, agent)
        attestations_sweep(today=refused_on)
        after = _page(client, api)
    assert 'id="rights-title"' in before.text
    assert f"No longer valid since {english_day(refused_on)}." in after.text
    assert 'id="rights-title"' not in after.text  # no rights stated any more


@pytest.mark.django_db
def test_verify_cache_each_language_gets_its_own_page(client, api):
    with on(expiry(api) + ONE_DAY):
        english = _page(client, api, ENGLISH)
        french = _page(client, api, FRENCH)
        english_again = _page(client, api, ENGLISH)
    assert '<html lang="en"' in english.text
    assert '<html lang="fr"' in french.text
    assert "May work" in english_again.text
    assert "May work" not in french.text


@pytest.mark.django_db
def test_verify_cache_signed_code_and_number_alone_are_different_pages(client, api):
    url = signing.verification_url(api)
    birth_date = datetime.date.fromisoformat(api.holder_snapshot["birth_date"])
    with on(expiry(api) + ONE_DAY):
        with_code = client.get(path_of(url), headers=ENGLISH)
        number_alone = _page(client, api)
    assert "The QR code is authentic" in with_code.text
    assert english_day(birth_date) in with_code.text
    assert "The QR code is authentic" not in number_alone.text
    assert english_day(birth_date) not in number_alone.text


@pytest.mark.django_db
def test_verify_cache_still_answers_429_past_the_rate(client, api, settings):
    _rates(settings, verify_page="2/min")
    with on(expiry(api) + ONE_DAY):
        answers = [_page(client, api).status_code for _ in range(3)]
    assert answers == [200, 200, 429]


@pytest.mark.django_db
def test_verify_cache_serves_each_visitor_a_csrf_token_of_their_own(api):
    """The language switch posts with the visitor's own token, from a page served cached."""
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    with on(expiry(api) + ONE_DAY):
        _page(first, api)
        page = _page(second, api)
        token = CSRF_INPUT.search(page.text).group(1)
        switch = second.post(
            reverse("set_language"), {"language": "fr", "csrfmiddlewaretoken": token}
        )
        forged = first.post(
            reverse("set_language"), {"language": "fr", "csrfmiddlewaretoken": token}
        )
    assert switch.status_code == 302
    assert forged.status_code == 403


@pytest.mark.django_db
def test_verify_cache_signed_in_visitor_gets_their_own_header(client, api):
    with on(expiry(api) + ONE_DAY):
        _page(Client(), api)
        client.force_login(api.holder)
        page = _page(client, api)
    assert "Sign out" in page.text


@pytest.mark.django_db
def test_verify_cache_lost_generation_never_brings_back_an_old_page(client, api):
    """The counter evicted (or Redis restarted) while the page stays: the page is not read."""
    with on(expiry(api) + ONE_DAY):
        _page(client, api)
        Attestation.objects.filter(pk=api.pk).update(ended_on=api.valid_from, end_reason="refused")
        cache.delete(verification_cache._generation_key(api.number))
        page = _page(client, api)
    assert "It never came into force." in page.text


@pytest.mark.django_db
def test_verify_cache_share_code_consultations_are_each_logged(client, api):
    share_code = new_code(api)
    for _ in range(2):
        response = client.post(
            reverse("verify_share_enter"), {"code": share_code.code}, headers=ENGLISH
        )
        assert response.status_code == 200
    assert ShareCodeConsultation.objects.filter(share_code=share_code).count() == 2


@pytest.mark.django_db
def test_verify_cache_unknown_number_is_not_kept(client, api):
    """A 404 is rendered each time: the number may be issued later."""
    number = unknown_number()
    with on(expiry(api) + ONE_DAY):
        missing = client.get(reverse("verify", args=[number]), headers=ENGLISH)
        Attestation.objects.create(
            number=number,
            kind="technical_impossibility",
            valid_from=api.valid_from,
            issue_on=api.issue_on,
            holder_snapshot=api.holder_snapshot,
            rights=api.rights,
        )
        found = client.get(reverse("verify", args=[number]), headers=ENGLISH)
    assert missing.status_code == 404
    assert found.status_code == 200


@pytest.mark.django_db
def test_verify_cache_redis_down_page_still_renders_and_follows_changes(
    client,
    api,
    redis_down,  # noqa: F811
):
    ended = api.valid_until + ONE_DAY
    with on(ended):
        before = _page(client, api)
        attestations_sweep(today=ended)  # its generation bump meets no Redis: no error
        after = _page(client, api)
    assert before.status_code == after.status_code == 200
    assert "Replaced by a newer attestation" in after.text


@pytest.mark.django_db
def test_verify_cache_generation_bump_moves_every_number_on_in_one_cache_call():
    """A sweep batch moves on about a thousand numbers: one round trip, not one (or two) each."""
    numbers = [unknown_number() for _ in range(3)]
    keys = [verification_cache._generation_key(number) for number in numbers]
    cache.set_many(dict.fromkeys(keys, 7))
    with mock.patch.object(cache, "set_many", wraps=cache.set_many) as set_many:
        verification_cache.generation_bump(numbers)
    assert set_many.call_count == 1
    after = cache.get_many(keys)
    assert set(after) == set(keys)
    assert 7 not in after.values()
