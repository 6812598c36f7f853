from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubstitutionConfig(AppConfig):
    name = "substitution"
    verbose_name = _("Substitution and accompaniment")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed

        from accounts.signals import signup_form_checked
        from anef.step_failures import step_failed
        from substitution import receivers, signals
        from support.signals import technical_impossibility_confirmed

        user_login_failed.connect(signals.login_failed, dispatch_uid="substitution_login_failed")
        # The apps below announce; substitution answers (docs/architecture.md, item 3).
        signup_form_checked.connect(
            signals.signup_checked, dispatch_uid="substitution_signup_checked"
        )
        technical_impossibility_confirmed.connect(
            receivers.technical_impossibility_confirmed,
            dispatch_uid="substitution_technical_impossibility_confirmed",
        )
        step_failed.connect(receivers.step_failed, dispatch_uid="substitution_step_failed")
        # Issue 21: the dossier's appointment, on the dossier's page.
        from applications import hooks
        from substitution.views.dossier import PANEL, dossier_panel

        hooks.portal_dossier_panels.register(PANEL, dossier_panel)
