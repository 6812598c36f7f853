from django.apps import AppConfig


class AnefConfig(AppConfig):
    """Project-wide plumbing that belongs to no domain app: health, worker heartbeats, audit."""

    name = "anef"
    verbose_name = "anef"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from celery.signals import task_postrun, task_prerun

        from anef import checks, metrics, psycopg_arrays, second_factor  # noqa: F401 - checks registers the system checks

        # Arrays (Django's bulk inserts) quoted without a regular expression per quote.
        psycopg_arrays.register()

        # The staff two-factor flag is set only when allauth checked a second factor.
        second_factor.connect_signals()
        # The attestation sweep's duration for /metrics, measured around the task in the worker.
        task_prerun.connect(metrics.sweep_started, dispatch_uid="anef_metrics_sweep_started")
        task_postrun.connect(metrics.sweep_finished, dispatch_uid="anef_metrics_sweep_finished")
