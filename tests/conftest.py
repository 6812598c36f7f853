import contextlib
import uuid

import pytest
from django.test import override_settings
from hypothesis import settings as hypothesis_settings

from reference.catalogue.loader import reference_data_load
from reference.models import Prefecture

# `pytest --hypothesis-profile=long`: the long runs of the property tests (issue 14 asks for at
# least 2,000 whole histories of the attestation ledger); `make test` keeps each bounded.
hypothesis_settings.register_profile("long", max_examples=2000)
# The same long run in eight parts of 250, each with its own seed, so that a busy machine can
# play it in pieces: `--hypothesis-profile=long-part --hypothesis-seed=1` … `=8`.
hypothesis_settings.register_profile("long-part", max_examples=250)

# Hashing strength is not what these tests measure; MD5 keeps the suite fast.
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def fresh_cache_setting() -> dict:
    """An empty in-process cache of its own: allauth's and rate limits' counters live there."""
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": uuid.uuid4().hex,
        }
    }


def private_storages_setting(settings, media_root) -> dict:
    """Uploaded documents go to a temporary folder, not to the developer's var/media."""
    return {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media_root)},
        },
    }


# What WhiteNoise's index of the finders' static files depends on.
_STATIC_SETTINGS = (
    "DEBUG",
    "FORCE_SCRIPT_NAME",
    "INSTALLED_APPS",
    "STATIC_ROOT",
    "STATIC_URL",
    "STATICFILES_DIRS",
    "STATICFILES_FINDERS",
)


@pytest.fixture(autouse=True, scope="session")
def _static_files_indexed_once():
    """WhiteNoise (`WHITENOISE_USE_FINDERS`) lists and stats every static file of every app
    (some 1,800 files) when its middleware is built, and Django builds the middleware again for
    each test's client (0.58 s of a 0.65 s authorization-matrix case, profiled on the shared
    2-core host). The files do not change during a run, so the index is built once per process
    (for each set of settings it depends on) and each new middleware gets the same entries: what
    it serves, and how, is unchanged."""
    from django.conf import settings
    from whitenoise.middleware import WhiteNoiseMiddleware

    index_files = WhiteNoiseMiddleware.add_files_from_finders
    indexes = {}

    def add_files_from_finders(self):
        names = [*_STATIC_SETTINGS, *(n for n in dir(settings) if n.startswith("WHITENOISE_"))]
        key = repr([(name, getattr(settings, name, None)) for name in sorted(names)])
        if key not in indexes:
            before = dict(self.files)
            index_files(self)
            indexes[key] = {
                url: static_file
                for url, static_file in self.files.items()
                if before.get(url) is not static_file
            }
        self.files.update(indexes[key])

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(WhiteNoiseMiddleware, "add_files_from_finders", add_files_from_finders)
        yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    """Each test starts with an empty cache: allauth's and rate limits' counters live there."""
    settings.CACHES = fresh_cache_setting()


@pytest.fixture(autouse=True)
def _tasks_run_in_process(monkeypatch):
    """A task sent after a commit runs at once in the test process (transactional tests), so
    that no test leaves messages on the developer's broker. The real-worker test opts out."""
    from anef.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)


@pytest.fixture(autouse=True)
def sms_outbox(settings) -> list:
    """Texts go to django-sms's in-memory outbox (issue 21), empty at each test's start; the
    list of what was sent (`sms.Message`), like Django's `mail.outbox`."""
    import sms

    settings.SMS_BACKEND = "sms.backends.locmem.SmsBackend"
    sms.outbox = []
    return sms.outbox


@pytest.fixture(scope="session")
def _media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _private_media(settings, _media_root):
    settings.STORAGES = private_storages_setting(settings, _media_root)


@contextlib.contextmanager
def shared_data_environment(media_root):
    """What the autouse fixtures above give each test, for data that a module- or
    session-scoped fixture builds once and many tests share (those fixtures are set up before
    any function-scoped one): fast hashing, a cache of its own, the temporary media folder and
    tasks run in process."""
    from django.conf import settings

    from anef.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        with override_settings(
            PASSWORD_HASHERS=FAST_PASSWORD_HASHERS,
            CACHES=fresh_cache_setting(),
            STORAGES=private_storages_setting(settings, media_root),
        ):
            yield
    finally:
        app.conf.task_always_eager = eager


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
