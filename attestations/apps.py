from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttestationsConfig(AppConfig):
    name = "attestations"
    verbose_name = _("Attestations")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from attestations import subscriptions
        from attestations.models import Attestation

        auditlog.register(Attestation, exclude_fields=["pdf", "pdf_rendered_at"])
        # The sweep after each change of a dossier, and the blocks on its pages.
        subscriptions.subscribe()
