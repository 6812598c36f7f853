"""Dossier endpoints, included in `anef.urls.api_v1_patterns` (namespace `api`)."""

from django.urls import path

from applications.api import views

urlpatterns = [
    # Public catalogue
    path("grounds/", views.GroundListView.as_view(), name="ground-list"),
    # Applicant
    path("applications/", views.ApplicationListView.as_view(), name="application-list"),
    path(
        "applications/<str:reference>/",
        views.ApplicationDetailView.as_view(),
        name="application-detail",
    ),
    path(
        "applications/<str:reference>/submit/",
        views.ApplicationSubmitView.as_view(),
        name="application-submit",
    ),
    path(
        "applications/<str:reference>/withdraw/",
        views.ApplicationWithdrawView.as_view(),
        name="application-withdraw",
    ),
    path(
        "applications/<str:reference>/correction-answer/",
        views.CorrectionAnswerView.as_view(),
        name="application-correction-answer",
    ),
    path(
        "applications/<str:reference>/documents/",
        views.ApplicationDocumentsView.as_view(),
        name="application-documents",
    ),
    path(
        "applications/<str:reference>/error-reports/",
        views.ApplicationErrorReportsView.as_view(),
        name="application-error-reports",
    ),
    path(
        "applications/<str:reference>/events/",
        views.ApplicationEventsView.as_view(),
        name="application-events",
    ),
    path("documents/<int:pk>/", views.DocumentDetailView.as_view(), name="document-detail"),
    path("documents/<int:pk>/file/", views.DocumentFileView.as_view(), name="document-file"),
    path("permits/", views.PermitListView.as_view(), name="permit-list"),
    path("profile/address/", views.AddressChangeView.as_view(), name="profile-address"),
    # Agents
    path("agent/applications/", views.AgentQueueView.as_view(), name="agent-application-list"),
    path(
        "agent/applications/<str:reference>/",
        views.AgentApplicationDetailView.as_view(),
        name="agent-application-detail",
    ),
    *(
        path(
            f"agent/applications/<str:reference>/{action}/",
            view.as_view(),
            name=f"agent-application-{action}",
        )
        for action, view in (
            ("mark-complete", views.MarkCompleteView),
            ("request-correction", views.RequestCorrectionView),
            ("decide-favourable", views.DecideFavourableView),
            ("decide-unfavourable", views.DecideUnfavourableView),
            ("close", views.CloseView),
            ("card-available", views.CardAvailableView),
            ("card-handed-over", views.CardHandedOverView),
        )
    ),
    path(
        "agent/error-reports/<int:pk>/accept/",
        views.ErrorReportAcceptView.as_view(),
        name="agent-error-report-accept",
    ),
    path(
        "agent/error-reports/<int:pk>/reject/",
        views.ErrorReportRejectView.as_view(),
        name="agent-error-report-reject",
    ),
    path(
        "agent/profiles/<int:user_id>/foreigner-number/",
        views.ForeignerNumberView.as_view(),
        name="agent-profile-foreigner-number",
    ),
    # The instruction workbench (issue 20)
    path("agent/workbench/mine/", views.WorkbenchMineView.as_view(), name="agent-workbench-mine"),
    path(
        "agent/workbench/unassigned/",
        views.WorkbenchUnassignedView.as_view(),
        name="agent-workbench-unassigned",
    ),
    path(
        "agent/workbench/followed/",
        views.WorkbenchFollowedView.as_view(),
        name="agent-workbench-followed",
    ),
    path(
        "agent/applications/<str:reference>/notes/",
        views.ApplicationNotesView.as_view(),
        name="agent-application-notes",
    ),
    path(
        "agent/applications/<str:reference>/assign/",
        views.ApplicationAssignView.as_view(),
        name="agent-application-assign",
    ),
]
