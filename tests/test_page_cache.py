"""Signed-in pages kept in the cache (anef/page_cache.py, issue 8 "Load"): served again without
rendering, but never stale after a committed write to a table they read, never to another
person, never from uncommitted rows, never past the access checks, and with the visitor's own
CSRF token.

These tests commit (`transaction=True`): a page rendered inside a transaction is never kept, so
the ordinary tests, which each run in one, never see a kept page.
"""

import re

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from accounts.mandates import mandate_revoke
from anef import page_cache
from applications import services as dossier
from applications.enums import ApplicationStatus
from applications.models import Application, Prefecture
from support import services as support
from support.models import Ticket
from tests.accounts.factories import (
    ApplicantProfileFactory,
    ContactCentreAgentFactory,
    HelperFactory,
    MandateFactory,
    PrefectureAgentFactory,
)
from tests.applications.factories import ApplicationFactory
from tests.test_faults_redis import redis_down  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db(transaction=True)

# The same statement in each driver's own placeholder style.
RAW_DEMOTE = {
    "postgresql": 'UPDATE "accounts_user" SET "role" = %s, "prefecture_id" = NULL WHERE "id" = %s',
    "sqlite": 'UPDATE "accounts_user" SET "role" = ?, "prefecture_id" = NULL WHERE "id" = ?',
}
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
DASHBOARD = "/portal/"


@pytest.fixture
def paris(reference_data) -> Prefecture:
    return Prefecture.objects.get(departement_code="75")


@pytest.fixture
def profile(paris):
    return ApplicantProfileFactory(postal_code="75011")


@pytest.fixture
def application(profile) -> Application:
    return ApplicationFactory(
        applicant=profile.user, status=ApplicationStatus.SUBMITTED, filed_at=timezone.now()
    )


def _client(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def _get(client: Client, url: str = DASHBOARD):
    """The page, and the tables its request read."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    tables = set()
    for query in captured.captured_queries:
        tables |= set(re.findall(r'(?:FROM|JOIN) "(\w+)"', query["sql"]))
    return response, tables


def _kept(client: Client, url: str = DASHBOARD):
    """Loads the page twice (the first render of a view in a process learns which tables it
    reads; the second is kept) and returns the kept page."""
    _get(client, url)
    return _get(client, url)[0]


def _without_csrf(response) -> bytes:
    return CSRF_INPUT.sub("", response.content.decode()).encode()


def test_page_cache_dashboard_served_again_without_reading_dossiers(profile, application):
    client = _client(profile.user)
    kept = _kept(client)
    served, tables = _get(client)
    assert "applications_application" not in tables
    assert _without_csrf(served) == _without_csrf(kept)
    assert application.reference in served.text


def test_page_cache_dashboard_shows_a_status_change_at_once(profile, application, paris):
    agent = PrefectureAgentFactory(prefecture=paris)
    client = _client(profile.user)
    before = _kept(client)
    assert "Complete" not in before.text
    dossier.application_mark_complete(application=application, actor=agent)
    after, tables = _get(client)
    assert "applications_application" in tables
    assert "Complete" in after.text


def test_page_cache_queryset_update_moves_the_page_on(profile, application):
    client = _client(profile.user)
    _kept(client)
    Application.objects.filter(pk=application.pk).update(reference="X-QS-UPDATED")
    assert "X-QS-UPDATED" in _get(client)[0].text


def test_page_cache_raw_sql_write_moves_the_page_on(profile, application):
    client = _client(profile.user)
    _kept(client)
    with connection.cursor() as cursor:
        cursor.execute(
            'UPDATE "applications_application" SET "reference" = %s WHERE "id" = %s',
            ["X-SQL-UPDATED", application.pk],
        )
    assert "X-SQL-UPDATED" in _get(client)[0].text


def test_page_cache_schema_change_moves_every_page_on(profile, application):
    client = _client(profile.user)
    _kept(client)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE page_cache_probe (id integer)")
        cursor.execute("DROP TABLE page_cache_probe")
    assert "applications_application" in _get(client)[1]


def test_page_cache_rolled_back_write_keeps_the_page(profile, application):
    client = _client(profile.user)
    _kept(client)
    with pytest.raises(RuntimeError), transaction.atomic():
        Application.objects.filter(pk=application.pk).update(reference="X-ROLLED-BACK")
        raise RuntimeError
    served, tables = _get(client)
    assert "applications_application" not in tables
    assert "X-ROLLED-BACK" not in served.text


def test_page_cache_write_after_a_rolled_back_savepoint_still_moves_the_page_on(
    profile, application
):
    client = _client(profile.user)
    _kept(client)
    with transaction.atomic():
        # A table the page does not read first: a callback is pending when the savepoint goes.
        Ticket.objects.filter(pk=-1).update(name="")
        with pytest.raises(RuntimeError), transaction.atomic():
            Application.objects.filter(pk=application.pk).update(reference="X-INNER")
            raise RuntimeError
        Application.objects.filter(pk=application.pk).update(reference="X-OUTER")
    assert "X-OUTER" in _get(client)[0].text


def test_page_cache_never_serves_one_person_the_page_of_another(profile, application, paris):
    other = ApplicantProfileFactory(postal_code="75012")
    _kept(_client(profile.user))
    served, tables = _get(_client(other.user))
    assert "applications_application" in tables
    assert application.reference not in served.text


def test_page_cache_page_rendered_inside_a_transaction_is_not_kept(profile, application):
    client = _client(profile.user)
    _get(client)
    with transaction.atomic():
        Application.objects.filter(pk=application.pk).update(reference="X-NOT-COMMITTED")
        assert "X-NOT-COMMITTED" in _get(client)[0].text
        transaction.set_rollback(True)
    assert "X-NOT-COMMITTED" not in _get(client)[0].text


def test_page_cache_served_page_carries_the_visitors_own_csrf_token(profile, application):
    client = _client(profile.user)
    _kept(client)
    served = _get(client)[0]
    assert page_cache.CSRF_PLACEHOLDER not in served.text
    token = CSRF_INPUT.search(served.text).group(1)
    client.handler.enforce_csrf_checks = True
    signed_out = client.post(reverse("account_logout"), {"csrfmiddlewaretoken": token})
    assert signed_out.status_code == 302
    assert "_auth_user_id" not in client.session


def test_page_cache_helper_sees_the_page_of_the_person_acted_for_and_no_other(profile, application):
    other = ApplicantProfileFactory(postal_code="75012")
    theirs = ApplicationFactory(
        applicant=other.user, status=ApplicationStatus.SUBMITTED, filed_at=timezone.now()
    )
    helper = HelperFactory()
    MandateFactory(person=profile.user, helper=helper)
    second = MandateFactory(person=other.user, helper=helper)
    client = _client(helper)
    client.post(reverse("mandates:act_for", kwargs={"person_id": profile.user.pk}))
    assert application.reference in _kept(client).text
    client.post(reverse("mandates:act_for", kwargs={"person_id": other.user.pk}))
    served = _get(client)[0]
    assert theirs.reference in served.text
    assert application.reference not in served.text
    # The access check runs before the kept page: a revoked mandate ends the acting at once.
    _kept(client)
    mandate_revoke(mandate=second, person=other.user)
    revoked = client.get(DASHBOARD)
    assert revoked.status_code == 302
    assert revoked["Location"] == reverse("mandates:helping")


def test_page_cache_waiting_message_is_shown_not_lost(profile, application):
    client = _client(profile.user)
    _kept(client)
    withdrawn = client.post(reverse("portal:application_withdraw", args=[application.reference]))
    assert withdrawn.status_code == 302
    assert "Your application was withdrawn." in _get(client)[0].text
    # Shown once: the next pages no longer carry it, rendered or kept.
    assert "Your application was withdrawn." not in _get(client)[0].text
    assert "Your application was withdrawn." not in _get(client)[0].text


def test_page_cache_emptied_message_cookie_holds_no_message(profile, application):
    client = _client(profile.user)
    client.cookies["messages"] = ""  # deleted by the server, still sent by some clients
    _kept(client)
    assert "applications_application" not in _get(client)[1]


def test_page_cache_signed_out_visitor_is_sent_to_sign_in(profile, application):
    client = _client(profile.user)
    _kept(client)
    response = Client().get(DASHBOARD)
    assert response.status_code == 302
    assert application.reference not in response.content.decode()


def test_page_cache_page_kept_by_another_process_is_served_there_and_moves_on(
    profile, application, monkeypatch
):
    client = _client(profile.user)
    _kept(client)
    monkeypatch.setattr(page_cache, "_known_token_keys", {})  # a process that never rendered it
    assert "applications_application" not in _get(client)[1]
    Application.objects.filter(pk=application.pk).update(reference="X-ELSEWHERE")
    assert "X-ELSEWHERE" in _get(client)[0].text


@pytest.mark.parametrize(
    ("factory", "url_name"),
    [
        (PrefectureAgentFactory, "backoffice:home"),
        (ContactCentreAgentFactory, "support_console:home"),
    ],
)
def test_page_cache_access_check_runs_before_the_kept_page(paris, factory, url_name):
    staff = factory(prefecture=paris) if factory is PrefectureAgentFactory else factory()
    client = _client(staff)
    url = reverse(url_name)
    _kept(client, url)
    # No longer staff, written behind Django's back (no token moves): only the access check,
    # which runs before the kept page is looked up, can refuse it.
    connection.ensure_connection()
    raw = connection.connection.cursor()  # the driver's own cursor: no Django wrapper
    raw.execute(RAW_DEMOTE[connection.vendor], [Role.APPLICANT.value, staff.pk])
    raw.close()
    assert client.get(url).status_code == 403


def test_page_cache_lost_token_is_a_new_one_not_an_old_one(profile, application):
    client = _client(profile.user)
    _kept(client)
    cache.delete(page_cache._TABLE_KEY % "applications_application")
    assert "applications_application" in _get(client)[1]


def test_page_cache_agent_queue_shows_a_new_dossier_at_once(paris):
    client = _client(PrefectureAgentFactory(prefecture=paris))
    url = reverse("backoffice:home")
    _kept(client, url)
    assert "applications_application" not in _get(client, url)[1]
    newcomer = ApplicationFactory(
        applicant=ApplicantProfileFactory(postal_code="75011").user,
        prefecture=paris,
        status=ApplicationStatus.SUBMITTED,
        filed_at=timezone.now(),
    )
    assert newcomer.reference in _get(client, url)[0].text


def test_page_cache_agent_queue_filters_are_pages_of_their_own(paris, application):
    client = _client(PrefectureAgentFactory(prefecture=paris))
    url = reverse("backoffice:home")
    assert application.reference in _kept(client, url).text
    filtered = _get(client, url + "?status=complete")[0]
    assert application.reference not in filtered.text


def test_page_cache_agent_queue_search_is_rendered_every_time(paris, application):
    client = _client(PrefectureAgentFactory(prefecture=paris))
    url = reverse("backoffice:home") + f"?search={application.reference}&status="
    _kept(client, url)
    assert "applications_application" in _get(client, url)[1]


def test_page_cache_console_shows_a_new_ticket_at_once(profile):
    client = _client(ContactCentreAgentFactory())
    url = reverse("support_console:home")
    _kept(client, url)
    ticket, _secret = support.ticket_open_from_portal(
        actor=profile.user, category="other", body="Where is my card?"
    )
    assert ticket.number in _get(client, url)[0].text


def test_page_cache_failed_token_move_never_fails_the_write(application, monkeypatch, caplog):
    class BrokenCache:
        def set_many(self, *args, **kwargs):
            raise OSError("disk full")

    monkeypatch.setattr(page_cache, "cache", BrokenCache())
    Application.objects.filter(pk=application.pk).update(reference="X-SAVED")
    assert Application.objects.get(pk=application.pk).reference == "X-SAVED"
    assert "could not be moved on" in caplog.text


@pytest.mark.usefixtures("redis_down")
def test_page_cache_pages_render_while_the_cache_is_down(profile, application):
    client = _client(profile.user)
    for _ in range(3):
        served, tables = _get(client)
        assert application.reference in served.text
        assert "applications_application" in tables


@pytest.mark.parametrize(
    ("sql", "tables", "unnamed"),
    [
        (
            'SELECT "a"."id" FROM "applications_application" INNER JOIN "accounts_user" '
            'ON (1) WHERE EXISTS(SELECT 1 FROM "applications_errorreport" U0)',
            {"applications_application", "accounts_user", "applications_errorreport"},
            False,
        ),
        (
            'SELECT COUNT(*) FROM (SELECT 1 FROM "support_ticket") subquery',
            {"support_ticket"},
            False,
        ),
        ("SELECT id FROM some_table", set(), True),
    ],
)
def test_page_cache_tables_read_are_named_or_the_page_is_not_kept(sql, tables, unnamed):
    reads = page_cache.Reads()
    page_cache._note_reads(reads, sql)
    assert reads.tables == tables
    assert reads.unnamed_read is unnamed
