import uuid

import pytest

from applications.models import Prefecture
from applications.reference_data.loader import reference_data_load


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Hashing strength is not what these tests measure; MD5 keeps the suite fast.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    """Each test starts with an empty cache: allauth's and rate limits' counters live there."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": uuid.uuid4().hex,
        }
    }


@pytest.fixture(autouse=True)
def _tasks_run_in_process(monkeypatch):
    """A task sent after a commit runs at once in the test process (transactional tests), so
    that no test leaves messages on the developer's broker. The real-worker test opts out."""
    from anef.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)


@pytest.fixture(scope="session")
def _media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _private_media(settings, _media_root):
    """Uploaded documents go to a temporary folder, not to the developer's var/media."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(_media_root)},
        },
    }


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the real catalogue once per test database; tests roll back on top of it."""
    with django_db_blocker.unblock():
        reference_data_load()


@pytest.fixture
def reference_data(db):
    """The real catalogue (prefectures, grounds, checklists, decision reasons), as `make run`
    loads it. A transactional test empties the database; the next one reloads it here."""
    if not Prefecture.objects.exists():
        reference_data_load()
