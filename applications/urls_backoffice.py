from django.urls import path

from applications.views import (
    backoffice,
    backoffice_notification,
    exports,
    queue_actions,
    queue_page,
    statistics,
    workbench,
)
from applications.views.messages import backoffice_message_attachment, backoffice_message_post

app_name = "backoffice"

_dossier = "applications/<str:reference>/"

urlpatterns = [
    # The queue is the back office's home page.
    path("", queue_page.home, name="home"),
    # Exports of the queue and the prefecture's figures (issue 20).
    path("exports/", exports.exports, name="exports"),
    path("exports/new/", exports.export_new, name="export_new"),
    path("exports/<uuid:pk>/", exports.export_download, name="export_download"),
    path("statistics/", statistics.statistics, name="statistics"),
    path(_dossier, backoffice.application_detail, name="application_detail"),
    # The instruction workbench (issue 20).
    path("team/", workbench.team, name="team"),
    path(f"{_dossier}assign/", workbench.application_assign, name="application_assign"),
    path(f"{_dossier}unassign/", workbench.application_unassign, name="application_unassign"),
    path(f"{_dossier}follow/", workbench.application_follow, name="application_follow"),
    path(f"{_dossier}unfollow/", workbench.application_unfollow, name="application_unfollow"),
    path(f"{_dossier}notes/", workbench.application_annotate, name="application_annotate"),
    path(
        f"{_dossier}notes/export/",
        workbench.application_annotations_export,
        name="application_annotations_export",
    ),
    path(
        f"{_dossier}complete/",
        backoffice.application_mark_complete,
        name="application_mark_complete",
    ),
    path(
        f"{_dossier}correction/",
        backoffice.application_request_correction,
        name="application_request_correction",
    ),
    path(
        f"{_dossier}favourable/",
        backoffice.application_decide_favourable,
        name="application_decide_favourable",
    ),
    path(f"{_dossier}refuse/", backoffice.application_refuse, name="application_refuse"),
    path(f"{_dossier}close/", backoffice.application_close, name="application_close"),
    path(
        f"{_dossier}notification/",
        backoffice_notification.application_record_notification,
        name="application_record_notification",
    ),
    path(
        f"{_dossier}obligation-to-leave/",
        backoffice_notification.application_record_obligation_to_leave,
        name="application_record_obligation_to_leave",
    ),
    path(
        f"{_dossier}card-available/",
        backoffice.application_record_card_available,
        name="application_record_card_available",
    ),
    path(
        f"{_dossier}card-handed-over/",
        backoffice.application_record_card_handed_over,
        name="application_record_card_handed_over",
    ),
    path(
        f"{_dossier}foreigner-number/",
        backoffice.foreigner_number_attach,
        name="foreigner_number_attach",
    ),
    path(
        f"{_dossier}error-reports/<int:report_pk>/accept/",
        backoffice.error_report_accept,
        name="error_report_accept",
    ),
    path(
        f"{_dossier}error-reports/<int:report_pk>/reject/",
        backoffice.error_report_reject,
        name="error_report_reject",
    ),
    # The queue's saved views and bulk actions (issue 20).
    path("views/", queue_actions.saved_view_create_view, name="saved_view_create"),
    path("views/<int:pk>/delete/", queue_actions.saved_view_delete_view, name="saved_view_delete"),
    path("bulk/", queue_actions.bulk_action, name="bulk_action"),
]

# Document review and expert opinions (issue 20).
from applications.views import opinions, review  # noqa: E402

urlpatterns += [
    path(
        f"{_dossier}documents/<int:document_pk>/review/",
        review.document_review,
        name="document_review",
    ),
    path(
        f"{_dossier}rejected-pieces/",
        review.rejected_pieces_request,
        name="rejected_pieces_request",
    ),
    path(f"{_dossier}opinions/", opinions.opinion_ask, name="opinion_ask"),
    path(f"{_dossier}opinions/<int:pk>/answer/", opinions.opinion_answer, name="opinion_answer"),
    path(
        f"{_dossier}opinions/<int:pk>/withdraw/",
        opinions.opinion_withdraw,
        name="opinion_withdraw",
    ),
    path(f"{_dossier}opinions/<int:pk>/file/", opinions.opinion_file, name="opinion_file"),
]

# The dossier's message thread (issue 20, applications/views/messages.py).
urlpatterns += [
    path(f"{_dossier}messages/", backoffice_message_post, name="message_post"),
    path(
        f"{_dossier}messages/files/<int:pk>/",
        backoffice_message_attachment,
        name="message_attachment",
    ),
]
