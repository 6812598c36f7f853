from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """Last time a background process (worker, beat) proved it was alive by doing real work.

    Beat schedules `record_heartbeat`; a worker runs it and writes here, so one row proves the
    whole chain scheduler → broker → worker → database. /healthz reports its age.
    """

    source = models.CharField(_("source"), max_length=50, unique=True)
    last_seen_at = models.DateTimeField(_("last seen at"))
    hostname = models.CharField(_("worker host"), max_length=255, blank=True)
    beats = models.PositiveBigIntegerField(_("number of heartbeats"), default=0)

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return f"{self.source} @ {self.last_seen_at:%Y-%m-%d %H:%M:%S}"
