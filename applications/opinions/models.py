"""An expert opinion asked on a dossier. Loaded by `applications.models` (imported at its end),
so that it belongs to the app."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anef.uploads import served_extension
from applications.opinions.rules import OpinionStatus


def opinion_storage_key(opinion: "Opinion", filename: str) -> str:
    """A random key with the sniffed type's extension; the sender's name is never used."""
    extension = served_extension(opinion.answer_content_type)
    return f"opinions/{opinion.application.reference}/{uuid.uuid4().hex}{extension}"


class Opinion(models.Model):
    """A question of an agent to a colleague of the same prefecture or to an outside service,
    and its answer; read by the agents of `prefecture` only."""

    application = models.ForeignKey(
        "applications.Application",
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="opinions",
    )
    # The prefecture whose agents asked and read it (kept if the dossier moves elsewhere).
    prefecture = models.ForeignKey(
        "reference.Prefecture",
        verbose_name=_("prefecture"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    addressee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="opinions_asked_of_me",
    )
    outside_service = models.CharField(_("outside service"), max_length=200, blank=True)
    question = models.TextField(_("question"))
    status = models.CharField(
        _("status"), max_length=16, choices=OpinionStatus.choices, default=OpinionStatus.ASKED
    )
    asked_at = models.DateTimeField(_("asked at"), default=timezone.now)
    answer = models.TextField(_("answer"), blank=True)
    answer_file = models.FileField(
        _("file"), upload_to=opinion_storage_key, max_length=255, blank=True
    )
    answer_file_name = models.CharField(_("file name"), max_length=255, blank=True)
    answer_content_type = models.CharField(_("type"), max_length=50, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("expert opinion")
        verbose_name_plural = _("expert opinions")
        ordering = ["asked_at", "pk"]
        indexes = [models.Index(fields=["application", "prefecture"])]
        constraints = [
            models.CheckConstraint(
                name="opinion_one_addressee",
                condition=Q(addressee__isnull=False, outside_service="")
                | (Q(addressee__isnull=True) & ~Q(outside_service="")),
            ),
            models.CheckConstraint(name="opinion_has_question", condition=~Q(question="")),
            models.CheckConstraint(
                name="opinion_answered_has_answer",
                condition=~Q(status=OpinionStatus.ANSWERED)
                | (~Q(answer="") & Q(answered_at__isnull=False, answered_by__isnull=False)),
            ),
            models.CheckConstraint(
                name="opinion_withdrawn_has_date",
                condition=~Q(status=OpinionStatus.WITHDRAWN) | Q(withdrawn_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.question[:40]}"

    @property
    def addressee_label(self) -> str:
        if self.addressee_id is not None:
            return self.addressee.get_full_name() or self.addressee.email
        return self.outside_service
