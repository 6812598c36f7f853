from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferenceConfig(AppConfig):
    name = "reference"
    verbose_name = _("Reference data")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from reference.models import DocumentType, Ground, GroundRequirement, Prefecture

        for model in (Prefecture, Ground, DocumentType, GroundRequirement):
            auditlog.register(model)
