"""The Celery app, configured from Django settings (CELERY_* names) with tasks found per app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anef.settings")

app = Celery("anef")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
