from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("Applications")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from anef import generations
        from applications.models import DocumentType, Ground, GroundRequirement, Prefecture

        for model in (Prefecture, Ground, DocumentType, GroundRequirement):
            auditlog.register(model)
        # The prefectures whose queues show a person (anef imports no domain app).
        from applications.selectors import person_prefecture_ids

        generations.person_prefectures_resolver(person_prefecture_ids)
