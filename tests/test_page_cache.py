"""Signed-in pages kept in the cache (anef/page_cache.py, issues 8 and 19): served again without
rendering while the generations they depend on are current (anef/generations.py), never to
another person, never from uncommitted rows, never past the access checks, with the visitor's
own CSRF token; and no longer thrown away by someone else's sign-in or the sweep of someone
else's attestations.

What each kind of change refreshes is in tests/test_page_cache_invalidation.py.

These tests commit (`transaction=True`): a page rendered inside a transaction is never kept, so
the ordinary tests, which each run in one, never see a kept page.
"""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpResponse
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
