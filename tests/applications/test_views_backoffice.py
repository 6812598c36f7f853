"""The prefecture back office (/agents/): queue, dossier page and instruction actions.

Every action goes through the view to the service; the tests check the dossier's state and the
timeline event it leaves, and that a refusal by a service is shown and changes nothing.
"""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import ApplicantProfile
from applications import services
from applications.enums import (
    ApplicationStatus,
    CorrectionStatus,
    ErrorReportCategory,
    ErrorReportStatus,
    EventKind,
)
from applications.models import Application, CorrectionRequest, Event, ResidencePermit
from applications.selectors import application_checklist
from reference.enums import ProcedureKind
from reference.models import DecisionReason, DocumentType, Prefecture
from tests.accounts.factories import (
    ApplicantFactory,
    ApplicantProfileFactory,
    ContactCentreAgentFactory,
)
from tests.applications.factories import (
    ApplicationFactory,
    ResidencePermitFactory,
    ground,
    pdf_upload,
)

# Session, user, the agent's prefecture, the grounds of the filter, the count, the page's ids,
# their columns (read after the rows' page-cache generations: anef/page_cache.py); the
# supervisor's permission (the user's and their groups': the link to the team's load, issue 20);
# the agent's saved views, the rows' new messages (issue 20).
QUEUE_MAX_QUERIES = 11

TODAY = datetime.date.today


# --- Fixtures and builders -----------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _documents_in_tmp(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


@pytest.fixture
def seine_saint_denis(reference_data) -> Prefecture:
    return Prefecture.objects.get(departement_code="93")


@pytest.fixture
def agent_client(agent) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(agent)
    return client


def person(**kwargs) -> ApplicantProfile:
    """An applicant with an identity record living in Paris."""
    kwargs.setdefault("postal_code", "75011")
    return ApplicantProfileFactory(**kwargs)


def filed(
    profile: ApplicantProfile,
    ground_code: str = "parent_of_french_child",
    kind: str = ProcedureKind.FIRST_APPLICATION,
    renews_permit: ResidencePermit | None = None,
) -> Application:
    """A dossier filed by its applicant through the services, every mandatory piece given."""
    applicant = profile.user
    application = services.application_create(
        applicant=applicant,
        ground=ground(ground_code),
        kind=kind,
        actor=applicant,
        renews_permit=renews_permit,
    )
    for item in application_checklist(application):
        if item.requirement.mandatory:
            services.document_add(
                application=application,
                document_type=item.requirement.document_type,
                uploaded_file=pdf_upload(f"{item.requirement.document_type.code}.pdf"),
                actor=applicant,
            )
    return services.application_submit(application=application, actor=applicant)


def complete(application: Application, agent) -> Application:
    return services.application_mark_complete(application=application, actor=agent)


def in_queue(prefecture: Prefecture, **kwargs) -> Application:
    """A filed dossier with an explicit status (faster than the services, for the queue)."""
    kwargs.setdefault("status", ApplicationStatus.SUBMITTED)
    kwargs.setdefault("filed_at", timezone.now())
    return ApplicationFactory(prefecture=prefecture, **kwargs)


def renewal_in_queue(prefecture: Prefecture, *, expires_in_days: int = 100, **kwargs):
    profile = person()
    permit = ResidencePermitFactory(
        holder=profile.user,
        valid_until=TODAY() + datetime.timedelta(days=expires_in_days),
    )
    return in_queue(
        prefecture,
        applicant=profile.user,
        ground=ground("salaried_worker"),
        kind=ProcedureKind.RENEWAL,
        renews_permit=permit,
        **kwargs,
    )


def detail_url(application: Application) -> str:
    return reverse("backoffice:application_detail", args=[application.reference])


def action_url(name: str, application: Application, *args) -> str:
    return reverse(f"backoffice:{name}", args=[application.reference, *args])


def queue_references(client: Client, **params) -> list[str]:
    response = client.get(reverse("backoffice:home"), params)
    assert response.status_code == 200
    # The rows are HTML kept per row (applications/views/queue_rows.py), each with its dossier's id.
    by_pk = Application.objects.in_bulk([row.pk for row in response.context["rows"]])
    return [by_pk[row.pk].reference for row in response.context["rows"]]


def events_of(application: Application, kind: str) -> int:
    return Event.objects.filter(application=application, kind=kind).count()


def reasons_post(**overrides) -> dict[str, str]:
    data = {
        "reason": "conditions_not_met",
        "explanation": "Your salary is below the threshold for this card.",
        "legal_basis": "CESEDA L. 421-1 and L. 432-1",
        "remedies": "Administrative appeal within 2 months; court appeal within 2 months.",
        "obligation_to_leave": "no",  # a refusal says whether it comes with an OQTF (issue 18)
    }
    data.update(overrides)
    return data


# --- Queue ---------------------------------------------------------------------------------------


def test_views_backoffice_queue_shows_only_own_prefecture(agent_client, paris, seine_saint_denis):
    own = in_queue(paris)
    other = in_queue(seine_saint_denis)
    references = queue_references(agent_client)
    assert own.reference in references
    assert other.reference not in references


def test_views_backoffice_queue_hides_drafts(agent_client, paris):
    draft = ApplicationFactory(prefecture=paris)
    assert draft.reference not in queue_references(agent_client)


def test_views_backoffice_queue_filters_by_status(agent_client, paris):
    submitted = in_queue(paris)
    done = in_queue(paris, status=ApplicationStatus.COMPLETE)
    assert queue_references(agent_client, status="complete") == [done.reference]
    assert submitted.reference not in queue_references(agent_client, status="complete")


def test_views_backoffice_queue_filters_by_ground(agent_client, paris):
    in_queue(paris)
    worker = renewal_in_queue(paris)
    assert queue_references(agent_client, ground="salaried_worker") == [worker.reference]


def test_views_backoffice_queue_filters_by_kind(agent_client, paris):
    in_queue(paris)
    renewal = renewal_in_queue(paris)
    assert queue_references(agent_client, kind="renewal") == [renewal.reference]


def test_views_backoffice_queue_filters_by_filed_date(agent_client, paris):
    old = in_queue(paris, filed_at=timezone.now() - datetime.timedelta(days=40))
    recent = in_queue(paris)
    since = (TODAY() - datetime.timedelta(days=10)).isoformat()
    assert queue_references(agent_client, filed_from=since) == [recent.reference]
    assert queue_references(agent_client, filed_until=since) == [old.reference]


def test_views_backoffice_queue_searches_by_reference(agent_client, paris):
    wanted = in_queue(paris)
    in_queue(paris)
    assert queue_references(agent_client, search=wanted.reference) == [wanted.reference]


def test_views_backoffice_queue_searches_by_foreigner_number(agent_client, paris):
    profile = person(foreigner_number="7512345678")
    wanted = in_queue(paris, applicant=profile.user)
    in_queue(paris, applicant=person().user)
    assert queue_references(agent_client, search="7512345678") == [wanted.reference]


def test_views_backoffice_queue_orders_renewals_expiring_soonest_first(agent_client, paris):
    first_application = in_queue(paris, filed_at=timezone.now() - datetime.timedelta(days=30))
    later = renewal_in_queue(paris, expires_in_days=100)
    sooner = renewal_in_queue(paris, expires_in_days=50)
    assert queue_references(agent_client) == [
        sooner.reference,
        later.reference,
        first_application.reference,
    ]
    assert queue_references(agent_client, order="filed")[0] == first_application.reference


def test_views_backoffice_queue_paginates_and_keeps_the_filters(agent_client, paris):
    for _ in range(30):
        in_queue(paris)
    first = agent_client.get(reverse("backoffice:home"), {"status": "submitted"})
    assert len(first.context["rows"]) == 25
    assert "?status=submitted&amp;page=2" in first.text
    second = agent_client.get(reverse("backoffice:home"), {"status": "submitted", "page": 2})
    assert len(second.context["rows"]) == 5


@pytest.mark.parametrize("count", [5, 30])
def test_views_backoffice_queue_query_count_is_constant(
    agent_client, paris, count, django_assert_max_num_queries
):
    for index in range(count):
        application = renewal_in_queue(paris, expires_in_days=70 + index)
        services.error_report_create(
            application=application,
            actor=application.applicant,
            category=ErrorReportCategory.OTHER,
            description="My name is misspelt.",
        )
    with django_assert_max_num_queries(QUEUE_MAX_QUERIES):
        response = agent_client.get(reverse("backoffice:home"))
    assert len(response.context["rows"]) == min(count, 25)
    assert 'fr-badge--warning">1</p>' in response.context["rows"][0].markup


def test_views_backoffice_queue_shows_the_columns(agent_client, paris):
    application = renewal_in_queue(paris)
    response = agent_client.get(reverse("backoffice:home"))
    profile = application.applicant.applicant_profile
    assert application.reference in response.text
    assert profile.foreigner_number in response.text
    assert application.ground.label_en in response.text
    assert "Renewal" in response.text


# --- Access --------------------------------------------------------------------------------------

# Every back-office route: (URL name, needs an error report, HTTP method).
ROUTES = [
    ("home", False, "get"),
    ("application_detail", False, "get"),
    ("application_mark_complete", False, "post"),
    ("application_request_correction", False, "post"),
    ("application_decide_favourable", False, "post"),
    ("application_refuse", False, "get"),
    ("application_close", False, "get"),
    ("application_record_card_available", False, "post"),
    ("application_record_card_handed_over", False, "post"),
    ("foreigner_number_attach", False, "post"),
    ("error_report_accept", True, "post"),
    ("error_report_reject", True, "post"),
]


def _route_url(name: str, needs_report: bool, application: Application) -> str:
    if name == "home":
        return reverse("backoffice:home")
    if needs_report:
        report = services.error_report_create(
            application=application,
            actor=application.applicant,
            category=ErrorReportCategory.OTHER,
            description="Wrong birth date.",
        )
        return action_url(name, application, report.pk)
    return action_url(name, application)


@pytest.mark.parametrize("role_factory", [ApplicantFactory, ContactCentreAgentFactory])
@pytest.mark.parametrize(("name", "needs_report", "method"), ROUTES)
def test_views_backoffice_forbidden_to_other_roles(
    client, paris, role_factory, name, needs_report, method
):
    application = in_queue(paris)
    url = _route_url(name, needs_report, application)
    client.force_login(role_factory())
    response = getattr(client, method)(url)
    assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


@pytest.mark.parametrize(("name", "needs_report", "method"), ROUTES)
def test_views_backoffice_anonymous_goes_to_login(client, paris, name, needs_report, method):
    url = _route_url(name, needs_report, in_queue(paris))
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize(
    ("name", "needs_report", "method"), [route for route in ROUTES if route[0] != "home"]
)
def test_views_backoffice_other_prefecture_dossier_is_404(
    agent_client, seine_saint_denis, name, needs_report, method
):
    application = in_queue(seine_saint_denis)
    url = _route_url(name, needs_report, application)
    response = getattr(agent_client, method)(url)
    assert response.status_code == 404
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


# --- Dossier page --------------------------------------------------------------------------------


def test_views_backoffice_detail_shows_identity_permits_and_documents(agent_client, agent):
    profile = person(foreigner_number="7500000001", nationality="Sénégalaise")
    permit = ResidencePermitFactory(holder=profile.user, handed_over=False, handed_over_on=None)
    application = filed(profile, "salaried_worker", ProcedureKind.RENEWAL, renews_permit=permit)
    services.address_change(
        profile=profile,
        address_line="3 rue Oberkampf",
        postal_code="75011",
        city="Paris",
        actor=profile.user,
    )
    document = application.documents.first()

    response = agent_client.get(detail_url(application))

    assert response.status_code == 200
    assert "7500000001" in response.text
    assert "Sénégalaise" in response.text
    assert "1 rue de Rivoli" in response.text  # the previous address
    assert "3 rue Oberkampf" in response.text
    assert permit.number in response.text
    assert "Handover not recorded" in response.text
    assert f"{reverse('document_download', args=[document.pk])}?inline=1" in response.text
    assert "Every mandatory piece has at least one file." in response.text


def test_views_backoffice_detail_says_when_there_is_no_foreigner_number(agent_client, paris):
    application = in_queue(paris, applicant=person(foreigner_number=None).user)
    response = agent_client.get(detail_url(application))
    assert '<dd id="foreigner-number">None</dd>' in response.text


def test_views_backoffice_detail_lists_missing_documents(agent_client, paris):
    application = in_queue(paris, applicant=person().user)
    response = agent_client.get(detail_url(application))
    passport = DocumentType.objects.get(code="passport")
    missing = [item.requirement.document_type for item in response.context["missing"]]
    assert passport in missing
    assert passport.label_en in response.text


def test_views_backoffice_detail_lists_other_open_applications(agent_client):
    # Scenario 3: parent of a French child and salaried worker, filed the same week.
    profile = person()
    parent = filed(profile, "parent_of_french_child")
    worker = filed(profile, "salaried_worker")

    response = agent_client.get(detail_url(parent))

    assert [other.reference for other in response.context["other_open"]] == [worker.reference]
    assert detail_url(worker) in response.text
    # Shown before any decision button.
    assert response.text.index(worker.reference) < response.text.index('id="actions"')


def test_views_backoffice_detail_lists_other_open_applications_of_other_prefectures(
    agent_client, paris, seine_saint_denis
):
    profile = person()
    here = in_queue(paris, applicant=profile.user)
    elsewhere = in_queue(
        seine_saint_denis, applicant=profile.user, ground=ground("salaried_worker")
    )
    response = agent_client.get(detail_url(here))
    assert elsewhere.reference in response.text
    assert "Seine-Saint-Denis" in response.text  # the name in the page's language
    assert detail_url(elsewhere) not in response.text  # not ours to open


def test_views_backoffice_detail_buttons_follow_abilities(agent_client, agent):
    application = filed(person())
    response = agent_client.get(detail_url(application))
    assert action_url("application_mark_complete", application) in response.text
    assert action_url("application_refuse", application) not in response.text

    complete(application, agent)
    response = agent_client.get(detail_url(application))
    assert action_url("application_mark_complete", application) not in response.text
    assert action_url("application_refuse", application) in response.text
    assert action_url("application_decide_favourable", application) in response.text


def test_views_backoffice_detail_shows_the_timeline(agent_client):
    application = filed(person())
    response = agent_client.get(detail_url(application))
    assert "The applicant submitted the application to the prefecture." in response.text


def test_views_backoffice_detail_timeline_in_third_person_for_the_agent(agent_client, agent):
    application = complete(filed(person()), agent)
    response = agent_client.get(detail_url(application))
    assert "The applicant started the application." in response.text
    assert "An agent declared the application complete." in response.text
    assert "You started this application." not in response.text


# --- Actions -------------------------------------------------------------------------------------


def test_views_backoffice_mark_complete(agent_client):
    application = filed(person())
    response = agent_client.post(action_url("application_mark_complete", application))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.COMPLETE
    assert events_of(application, EventKind.COMPLETE) == 1


def test_views_backoffice_action_refused_by_the_workflow_shows_why(agent_client, agent):
    application = complete(filed(person()), agent)
    response = agent_client.post(action_url("application_mark_complete", application), follow=True)
    assert "This action is not possible while the application is" in response.text
    application.refresh_from_db()
    assert application.status == ApplicationStatus.COMPLETE
    assert events_of(application, EventKind.COMPLETE) == 1


def test_views_backoffice_request_correction(agent_client):
    application = filed(person())
    passport = DocumentType.objects.get(code="passport")
    deadline = TODAY() + datetime.timedelta(days=20)
    response = agent_client.post(
        action_url("application_request_correction", application),
        {
            "correction-message": "Your passport scan is unreadable: scan it again.",
            "correction-document_types": [passport.pk],
            "correction-deadline": deadline.isoformat(),
        },
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CORRECTION_REQUESTED
    correction = CorrectionRequest.objects.get(application=application)
    assert correction.status == CorrectionStatus.OPEN
    assert list(correction.document_types.all()) == [passport]
    assert correction.deadline == deadline
    assert events_of(application, EventKind.CORRECTION_REQUESTED) == 1


def test_views_backoffice_request_correction_past_deadline_refused(agent_client):
    application = filed(person())
    response = agent_client.post(
        action_url("application_request_correction", application),
        {
            "correction-message": "Scan your passport again.",
            "correction-deadline": (TODAY() - datetime.timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert "The deadline must be a future date." in response.text
    assert "Scan your passport again." in response.text  # what the agent typed is kept
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert not CorrectionRequest.objects.filter(application=application).exists()


def test_views_backoffice_decide_favourable(agent_client, agent):
    application = complete(filed(person()), agent)
    response = agent_client.post(
        action_url("application_decide_favourable", application), {"favourable-confirm": "on"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.FAVOURABLE
    assert application.decided_at is not None
    assert events_of(application, EventKind.DECIDED_FAVOURABLE) == 1


def test_views_backoffice_decide_favourable_without_confirmation_refused(agent_client, agent):
    application = complete(filed(person()), agent)
    response = agent_client.post(action_url("application_decide_favourable", application), {})
    assert response.status_code == 200
    assert "tick the box to confirm it first" in response.text
    application.refresh_from_db()
    assert application.status == ApplicationStatus.COMPLETE


def test_views_backoffice_refuse_page_prefills_the_reason_texts(agent_client, agent):
    application = complete(filed(person()), agent)
    reason = DecisionReason.objects.get(code="conditions_not_met")
    response = agent_client.get(
        action_url("application_refuse", application), {"reason": reason.code}
    )
    assert response.status_code == 200
    form = response.context["form"]
    article = application.ground.ceseda_article  # cited instead of a placeholder
    assert form.initial["legal_basis"] == f"CESEDA, {article} et L. 432-1"
    assert form.initial["remedies"] == reason.remedies_en
    assert escape(form.initial["legal_basis"]) in response.text
    assert "{ground_article}" not in response.text


def test_views_backoffice_refuse(agent_client, agent):
    application = complete(filed(person()), agent)
    response = agent_client.post(action_url("application_refuse", application), reasons_post())
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNFAVOURABLE
    assert application.decision_reason.code == "conditions_not_met"
    assert application.decision_legal_basis == "CESEDA L. 421-1 and L. 432-1"
    assert events_of(application, EventKind.DECIDED_UNFAVOURABLE) == 1


@pytest.mark.parametrize(
    "overrides",
    [
        {"reason": ""},
        {"reason": "no_answer_to_correction"},  # a closure reason, not a refusal one
        {"explanation": "  "},
        {"legal_basis": ""},
        {"remedies": ""},
    ],
    ids=["no-reason", "closure-reason", "no-explanation", "no-legal-basis", "no-remedies"],
)
def test_views_backoffice_refuse_without_full_reasons_refused(agent_client, agent, overrides):
    application = complete(filed(person()), agent)
    response = agent_client.post(
        action_url("application_refuse", application), reasons_post(**overrides)
    )
    assert response.status_code == 200
    assert "The decision was not recorded" in response.text
    application.refresh_from_db()
    assert application.status == ApplicationStatus.COMPLETE
    assert application.decision_reason is None
    assert events_of(application, EventKind.DECIDED_UNFAVOURABLE) == 0


def test_views_backoffice_refuse_before_completion_refused(agent_client):
    application = filed(person())
    response = agent_client.post(action_url("application_refuse", application), reasons_post())
    assert response.status_code == 200
    assert "This action is not possible while the application is" in response.text
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_views_backoffice_close_shows_reasons_on_the_dossier(agent_client):
    # Scenario 9: a closure says why, on what legal basis, and the remedies.
    application = filed(person())
    reason = DecisionReason.objects.get(code="no_answer_to_correction")
    response = agent_client.post(
        action_url("application_close", application),
        reasons_post(
            reason=reason.code,
            explanation="You did not send the documents asked on 1 March.",
            legal_basis=reason.legal_basis,
            remedies=reason.remedies_en,
        ),
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CLOSED
    assert events_of(application, EventKind.CLOSED) == 1
    page = agent_client.get(detail_url(application)).text
    assert reason.label_en in page
    assert "You did not send the documents asked on 1 March." in page
    assert escape(reason.legal_basis) in page


def test_views_backoffice_record_card_available(agent_client, paris):
    application = in_queue(paris, status=ApplicationStatus.FAVOURABLE, decided_at=timezone.now())
    response = agent_client.post(action_url("application_record_card_available", application))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CARD_AVAILABLE
    assert events_of(application, EventKind.CARD_AVAILABLE) == 1


def test_views_backoffice_record_card_handed_over(agent_client, paris):
    application = in_queue(
        paris, status=ApplicationStatus.CARD_AVAILABLE, decided_at=timezone.now()
    )
    response = agent_client.post(
        action_url("application_record_card_handed_over", application),
        {
            "handover-card_number": "FR99887766",
            "handover-valid_from": "2026-03-01",
            "handover-valid_until": "2027-02-28",
            "handover-handed_over_on": "2026-03-05",
        },
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CLOSED_CARD_HANDED_OVER
    permit = ResidencePermit.objects.get(holder=application.applicant, number="FR99887766")
    assert permit.handed_over
    assert permit.handed_over_on == datetime.date(2026, 3, 5)
    assert events_of(application, EventKind.CARD_HANDED_OVER) == 1


def test_views_backoffice_record_card_handed_over_bad_dates_refused(agent_client, paris):
    application = in_queue(
        paris, status=ApplicationStatus.CARD_AVAILABLE, decided_at=timezone.now()
    )
    response = agent_client.post(
        action_url("application_record_card_handed_over", application),
        {
            "handover-card_number": "FR99887766",
            "handover-valid_from": "2027-02-28",
            "handover-valid_until": "2026-03-01",
            "handover-handed_over_on": "2026-03-05",
        },
    )
    assert response.status_code == 200
    assert "The end date must come after the start date." in response.text
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CARD_AVAILABLE
    assert events_of(application, EventKind.CARD_HANDED_OVER) == 0


# --- Error reports -------------------------------------------------------------------------------


@pytest.fixture
def wrongly_refused_renewal(agent):
    """Scenario 2: a renewal refused because the previous card's handover was not recorded;
    the person reports it with proof."""
    profile = person()
    permit = ResidencePermitFactory(
        holder=profile.user,
        ground=ground("salaried_worker"),
        handed_over=False,
        handed_over_on=None,
    )
    application = complete(
        filed(profile, "salaried_worker", ProcedureKind.RENEWAL, renews_permit=permit), agent
    )
    application = services.application_decide_unfavourable(
        application=application,
        actor=agent,
        reason=DecisionReason.objects.get(code="conditions_not_met"),
        explanation="No card was ever handed over to you.",
        legal_basis="CESEDA L. 432-1",
        remedies="Appeal within 2 months.",
    )
    report = services.error_report_create(
        application=application,
        actor=profile.user,
        category=ErrorReportCategory.PREVIOUS_CARD_HANDOVER,
        description="I collected my card on 2 March; here is the receipt I signed.",
        evidence=[pdf_upload("handover-receipt.pdf")],
    )
    return application, permit, report


def test_views_backoffice_detail_shows_error_report_with_evidence(
    agent_client, wrongly_refused_renewal
):
    application, _, report = wrongly_refused_renewal
    evidence = report.evidence.get()
    response = agent_client.get(detail_url(application))
    assert "I collected my card on 2 March" in response.text
    assert f"{reverse('document_download', args=[evidence.pk])}?inline=1" in response.text
    assert f'name="accept-{report.pk}-reopen"' in response.text
    assert f'name="accept-{report.pk}-handed_over_on"' in response.text


def test_views_backoffice_error_report_accepted_with_reopen(agent_client, wrongly_refused_renewal):
    application, permit, report = wrongly_refused_renewal
    response = agent_client.post(
        action_url("error_report_accept", application, report.pk),
        {
            f"accept-{report.pk}-note": "The handover is now recorded. We will decide again.",
            f"accept-{report.pk}-handed_over_on": "2025-03-02",
            f"accept-{report.pk}-reopen": "on",
        },
    )
    assert response.status_code == 302
    permit.refresh_from_db()
    assert permit.handed_over
    assert permit.handed_over_on == datetime.date(2025, 3, 2)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.COMPLETE
    assert application.decision_reason is None
    report.refresh_from_db()
    assert report.status == ErrorReportStatus.ACCEPTED
    assert events_of(application, EventKind.PERMIT_RECORD_CORRECTED) == 1
    assert events_of(application, EventKind.REOPENED) == 1


def test_views_backoffice_error_report_accepted_without_reopen_keeps_decision(
    agent_client, wrongly_refused_renewal
):
    application, permit, report = wrongly_refused_renewal
    agent_client.post(
        action_url("error_report_accept", application, report.pk),
        {f"accept-{report.pk}-note": "Recorded."},
    )
    permit.refresh_from_db()
    assert permit.handed_over
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNFAVOURABLE


def test_views_backoffice_error_report_rejected(agent_client, wrongly_refused_renewal):
    application, permit, report = wrongly_refused_renewal
    response = agent_client.post(
        action_url("error_report_reject", application, report.pk),
        {f"reject-{report.pk}-note": "The receipt is for another card number."},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ErrorReportStatus.REJECTED
    assert report.resolution_note == "The receipt is for another card number."
    assert events_of(application, EventKind.ERROR_REPORT_REJECTED) == 1
    permit.refresh_from_db()
    assert not permit.handed_over


def test_views_backoffice_error_report_rejected_without_reason_refused(
    agent_client, wrongly_refused_renewal
):
    application, _, report = wrongly_refused_renewal
    response = agent_client.post(
        action_url("error_report_reject", application, report.pk),
        {f"reject-{report.pk}-note": ""},
    )
    assert response.status_code == 200
    assert "The report was not rejected" in response.text
    report.refresh_from_db()
    assert report.status == ErrorReportStatus.OPEN
    assert events_of(application, EventKind.ERROR_REPORT_REJECTED) == 0


def test_views_backoffice_error_report_answered_twice_refused(
    agent_client, wrongly_refused_renewal
):
    application, _, report = wrongly_refused_renewal
    url = action_url("error_report_reject", application, report.pk)
    agent_client.post(url, {f"reject-{report.pk}-note": "Another card."})
    response = agent_client.post(url, {f"reject-{report.pk}-note": "Again."}, follow=True)
    assert "This error report has already been answered." in response.text
    report.refresh_from_db()
    assert report.resolution_note == "Another card."


# --- Foreigner number ----------------------------------------------------------------------------


def test_views_backoffice_attach_foreigner_number(agent_client):
    # Scenario 4: the adult child of a refugee files without a foreigner number.
    profile = person(foreigner_number=None)
    application = filed(profile, "refugee_adult_child")
    assert 'name="foreigner-number-number"' in agent_client.get(detail_url(application)).text

    response = agent_client.post(
        action_url("foreigner_number_attach", application),
        {"foreigner-number-number": "7599999999"},
    )

    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.foreigner_number == "7599999999"
    assert events_of(application, EventKind.FOREIGNER_NUMBER_ATTACHED) == 1
    assert queue_references(agent_client, search="7599999999") == [application.reference]


def test_views_backoffice_attach_foreigner_number_taken_refused(agent_client):
    person(foreigner_number="7511111111")
    profile = person(foreigner_number=None)
    application = filed(profile)
    response = agent_client.post(
        action_url("foreigner_number_attach", application),
        {"foreigner-number-number": "7511111111"},
    )
    assert response.status_code == 200
    assert "This foreigner number is already attached to another person." in response.text
    profile.refresh_from_db()
    assert profile.foreigner_number is None
    assert events_of(application, EventKind.FOREIGNER_NUMBER_ATTACHED) == 0


def test_views_backoffice_attach_foreigner_number_not_ten_digits_refused(agent_client):
    profile = person(foreigner_number=None)
    application = filed(profile)
    response = agent_client.post(
        action_url("foreigner_number_attach", application),
        {"foreigner-number-number": "12345"},
    )
    assert "A foreigner number has exactly 10 digits." in response.text
    profile.refresh_from_db()
    assert profile.foreigner_number is None
