"""Authorization matrix: every route of ours × every role, with the expected outcome.

A route without a row in ROUTES fails `test_matrix_covers_every_route`, so a new page or
endpoint cannot ship without saying who may reach it. Third-party routes (allauth, the admin's
own pages, i18n) are covered by their libraries; the admin's entry is checked here once.

Each role acts on the same dossier: it belongs to `applicant` and is instructed in Paris (75),
where `agent` works; `other_agent` works in Seine-Saint-Denis (93). `mandated_helper` holds a
mandate in force from `applicant`, for every ground; `helper` holds none.
"""

import copy
import datetime
import importlib
import importlib.util

import pytest
from django.core.files.base import ContentFile
from django.core.signals import request_finished
from django.db import close_old_connections, transaction
from django.urls import get_resolver, reverse
from django.utils import timezone

from anef.services import heartbeat_record
from applications.enums import ApplicationStatus
from applications.models import Document, ErrorReport
from attestations.models import Attestation, ShareCode
from attestations.numbers import new_number
from reference.catalogue.loader import reference_data_load
from reference.models import DocumentType, Prefecture
from tests.accounts.factories import (
    AdministratorFactory,
    ApplicantProfileFactory,
    ContactCentreAgentFactory,
    ContactCentreSupervisorFactory,
    HelperFactory,
    MandateFactory,
    PrefectureAgentFactory,
    PrefectureSupervisorFactory,
)
from tests.applications.factories import PDF_BYTES, ApplicationFactory
from tests.authz_common import (
    ADMIN,
    ALL_ROLES,
    API_AGENT,
    API_AGENT_DOSSIER,
    API_APPLICANT,
    API_APPLICANT_DOSSIER,
    API_DOCUMENT_FILE,
    API_SIGNED_IN,
    BACK_OFFICE_DOSSIER,
    BACK_OFFICE_PAGE,
    DOCUMENT,
    EVERYONE,
    HIDDEN,
    LOGIN,
    OK,
    PORTAL_DOSSIER,
    PORTAL_PAGE,
    ROLES,
    SIGNED_IN,
    SUPERVISOR_PAGE,
)
from tests.conftest import shared_data_environment

PERSON_ONLY_DOSSIER = {**PORTAL_DOSSIER, "mandated_helper": HIDDEN}

# route name → (HTTP method, arguments, expected outcome per role)
ROUTES = {
    "home": ("get", {}, EVERYONE),
    "healthz": ("get", {}, EVERYONE),
    "healthz_live": ("get", {}, EVERYONE),
    "healthz_ready": ("get", {}, EVERYONE),
    "healthz_scheduler": ("get", {}, EVERYONE),  # the world has a fresh heartbeat
    # Staff only (admin site); a scraper uses its bearer token (tests/test_metrics.py).
    "metrics": ("get", {}, {**dict.fromkeys(ROLES, HIDDEN), "admin": OK}),
    "accessibility_statement": ("get", {}, EVERYONE),
    # Issue 18: processing times, public (counts and days only).
    "processing_times:index": ("get", {}, EVERYONE),
    "processing_times:prefecture": ("get", {"code": "paris-police"}, EVERYONE),
    "accounts:home": ("get", {}, SIGNED_IN),
    "document_download": ("get", {"pk": "document"}, DOCUMENT),
    "admin:index": ("get", {}, ADMIN),
    # Portal
    "portal:home": ("get", {}, PORTAL_PAGE),
    "portal:profile": ("get", {}, PORTAL_PAGE),
    "portal:address_change": ("post", {}, PORTAL_PAGE),
    "portal:permits": ("get", {}, PORTAL_PAGE),
    "portal:permit_new": ("get", {}, PORTAL_PAGE),
    "portal:application_new": ("get", {}, PORTAL_PAGE),
    "portal:application_new_procedure": ("get", {"ground_code": "student"}, PORTAL_PAGE),
    "portal:application_new_renewal": ("get", {"ground_code": "student"}, PORTAL_PAGE),
    "portal:application_new_change_of_status": (
        "get",
        {"ground_code": "salaried_worker"},
        PORTAL_PAGE,
    ),
    "portal:application_detail": ("get", {"reference": "reference"}, PORTAL_DOSSIER),
    "portal:document_upload": (
        "post",
        {"reference": "reference", "code": "passport"},
        PORTAL_DOSSIER,
    ),
    "portal:document_remove": (
        "post",
        {"reference": "reference", "pk": "document"},
        PORTAL_DOSSIER,
    ),
    "portal:application_submit": ("post", {"reference": "reference"}, PORTAL_DOSSIER),
    "portal:application_withdraw": ("get", {"reference": "reference"}, PORTAL_DOSSIER),
    "portal:correction_answer": ("post", {"reference": "reference"}, PORTAL_DOSSIER),
    "portal:error_report_create": ("post", {"reference": "reference"}, PORTAL_DOSSIER),
    # Back office
    "backoffice:home": ("get", {}, BACK_OFFICE_PAGE),
    "backoffice:application_detail": ("get", {"reference": "reference"}, BACK_OFFICE_DOSSIER),
    **{
        f"backoffice:{name}": ("post", {"reference": "reference"}, BACK_OFFICE_DOSSIER)
        for name in (
            "application_mark_complete",
            "application_request_correction",
            "application_decide_favourable",
            "application_record_card_available",
            "application_record_card_handed_over",
            "foreigner_number_attach",
        )
    },
    # The instruction workbench (issue 20): agents of the dossier's prefecture only; what the
    # applicant, helper and contact centre never see of it: tests/applications/test_workbench_*.
    **{
        f"backoffice:{name}": ("post", {"reference": "reference"}, BACK_OFFICE_DOSSIER)
        for name in (
            "application_assign",
            "application_unassign",
            "application_follow",
            "application_unfollow",
            "application_annotate",
        )
    },
    "backoffice:application_annotations_export": (
        "get",
        {"reference": "reference"},
        BACK_OFFICE_DOSSIER,
    ),
    # Supervisors only (their own prefecture's figures: tests/applications/test_workbench_views.py).
    "backoffice:team": ("get", {}, SUPERVISOR_PAGE),
    "backoffice:application_refuse": ("get", {"reference": "reference"}, BACK_OFFICE_DOSSIER),
    "backoffice:application_close": ("get", {"reference": "reference"}, BACK_OFFICE_DOSSIER),
    "backoffice:application_record_notification": (
        "post",
        {"reference": "reference"},
        BACK_OFFICE_DOSSIER,
    ),
    "backoffice:application_record_obligation_to_leave": (
        "post",
        {"reference": "reference"},
        BACK_OFFICE_DOSSIER,
    ),
    "backoffice:error_report_accept": (
        "post",
        {"reference": "reference", "report_pk": "report"},
        BACK_OFFICE_DOSSIER,
    ),
    "backoffice:error_report_reject": (
        "post",
        {"reference": "reference", "report_pk": "report"},
        BACK_OFFICE_DOSSIER,
    ),
    # API
    "api:me": ("get", {}, API_SIGNED_IN),
    "api:token-issue": ("post", {}, API_SIGNED_IN),
    "api:ground-list": ("get", {}, EVERYONE),
    "api:application-list": ("get", {}, API_APPLICANT),
    "api:permit-list": ("get", {}, API_APPLICANT),
    "api:profile-address": ("post", {}, API_APPLICANT),
    **{
        f"api:application-{name}": (method, {"reference": "reference"}, API_APPLICANT_DOSSIER)
        for name, method in (
            ("detail", "get"),
            ("submit", "post"),
            ("withdraw", "post"),
            ("correction-answer", "post"),
            ("documents", "get"),
            ("error-reports", "get"),
            ("events", "get"),
        )
    },
    "api:document-detail": ("delete", {"pk": "document"}, API_APPLICANT_DOSSIER),
    "api:document-file": ("get", {"pk": "document"}, API_DOCUMENT_FILE),
    "api:agent-application-list": ("get", {}, API_AGENT),
    "api:agent-application-detail": ("get", {"reference": "reference"}, API_AGENT_DOSSIER),
    **{
        f"api:agent-application-{action}": ("post", {"reference": "reference"}, API_AGENT_DOSSIER)
        for action in (
            "mark-complete",
            "request-correction",
            "decide-favourable",
            "decide-unfavourable",
            "close",
            "card-available",
            "card-handed-over",
        )
    },
    "api:agent-error-report-accept": ("post", {"pk": "report"}, API_AGENT_DOSSIER),
    "api:agent-error-report-reject": ("post", {"pk": "report"}, API_AGENT_DOSSIER),
    "api:agent-profile-foreigner-number": ("post", {"user_id": "owner"}, API_AGENT_DOSSIER),
    # Third-party verification (public) and the holder's share codes
    "verify_form": ("get", {}, EVERYONE),
    "verify": ("get", {"number": "attestation"}, EVERYONE),
    "verify_keys": ("get", {}, EVERYONE),
    "verify_guide": ("get", {}, EVERYONE),
    "verify_guide_print": ("get", {}, EVERYONE),
    "verify_share_enter": ("get", {}, EVERYONE),
    "verify_share_mine": ("get", {}, PORTAL_PAGE),
    # Sharing an attestation with a verifier stays the holder's own act, even under a mandate.
    "verify_share_new": ("get", {"number": "attestation"}, PERSON_ONLY_DOSSIER),
    "verify_share_revoke": ("post", {"pk": "share_code"}, PERSON_ONLY_DOSSIER),
    "api:verify": ("get", {"number": "attestation"}, EVERYONE),
    "api:verify-token": ("post", {}, EVERYONE),
    "attestations_portal:list": ("get", {}, PORTAL_PAGE),
    # A helper under a mandate downloads the attestations of the dossiers it covers.
    "attestations_portal:pdf": ("get", {"number": "attestation"}, PORTAL_DOSSIER),
    "attestations_backoffice:at_risk": ("get", {}, BACK_OFFICE_PAGE),
    "attestations_backoffice:pdf": ("get", {"number": "attestation"}, BACK_OFFICE_DOSSIER),
    "attestations_backoffice:sweep_application": (
        "post",
        {"reference": "reference"},
        BACK_OFFICE_DOSSIER,
    ),
    "api-schema": ("get", {}, EVERYONE),
    "api-docs": ("get", {}, EVERYONE),
    "api-docs-explorer": ("get", {}, EVERYONE),
}

# Each app's routes and the objects they need: `tests/<app>/authz.py` holds `ROUTES` (same shape as
# above) and `world(world) -> dict` (extra keys for the arguments, built in the shared world).
APP_MODULES = [
    importlib.import_module(name)
    for name in (
        "tests.support.authz",
        "tests.substitution.authz",
        "tests.accounts.authz",
        "tests.attestations.authz",
        "tests.applications.authz_exports",
        "tests.applications.review.authz",
        "tests.applications.opinions.authz",
        "tests.applications.messages.authz",
        "tests.applications.authz_workbench_api",
        "tests.applications.authz_queue",
    )
    if importlib.util.find_spec(name) is not None
]
for module in APP_MODULES:
    assert not set(module.ROUTES) & set(ROUTES), f"{module.__name__} repeats a route"
    ROUTES.update(module.ROUTES)

THIRD_PARTY_PREFIXES = ("admin:", "account_", "mfa_", "set_language")


def our_route_names() -> set[str]:
    names = set()

    def walk(patterns, namespace=None):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif pattern.name:
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns)
    return {
        name for name in names if not name.startswith(THIRD_PARTY_PREFIXES) or name == "admin:index"
    }


def test_matrix_covers_every_route():
    assert sorted(our_route_names() - set(ROUTES)) == []
    assert sorted(set(ROUTES) - our_route_names()) == []


def world_build() -> dict:
    """A filed dossier with one document and one open error report, built directly in the
    database (the services that build it are tested elsewhere), then each app's objects."""
    owner = ApplicantProfileFactory(postal_code="75011")
    application = ApplicationFactory(
        applicant=owner.user, status=ApplicationStatus.SUBMITTED, filed_at=timezone.now()
    )
    document = Document(
        application=application,
        document_type=DocumentType.objects.get(code="passport"),
        original_name="passport.pdf",
        content_type="application/pdf",
        size=len(PDF_BYTES),
        sha256="0" * 64,
        uploaded_by=owner.user,
    )
    document.file.save("passport.pdf", ContentFile(PDF_BYTES), save=True)
    report = ErrorReport.objects.create(
        application=application, category="other", description="x", reported_by=owner.user
    )
    today = timezone.localdate()
    attestation = Attestation.objects.create(
        number=new_number("deposit_receipt", today.year),
        kind="deposit_receipt",
        application=application,
        holder=owner.user,
        valid_from=today,
        issue_on=today,
        holder_snapshot={"first_name": owner.user.first_name, "last_name": owner.user.last_name},
        rights={"stay": False, "work": "none"},
        prefecture=application.prefecture,
    )
    share_code = ShareCode.objects.create(
        attestation=attestation,
        created_by=owner.user,
        code="0123456789",
        verifier_name="Employer",
        verifier_kind="employer",
        expires_at=timezone.now() + datetime.timedelta(days=7),
    )
    heartbeat_record(source="beat")  # /healthz/scheduler answers 503 without one
    world = {
        "reference": application.reference,
        "document": document.pk,
        "report": report.pk,
        "owner": owner.user.pk,
        "attestation": attestation.number,
        "share_code": share_code.pk,
        "users": {
            "anonymous": None,
            "applicant": owner.user,
            "other_applicant": ApplicantProfileFactory(postal_code="75011").user,
            "helper": HelperFactory(),
            "mandated_helper": MandateFactory(person=owner.user).helper,
            "agent": PrefectureAgentFactory(prefecture=application.prefecture),
            "other_agent": PrefectureAgentFactory(prefecture__departement_code="93"),
            "contact_centre": ContactCentreAgentFactory(),
            "contact_centre_supervisor": ContactCentreSupervisorFactory(),
            "prefecture_supervisor": PrefectureSupervisorFactory(prefecture=application.prefecture),
            "admin": AdministratorFactory(),
        },
    }
    for module in APP_MODULES:
        world.update(module.world(world))
    return world


@pytest.fixture(scope="module")
def _shared_world(django_db_setup, django_db_blocker, _media_root):
    """The world, built once per module (per xdist worker) in an outer transaction that is
    rolled back at the end, as Django's `TestCase.setUpTestData` does: each case runs in a
    savepoint inside it (pytest-django's `db`), so whatever its request changes in the database
    is undone before the next case, which finds the world exactly as built."""
    with (
        django_db_blocker.unblock(),
        shared_data_environment(_media_root),
        transaction.atomic(),
    ):
        if not Prefecture.objects.exists():  # emptied by an earlier transactional test
            reference_data_load()
        yield world_build()
        transaction.set_rollback(True)


@pytest.fixture
def world(_shared_world, db):
    """The shared world; its users are copies, so that a case changing one in memory (a login
    sets `last_login`) leaves the next case's untouched."""
    return copy.deepcopy(_shared_world)


def outcome(response) -> str:
    # A streamed file is closed even when the test does not read it. As Django's test client
    # does, without `close_old_connections`: it would drop the connection in the middle of the
    # shared world's transaction.
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    status = response.status_code
    if status in (301, 302) and "login" in response.get("Location", ""):
        return LOGIN
    if status in (401, 403, 404):
        return str(status)
    assert status < 500, f"server error {status}"
    return OK


def expected_for(expected: dict, role: str) -> str:
    """A prefecture supervisor is an agent of the dossier's prefecture first: where a row does
    not name the role, it expects what the plain agent gets."""
    if role == "prefecture_supervisor" and role not in expected:
        return expected["agent"]
    return expected[role]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("route", sorted(ROUTES))
def test_matrix_role_on_route(client, world, route, role):
    method, arguments, expected = ROUTES[route]
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    url = reverse(route, kwargs={name: world.get(key, key) for name, key in arguments.items()})
    if route.startswith("api:") and method == "post":
        response = client.post(url, data={}, content_type="application/json")
    else:
        response = getattr(client, method)(url)
    assert outcome(response) == expected_for(expected, role), (route, role, response.status_code)
