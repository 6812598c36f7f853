"""The day a person was sent a renewal reminder (issue 16). Loaded by `applications.models`
(imported at its end), so that the model belongs to the app."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RenewalNoticeDay(models.Model):
    """At most one renewal reminder e-mail per person per day (the most urgent of those due,
    `applications.reminders.rules.most_urgent`): a person with two cards, or a card reminder and
    an incomplete renewal falling on the same day, gets one notice, the other the next day. The
    unique key is what holds when two runs, or two workers, send at once: the second waits on
    the first's row, then writes nothing."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    day = models.DateField(_("day"))
    kind = models.CharField(_("kind"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("renewal reminder day")
        verbose_name_plural = _("renewal reminder days")
        constraints = [
            models.UniqueConstraint(fields=["person", "day"], name="renewal_notice_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.person_id} on {self.day}"
