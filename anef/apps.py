from django.apps import AppConfig


class AnefConfig(AppConfig):
    """Project-wide plumbing that belongs to no domain app: health, worker heartbeats, audit."""

    name = "anef"
    verbose_name = "anef"
    default_auto_field = "django.db.models.BigAutoField"
