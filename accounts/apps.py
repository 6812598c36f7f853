from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from accounts.mandates import mandate_acting_for_details
        from accounts.models import ApplicantProfile, User
        from anef.audit import actor_details_provider_register

        auditlog.register(User, exclude_fields=["password", "last_login"])
        auditlog.register(ApplicantProfile)
        # An audit entry of a helper's act says for whom and under which mandate.
        actor_details_provider_register(mandate_acting_for_details)
