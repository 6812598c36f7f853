from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportConfig(AppConfig):
    name = "support"
    verbose_name = _("Contact centre")

    def ready(self) -> None:
        from anef import holds
        from applications import hooks
        from applications.consultations import dossier_consulted
        from support import inquiries, receivers

        # The apps below support ask and announce; support answers (architecture.md, item 3).
        holds.register(receivers.RECOVERY_HOLD_KEY, receivers.recovery_hold)
        dossier_consulted.connect(
            receivers.dossier_consulted, dispatch_uid="support_dossier_consulted"
        )
        # « We asked the prefecture about your application on <date> » (issue 21).
        hooks.portal_dossier_panels.register(inquiries.PANEL, inquiries.inquiry_panel)
