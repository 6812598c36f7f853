from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("Applications")

    def ready(self) -> None:
        from anef import generations
        from anef.outages import outage_changed
        from applications import hooks
        from applications.reminders.panels import PANEL, renewal_reminder_panel
        from applications.selectors import person_prefecture_ids
        from applications.services.outages import on_outage_changed

        # The prefectures holding a person's dossiers (anef and accounts import no higher app).
        generations.person_prefectures_resolver(person_prefecture_ids)
        # The renewal reminder's banner on the dashboard (issue 16).
        hooks.portal_person_panels.register(PANEL, renewal_reminder_panel)
        # Document review and expert opinions on the dossier pages (issue 20).
        from applications.opinions import selectors as opinions
        from applications.review import selectors as review

        hooks.backoffice_dossier_panels.register(review.PANEL, review.review_panel)
        hooks.backoffice_dossier_panels.register(opinions.PANEL, opinions.opinions_panel)
        hooks.portal_dossier_panels.register(review.PANEL, review.piece_states)

        # The dossier's message thread on both dossier pages, its new messages on the dashboard.
        from applications.views import messages as thread

        hooks.portal_dossier_panels.register("thread", thread.portal_thread_panel)
        hooks.backoffice_dossier_panels.register("thread", thread.backoffice_thread_panel)
        hooks.portal_home_panels.register("thread", thread.portal_home_unread)
        # An outage recorded or closed: the renewals it may excuse are swept again.
        outage_changed.connect(on_outage_changed, dispatch_uid="applications_outage_changed")
