"""Settings come from the environment only; each default is the embedded mode's."""

import re
import runpy
import sys
from pathlib import Path

import pytest

SETTINGS_FILE = Path(__file__).resolve().parent.parent / "anef" / "settings.py"
ENV_NAMES = (
    "DATABASE_URL",
    "REDIS_URL",
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_ENDPOINT_URL",
    "EMAIL_URL",
    "EMAIL_BACKEND",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "DATABASE_POOL",
    "STATIC_MANIFEST",
    "SITE_URL",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "CACHE_REDIS_URL",
    "ANEF_PRODUCTION",
    "ATTESTATION_SIGNING_KEY",
    "ATTESTATION_RETIRED_PUBLIC_KEYS",
)


@pytest.fixture
def load_settings(monkeypatch, tmp_path):
    """Evaluate anef/settings.py afresh under a given environment, without touching Django."""

    def load(**environment):
        for name in ENV_NAMES:
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("ANEF_VAR_DIR", str(tmp_path / "var"))
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        # anef/settings.py includes anef/settings_parts/: evaluate those afresh too (the
        # originals are put back after the test).
        for module in [name for name in sys.modules if name.startswith("anef.settings_parts.")]:
            monkeypatch.delitem(sys.modules, module)
        return runpy.run_path(str(SETTINGS_FILE))

    return load


def test_settings_default_database_is_sqlite_under_var(load_settings, tmp_path):
    settings = load_settings()
    database = settings["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert Path(database["NAME"]) == tmp_path / "var" / "anef.sqlite3"


def test_settings_database_url_selects_postgresql_with_pool(load_settings):
    settings = load_settings(DATABASE_URL="postgres://anef:secret@db.internal:5433/anef")
    database = settings["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["PORT"], database["NAME"]) == ("db.internal", 5433, "anef")
    assert database["OPTIONS"]["pool"]["max_size"] == 10
    assert database["CONN_MAX_AGE"] == 0


def test_settings_database_pool_can_be_turned_off(load_settings):
    settings = load_settings(DATABASE_URL="postgres://anef@db/anef", DATABASE_POOL="False")
    assert "pool" not in settings["DATABASES"]["default"].get("OPTIONS", {})


def test_settings_default_broker_needs_no_server(load_settings, tmp_path):
    settings = load_settings()
    assert settings["CELERY_BROKER_URL"] == "filesystem://"
    folder = Path(settings["CELERY_BROKER_TRANSPORT_OPTIONS"]["data_folder_in"])
    assert folder.is_relative_to(tmp_path / "var") and folder.is_dir()
    assert settings["CACHES"]["default"]["BACKEND"] == "anef.cache.FileCache"  # culled per set_many


def test_settings_redis_url_drives_broker_and_cache(load_settings):
    settings = load_settings(REDIS_URL="redis://cache.internal:6379/2")
    assert settings["CELERY_BROKER_URL"] == "redis://cache.internal:6379/2"
    assert settings["CACHES"]["default"]["BACKEND"].endswith("RedisCache")
    assert settings["CACHES"]["default"]["LOCATION"] == "redis://cache.internal:6379/2"


def test_settings_cache_redis_url_separates_the_cache_from_the_broker(load_settings):
    settings = load_settings(
        REDIS_URL="redis://broker.internal:6379/0", CACHE_REDIS_URL="redis://cache.internal:6379/0"
    )
    assert settings["CELERY_BROKER_URL"] == "redis://broker.internal:6379/0"
    assert settings["CACHES"]["default"]["LOCATION"] == "redis://cache.internal:6379/0"


def test_settings_production_follows_https_unless_set(load_settings):
    assert load_settings()["ANEF_PRODUCTION"] is False
    assert load_settings(SITE_URL="https://anef.example")["ANEF_PRODUCTION"] is True
    assert load_settings(ANEF_PRODUCTION="True")["ANEF_PRODUCTION"] is True


def test_settings_empty_retired_public_keys_mean_none(load_settings):
    # Compose passes ${ATTESTATION_RETIRED_PUBLIC_KEYS:-}: an empty string, not JSON.
    assert (
        load_settings(ATTESTATION_RETIRED_PUBLIC_KEYS="")["ATTESTATION_RETIRED_PUBLIC_KEYS"] == {}
    )


def test_settings_default_storage_is_local_files_under_var(load_settings, tmp_path):
    storage = load_settings()["STORAGES"]["default"]
    assert storage["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert Path(storage["OPTIONS"]["location"]) == tmp_path / "var" / "media"


def test_settings_bucket_selects_private_s3_storage(load_settings):
    storage = load_settings(
        AWS_STORAGE_BUCKET_NAME="anef-documents", AWS_S3_ENDPOINT_URL="http://minio:9000"
    )["STORAGES"]["default"]
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"]["bucket_name"] == "anef-documents"
    assert storage["OPTIONS"]["endpoint_url"] == "http://minio:9000"
    assert storage["OPTIONS"]["default_acl"] == "private"


def test_settings_default_email_is_printed_to_console(load_settings):
    settings = load_settings()
    assert settings["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"


def test_settings_email_url_selects_smtp(load_settings):
    settings = load_settings(EMAIL_URL="smtp://mailpit:1025")
    assert settings["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (settings["EMAIL_HOST"], settings["EMAIL_PORT"]) == ("mailpit", 1025)


def test_settings_debug_is_off_unless_asked(load_settings):
    assert load_settings()["DEBUG"] is False
    assert load_settings(DEBUG="True")["DEBUG"] is True


def test_settings_secret_key_from_environment(load_settings):
    assert load_settings(SECRET_KEY="from-the-environment")["SECRET_KEY"] == "from-the-environment"


def test_settings_embedded_secret_key_is_random_and_kept(load_settings):
    first = load_settings()["SECRET_KEY"]
    assert len(first) >= 50
    assert load_settings()["SECRET_KEY"] == first


def test_settings_allowed_hosts_from_environment(load_settings):
    assert load_settings(ALLOWED_HOSTS="anef.example,www.anef.example")["ALLOWED_HOSTS"] == [
        "anef.example",
        "www.anef.example",
    ]


def test_settings_celery_is_safe_against_lost_work(load_settings):
    settings = load_settings()
    assert settings["CELERY_TASK_ACKS_LATE"] is True
    assert settings["CELERY_TASK_REJECT_ON_WORKER_LOST"] is True
    assert settings["CELERY_ACCEPT_CONTENT"] == ["json"]
    assert settings["CELERY_TASK_SERIALIZER"] == "json"


def test_settings_plain_http_site_sets_no_https_only_rule(load_settings):
    settings = load_settings(SITE_URL="http://localhost:8000")
    assert settings["SESSION_COOKIE_SECURE"] is False
    assert settings["SECURE_SSL_REDIRECT"] is False
    assert settings["SECURE_HSTS_SECONDS"] == 0


def test_settings_https_site_gets_secure_cookies_redirect_and_hsts(load_settings):
    settings = load_settings(SITE_URL="https://anef.example")
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["CSRF_COOKIE_SECURE"] is True
    assert settings["SECURE_SSL_REDIRECT"] is True
    assert settings["SECURE_HSTS_SECONDS"] >= 31_536_000
    exempt = settings["SECURE_REDIRECT_EXEMPT"]
    for probe in ("healthz", "healthz/live", "healthz/ready", "healthz/scheduler"):
        assert any(re.search(pattern, probe) for pattern in exempt), probe
    for page in ("metrics", "healthz/x", "healthzz", "portal/"):
        assert not any(re.search(pattern, page) for pattern in exempt), page


def test_settings_production_environment_passes_check_deploy(tmp_path):
    """`manage.py check --deploy` with the production environment: no warning at all."""
    import os
    import subprocess
    import sys

    root = SETTINGS_FILE.parent.parent
    environment = {
        # Only what production has: not the test run's own switches (the browser tests' async
        # opt-out would itself be a deployment error).
        **{
            key: value
            for key, value in os.environ.items()
            if key not in ENV_NAMES and key != "DJANGO_ALLOW_ASYNC_UNSAFE"
        },
        "DEBUG": "False",
        "SECRET_KEY": "p" * 20 + "-production-secret-" + "k" * 40,
        "ALLOWED_HOSTS": "anef.example",
        "SITE_URL": "https://anef.example",
        "ANEF_VAR_DIR": str(tmp_path / "var"),
        # Served over HTTPS means production: the QR signing key is required (anef.E001).
        "ATTESTATION_SIGNING_KEY": "zXyqTuQkA1uV9y2cQw7n8cB5JmWm7yYl1P6m0cQ2sR4",
        "ATTESTATION_SIGNING_KEY_ID": "20270101-ab12",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
