"""Signed-in pages kept in the cache (anef/page_cache.py, issues 8 and 19): served again without
rendering while the generations they depend on are current (anef/generations.py), never to
another person, never from uncommitted rows, never past the access checks, with the visitor's
own CSRF token; and no longer thrown away by someone else's sign-in or the sweep of someone
else's attestations.

What each kind of change refreshes is in tests/test_page_cache_invalidation.py.

These tests commit (`transaction=True`): a page rendered inside a transaction is never kept, so
the ordinary tests, which each run in one, never see a kept page.
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpResponse
from django.middleware.csrf import _unmask_cipher_token
from django.template import RequestContext, Template
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from accounts.enums import Role
from accounts.mandates import mandate_revoke
from anef import generations, page_cache
from applications import services as dossier
from applications.enums import ApplicationStatus
from applications.models import Application
from attestations.services import attestations_sweep
from reference.models import Prefecture
from tests.accounts.factories import (
    PASSWORD,
    ApplicantProfileFactory,
    ContactCentreAgentFactory,
    HelperFactory,
    MandateFactory,
    PrefectureAgentFactory,
)
from tests.applications.factories import ApplicationFactory
from tests.page_cache_helpers import (
    CSRF_INPUT,
    DASHBOARD,
    client_of,
    get,
    hit,
    paris,  # noqa: F401 (a fixture)
    without_csrf,
)
from tests.test_faults_redis import redis_down  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db(transaction=True)

# The same statement in each driver's own placeholder style.
RAW_DEMOTE = {
    "postgresql": 'UPDATE "accounts_user" SET "role" = %s, "prefecture_id" = NULL WHERE "id" = %s',
    "sqlite": 'UPDATE "accounts_user" SET "role" = ?, "prefecture_id" = NULL WHERE "id" = ?',
}
RAW_RENAME = {
    "postgresql": 'UPDATE "applications_application" SET "reference" = %s WHERE "id" = %s',
    "sqlite": 'UPDATE "applications_application" SET "reference" = ? WHERE "id" = ?',
}


@pytest.fixture
def profile(paris):  # noqa: F811
    return ApplicantProfileFactory(postal_code="75011")


@pytest.fixture
def application(profile) -> Application:
    return ApplicationFactory(
        applicant=profile.user, status=ApplicationStatus.SUBMITTED, filed_at=timezone.now()
    )


def _raw_rename(application: Application, reference: str) -> None:
    """A write no service makes (no bump): only a re-render shows it."""
    with connection.cursor() as cursor:
        cursor.execute(RAW_RENAME[connection.vendor], [reference, application.pk])


# --- Kept and served --------------------------------------------------------------------------


def test_page_cache_dashboard_second_visit_served_without_reading_dossiers(profile, application):
    client = client_of(profile.user)
    first, first_hit = hit(client)
    assert not first_hit
    served, served_hit = hit(client)
    assert served_hit
    assert without_csrf(served) == without_csrf(first)
    assert application.reference in served.text


def test_page_cache_write_no_service_makes_is_not_seen_until_a_bump(profile, application):
    client = client_of(profile.user)
    get(client)
    _raw_rename(application, "X-RAW")
    assert "X-RAW" not in get(client).text  # no SQL is read: bounded by PAGE_TIMEOUT
    generations.bump_person(profile.user_id)
    assert "X-RAW" in get(client).text


def test_page_cache_never_serves_one_person_the_page_of_another(profile, application):
    other = ApplicantProfileFactory(postal_code="75012")
    get(client_of(profile.user))
    served, served_hit = hit(client_of(other.user))
    assert not served_hit
    assert application.reference not in served.text


def test_page_cache_page_rendered_inside_a_transaction_is_not_kept(profile, application):
    client = client_of(profile.user)
    with transaction.atomic():
        Application.objects.filter(pk=application.pk).update(reference="X-NOT-COMMITTED")
        assert "X-NOT-COMMITTED" in get(client).text
        transaction.set_rollback(True)
    assert "X-NOT-COMMITTED" not in get(client).text


def test_page_cache_rolled_back_service_change_keeps_the_page(profile, application, paris):  # noqa: F811
    agent = PrefectureAgentFactory(prefecture=paris)
    client = client_of(profile.user)
    get(client)
    with pytest.raises(RuntimeError), transaction.atomic():
        dossier.application_mark_complete(application=application, actor=agent)
        raise RuntimeError
    assert hit(client)[1]


def test_page_cache_served_page_carries_the_visitors_own_csrf_token(profile, application):
    client = client_of(profile.user)
    get(client)
    served, served_hit = hit(client)
    assert served_hit
    assert page_cache.CSRF_PLACEHOLDER not in served.text
    token = CSRF_INPUT.search(served.text).group(1)
    client.handler.enforce_csrf_checks = True
    signed_out = client.post(reverse("account_logout"), {"csrfmiddlewaretoken": token})
    assert signed_out.status_code == 302
    assert "_auth_user_id" not in client.session


def test_page_cache_waiting_message_is_shown_not_lost(profile, application):
    client = client_of(profile.user)
    get(client)
    withdrawn = client.post(reverse("portal:application_withdraw", args=[application.reference]))
    assert withdrawn.status_code == 302
    assert "Your application was withdrawn." in get(client).text
    # Shown once: the next pages no longer carry it, rendered or kept.
    assert "Your application was withdrawn." not in get(client).text
    assert "Your application was withdrawn." not in get(client).text


def test_page_cache_emptied_message_cookie_holds_no_message(profile, application):
    client = client_of(profile.user)
    client.cookies["messages"] = ""  # deleted by the server, still sent by some clients
    get(client)
    assert hit(client)[1]


def test_page_cache_lost_generation_is_a_new_one_not_an_old_one(profile, application):
    client = client_of(profile.user)
    get(client)
    _raw_rename(application, "X-EVICTED")
    cache.delete(generations.person_key(profile.user_id))  # evicted, or Redis restarted
    served, served_hit = hit(client)
    assert not served_hit
    assert "X-EVICTED" in served.text


def test_page_cache_agent_queue_filters_are_pages_of_their_own(paris, application):  # noqa: F811
    client = client_of(PrefectureAgentFactory(prefecture=paris))
    url = reverse("backoffice:home")
    assert application.reference in get(client, url).text
    filtered = get(client, url + "?status=complete")
    assert application.reference not in filtered.text


def test_page_cache_agent_queue_search_is_rendered_every_time(paris, application):  # noqa: F811
    client = client_of(PrefectureAgentFactory(prefecture=paris))
    url = reverse("backoffice:home") + f"?search={application.reference}&status="
    get(client, url)
    assert not hit(client, url)[1]


# --- What no longer throws pages away (issue 19) ----------------------------------------------


def test_page_cache_sign_in_of_another_person_keeps_the_page(profile, application):
    client = client_of(profile.user)
    get(client)
    other = ApplicantProfileFactory(postal_code="75011").user
    before = other.last_login
    assert Client().login(email=other.email, password=PASSWORD)
    other.refresh_from_db()
    assert other.last_login != before  # the sign-in wrote to the users' table
    assert hit(client)[1]


def test_page_cache_sign_in_of_another_person_keeps_the_agent_queue(paris, application):  # noqa: F811
    client = client_of(PrefectureAgentFactory(prefecture=paris))
    url = reverse("backoffice:home")
    get(client, url)
    assert Client().login(email=application.applicant.email, password=PASSWORD)
    assert hit(client, url)[1]


def test_page_cache_sweep_of_another_persons_attestations_keeps_the_page(profile, paris):  # noqa: F811
    mine = ApplicationFactory(
        applicant=profile.user, status=ApplicationStatus.SUBMITTED, filed_at=timezone.now()
    )
    attestations_sweep()  # mine has its receipt: the next sweep has nothing to do for me
    other = ApplicantProfileFactory(postal_code="75011")
    ApplicationFactory(
        applicant=other.user, status=ApplicationStatus.SUBMITTED, filed_at=timezone.now()
    )
    client = client_of(profile.user)
    get(client)
    report = attestations_sweep()
    assert report.issued == 1  # the other person's receipt
    served, served_hit = hit(client)
    assert served_hit
    assert mine.reference in served.text


# --- Access checks first, helpers ---------------------------------------------------------------


def test_page_cache_signed_out_visitor_is_sent_to_sign_in(profile, application):
    get(client_of(profile.user))
    response = Client().get(DASHBOARD)
    assert response.status_code == 302
    assert application.reference not in response.content.decode()


@pytest.mark.parametrize(
    ("factory", "url_name"),
    [
        (PrefectureAgentFactory, "backoffice:home"),
        (ContactCentreAgentFactory, "support_console:home"),
    ],
)
def test_page_cache_access_check_runs_before_the_kept_page(paris, factory, url_name):  # noqa: F811
    staff = factory(prefecture=paris) if factory is PrefectureAgentFactory else factory()
    client = client_of(staff)
    url = reverse(url_name)
    get(client, url)
    # No longer staff, written behind Django's back (no generation moves): only the access
    # check, which runs before the kept page is looked up, can refuse it.
    connection.ensure_connection()
    raw = connection.connection.cursor()  # the driver's own cursor: no Django wrapper
    raw.execute(RAW_DEMOTE[connection.vendor], [Role.APPLICANT.value, staff.pk])
    raw.close()
    assert client.get(url).status_code == 403


def test_page_cache_helper_sees_the_page_of_the_person_acted_for_and_no_other(profile, application):
    other = ApplicantProfileFactory(postal_code="75012")
    theirs = ApplicationFactory(
        applicant=other.user, status=ApplicationStatus.SUBMITTED, filed_at=timezone.now()
    )
    helper = HelperFactory()
    MandateFactory(person=profile.user, helper=helper)
    second = MandateFactory(person=other.user, helper=helper)
    client = client_of(helper)
    client.post(reverse("mandates:act_for", kwargs={"person_id": profile.user.pk}))
    assert application.reference in get(client).text
    client.post(reverse("mandates:act_for", kwargs={"person_id": other.user.pk}))
    served, served_hit = hit(client)
    assert not served_hit
    assert theirs.reference in served.text
    assert application.reference not in served.text
    # The access check runs before the kept page: a revoked mandate ends the acting at once.
    assert hit(client)[1]
    mandate_revoke(mandate=second, person=other.user)
    revoked = client.get(DASHBOARD)
    assert revoked.status_code == 302
    assert revoked["Location"] == reverse("mandates:helping")


# --- What is never kept ---------------------------------------------------------------------------


def _request(user):
    request = RequestFactory().get("/anywhere/")
    request.user = user
    request.session = SessionStore()
    return request


@pytest.mark.parametrize(("marked", "renders"), [(False, 1), (True, 2)])
def test_page_cache_never_cache_answer_is_not_kept(profile, marked, renders):
    calls = []

    def view(request):
        calls.append(1)
        return HttpResponse(b"page")

    cached = page_cache.page_cached(depends_on=page_cache.person_pages)(
        never_cache(view) if marked else view
    )
    for _ in range(2):
        assert cached(_request(profile.user)).content == b"page"
    assert len(calls) == renders


# --- Faults ---------------------------------------------------------------------------------------


def test_page_cache_failed_bump_never_fails_the_write(application, paris, monkeypatch, caplog):  # noqa: F811
    class BrokenCache:
        def set_many(self, *args, **kwargs):
            raise OSError("disk full")

    monkeypatch.setattr(generations, "cache", BrokenCache())
    agent = PrefectureAgentFactory(prefecture=paris)
    dossier.application_mark_complete(application=application, actor=agent)
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.COMPLETE
    assert "could not be moved on" in caplog.text


@pytest.mark.usefixtures("redis_down")
def test_page_cache_pages_render_while_the_cache_is_down(profile, application):
    client = client_of(profile.user)
    for _ in range(3):
        served, served_hit = hit(client)
        assert not served_hit
        assert application.reference in served.text


# --- One render per stale page (single flight) ----------------------------------------------------

WAIT = 2.0  # seconds any thread of these tests waits for another before it fails


def _in_thread(function, *args):
    """Run `function` in a thread of its own (its own database connection, closed after)."""

    def run():
        try:
            return function(*args)
        finally:
            connection.close()

    pool = ThreadPoolExecutor(max_workers=1)
    future = pool.submit(run)
    pool.shutdown(wait=False)
    return future


def _blocking_view(
    renders: list, rendering: threading.Event, release: threading.Event, hold: int = 1
):
    """A view that counts its renders, and holds render number `hold` until `release` is set."""

    def view(request):
        renders.append(request)
        number = len(renders)
        if number == hold:
            rendering.set()
            assert release.wait(WAIT)
        return HttpResponse(
            Template(f"page {number} {{% csrf_token %}}").render(RequestContext(request))
        )

    return view


def _cached(view, depends_on=page_cache.person_pages):
    return page_cache.page_cached(depends_on=depends_on)(view)


def _page_key_of(view, request) -> str:
    return page_cache._page_key(request, f"{view.__module__}.{view.__qualname__}")


@pytest.fixture
def pauses(monkeypatch) -> list:
    """The pauses of requests waiting for another's copy (each one still pauses)."""
    calls = []
    real = page_cache._pause

    def pause(seconds):
        calls.append(seconds)
        real(seconds)

    monkeypatch.setattr(page_cache, "_pause", pause)
    return calls


def test_page_cache_concurrent_requests_for_a_stale_page_render_it_once(profile, pauses):
    renders, rendering, release = [], threading.Event(), threading.Event()
    cached = _cached(_blocking_view(renders, rendering, release, hold=2))
    assert cached(_request(profile.user)).status_code == 200  # kept
    generations.bump_person(profile.user_id)  # now stale
    first = _in_thread(cached, _request(profile.user))
    assert rendering.wait(WAIT)
    second = _in_thread(cached, _request(profile.user))
    deadline = time.monotonic() + WAIT
    while not pauses and time.monotonic() < deadline:  # the second request is waiting
        time.sleep(0.005)
    assert pauses
    release.set()
    first_body = first.result(WAIT).content
    second_body = second.result(WAIT).content
    assert len(renders) == 2  # the first visit, then one render for both
    assert first_body.startswith(b"page 2")
    assert without_csrf_bytes(second_body) == without_csrf_bytes(first_body)


def test_page_cache_waiting_request_gets_its_own_csrf_token(profile, pauses):
    renders, rendering, release = [], threading.Event(), threading.Event()
    cached = _cached(_blocking_view(renders, rendering, release))
    holder, waiter = _request(profile.user), _request(profile.user)
    first = _in_thread(cached, holder)
    assert rendering.wait(WAIT)
    second = _in_thread(cached, waiter)
    deadline = time.monotonic() + WAIT
    while not pauses and time.monotonic() < deadline:
        time.sleep(0.005)
    release.set()
    first_body, second_body = first.result(WAIT).content, second.result(WAIT).content
    assert len(renders) == 1
    holder_token, waiter_token = _token(first_body), _token(second_body)
    assert page_cache.CSRF_PLACEHOLDER.encode() not in second_body
    assert holder_token != waiter_token
    assert _csrf_valid(waiter, waiter_token)
    assert not _csrf_valid(waiter, holder_token)


def test_page_cache_dead_lock_holder_blocks_nobody_beyond_the_wait(profile, monkeypatch):
    monkeypatch.setattr(page_cache, "WAIT_SECONDS", 0.3)
    renders = []

    def view(request):
        renders.append(request)
        return HttpResponse(f"page {len(renders)}".encode())

    cached = _cached(view)
    request = _request(profile.user)
    cached(request)
    generations.bump_person(profile.user_id)
    # A holder that died mid-render: its lock stays until it expires (longer than the wait).
    cache.add(page_cache._lock_key(_page_key_of(view, request)), 1, timeout=30)
    started = time.monotonic()
    served = cached(_request(profile.user))
    assert time.monotonic() - started < 1.0
    assert served.content == b"page 2"  # rendered, not the outdated copy
    assert len(renders) == 2


def test_page_cache_expired_lock_lets_a_waiting_request_render(profile, monkeypatch, pauses):
    monkeypatch.setattr(page_cache, "WAIT_SECONDS", 5)
    renders = []

    def view(request):
        renders.append(request)
        return HttpResponse(f"page {len(renders)}".encode())

    cached = _cached(view)
    request = _request(profile.user)
    cached(request)
    generations.bump_person(profile.user_id)
    cache.add(page_cache._lock_key(_page_key_of(view, request)), 1, timeout=1)
    started = time.monotonic()
    assert cached(_request(profile.user)).content == b"page 2"
    assert 0.9 < time.monotonic() - started < 3  # took the lock once it expired
    assert cached(_request(profile.user)).content == b"page 2"  # and kept its copy
    assert len(renders) == 2


def test_page_cache_waiting_request_serves_a_copy_newer_than_its_read(profile, pauses, monkeypatch):
    renders = []

    def view(request):
        renders.append(request)
        return HttpResponse(b"rendered here")

    cached = _cached(view)
    request = _request(profile.user)
    page_key = _page_key_of(view, request)
    keys = page_cache.person_pages(request)
    lock_key = page_cache._lock_key(page_key)
    cache.add(lock_key, 1, timeout=30)  # another request is rendering
    real = page_cache._pause

    def other_request_keeps_a_newer_copy(seconds):
        if not pauses:  # while this one waits: a change, then the other's copy of it
            generations.bump_person(profile.user_id)
            newer = generations.read(keys)
            cache.set(page_key, (newer, b"newer copy", []), timeout=60)
            cache.delete(lock_key)
        pauses.append(seconds)
        real(seconds)

    monkeypatch.setattr(page_cache, "_pause", other_request_keeps_a_newer_copy)
    assert cached(request).content == b"newer copy"
    assert renders == []


def test_page_cache_waiting_request_never_serves_a_copy_older_than_its_read(profile, monkeypatch):
    monkeypatch.setattr(page_cache, "WAIT_SECONDS", 5)
    renders = []

    def view(request):
        renders.append(request)
        return HttpResponse(b"rendered here")

    cached = _cached(view)
    request = _request(profile.user)
    page_key = _page_key_of(view, request)
    keys = page_cache.person_pages(request)
    lock_key = page_cache._lock_key(page_key)
    older = generations.read(keys)
    generations.bump_person(profile.user_id)  # this request reads the generations after this
    cache.add(lock_key, 1, timeout=30)
    real = page_cache._pause

    def other_request_keeps_an_older_copy(seconds):
        cache.set(page_key, (older, b"older copy", []), timeout=60)
        cache.delete(lock_key)
        real(seconds)

    monkeypatch.setattr(page_cache, "_pause", other_request_keeps_an_older_copy)
    assert cached(request).content == b"rendered here"
    assert len(renders) == 1


def test_page_cache_waiting_request_serves_a_render_that_locked_after_its_read(
    profile, pauses, monkeypatch
):
    """Under a steady flow of changes (issue 19's queue of Paris, bumped 8 times a second), a
    change is committed during nearly every render: the copy of a render that took the lock
    after this request read is served, not waited past until this request renders itself."""
    renders = []

    def view(request):
        renders.append(request)
        return HttpResponse(b"rendered here")

    cached = _cached(view)
    request = _request(profile.user)
    page_key = _page_key_of(view, request)
    keys = page_cache.person_pages(request)
    lock_key = page_cache._lock_key(page_key)
    cache.add(lock_key, 1, timeout=30)  # another request is rendering
    real = page_cache._pause

    def next_render_locks_reads_then_a_change_commits(seconds):
        if not pauses:
            cache.delete(lock_key)  # the first holder gave up without a copy
            generations.bump_person(profile.user_id)  # a change after this request read
            assert cache.add(lock_key, 77, timeout=30)  # the next render takes the lock...
            read = generations.read(keys)  # ...reads after this request did...
            generations.bump_person(profile.user_id)  # ...a change commits while it renders
            cache.set(page_key, (read, b"copy of the next render", [], 77), timeout=60)
            cache.delete(lock_key)
        pauses.append(seconds)
        real(seconds)

    monkeypatch.setattr(page_cache, "_pause", next_render_locks_reads_then_a_change_commits)
    assert cached(request).content == b"copy of the next render"
    assert renders == []


def test_page_cache_waiting_request_never_trusts_the_holder_it_found(profile, monkeypatch):
    """The render holding the lock when this request first looked may have read the
    generations before a change this request saw: its copy is served only under this request's
    generations."""
    monkeypatch.setattr(page_cache, "WAIT_SECONDS", 5)
    renders = []

    def view(request):
        renders.append(request)
        return HttpResponse(b"rendered here")

    cached = _cached(view)
    request = _request(profile.user)
    page_key = _page_key_of(view, request)
    keys = page_cache.person_pages(request)
    lock_key = page_cache._lock_key(page_key)
    cache.add(lock_key, 5, timeout=30)  # a render holds the lock...
    older = generations.read(keys)  # ...and has read
    generations.bump_person(profile.user_id)  # this request reads the generations after this
    real = page_cache._pause

    def holder_keeps_its_older_copy(seconds):
        cache.set(page_key, (older, b"older copy", [], 5), timeout=60)
        cache.delete(lock_key)
        real(seconds)

    monkeypatch.setattr(page_cache, "_pause", holder_keeps_its_older_copy)
    assert cached(request).content == b"rendered here"
    assert len(renders) == 1


def test_page_cache_lock_is_per_page_another_prefectures_queue_is_not_blocked(paris, pauses):  # noqa: F811
    lyon = Prefecture.objects.exclude(pk=paris.pk).first()
    renders, rendering, release = [], threading.Event(), threading.Event()
    cached = _cached(_blocking_view(renders, rendering, release), page_cache.prefecture_queue)
    first = _in_thread(cached, _request(PrefectureAgentFactory(prefecture=paris)))
    assert rendering.wait(WAIT)
    try:
        other = cached(_request(PrefectureAgentFactory(prefecture=lyon)))
        assert other.content.startswith(b"page 2")  # rendered while Paris's is in progress
        assert pauses == []
    finally:
        release.set()
    assert first.result(WAIT).content.startswith(b"page 1")


def test_page_cache_render_of_a_stale_page_releases_its_lock(paris, application, pauses):  # noqa: F811
    client = client_of(PrefectureAgentFactory(prefecture=paris))
    url = reverse("backoffice:home")
    first = get(client, url)
    for _ in range(2):
        generations.bump_prefecture(paris.pk)
        served, served_hit = hit(client, url)
        assert not served_hit
        assert without_csrf(served) == without_csrf(first)
        assert hit(client, url)[1]
    assert pauses == []  # the second render found no lock left by the first


def _token(body: bytes) -> str:
    return CSRF_INPUT.search(body.decode()).group(1)


def _csrf_valid(request, token: str) -> bool:
    """`token` is a masked copy of this request's own CSRF secret."""
    return _unmask_cipher_token(token) == request.META["CSRF_COOKIE"]


def without_csrf_bytes(body: bytes) -> bytes:
    return CSRF_INPUT.sub("", body.decode()).encode()
