"""anef project package: settings, URLs, the Celery app and project-wide plumbing."""

from anef.celery import app as celery_app

__all__ = ("celery_app",)
