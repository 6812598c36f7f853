from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("Applications")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from applications.models import DocumentType, Ground, GroundRequirement, Prefecture

        for model in (Prefecture, Ground, DocumentType, GroundRequirement):
            auditlog.register(model)
