from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubstitutionConfig(AppConfig):
    name = "substitution"
    verbose_name = _("Substitution and accompaniment")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed

        from accounts.signals import signup_form_checked
        from substitution import signals

        user_login_failed.connect(signals.login_failed, dispatch_uid="substitution_login_failed")
        signup_form_checked.connect(
            signals.signup_checked, dispatch_uid="substitution_signup_checked"
        )
