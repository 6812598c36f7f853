"""Static checks of the production-like stack: docker-compose.yml, Dockerfile, docs.

No Docker engine and no database needed: the files are parsed, and the environment the compose
file gives the application is checked against the variables anef/settings.py actually reads.
"""

import ast
import re
from functools import cache
from pathlib import Path

import environ
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
SETTINGS_FILE = ROOT / "anef" / "settings.py"
DOC_FILE = ROOT / "docs" / "docker-compose.md"

APP_SERVICES = ("web", "worker", "beat")
REQUIRED_APP_VARIABLES = (
    "DATABASE_URL",
    "REDIS_URL",
    "CACHE_REDIS_URL",
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_ENDPOINT_URL",
    "EMAIL_URL",
    "SECRET_KEY",
    "SITE_URL",
    "ATTESTATION_SIGNING_KEY",
    "ATTESTATION_SIGNING_KEY_ID",
)
# Given by the operator, never defaulted in the file: Compose stops with a message when unset.
REQUIRED_SECRETS = (
    "SECRET_KEY",
    "ATTESTATION_SIGNING_KEY",
    "ATTESTATION_SIGNING_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "SITE_URL",
)
BACKING_SERVICES = ("db", "redis-broker", "redis-cache", "minio")
INTERPOLATION = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<rest>[^}]*)\}")


@cache
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def service(name: str) -> dict:
    return compose()["services"][name]


def environment(name: str) -> dict[str, str]:
    """A service's environment, whether written as a mapping or as a list of NAME=value."""
    raw = service(name).get("environment") or {}
    if isinstance(raw, list):
        raw = dict(item.split("=", 1) if "=" in item else (item, "") for item in raw)
    return {key: "" if value is None else str(value) for key, value in raw.items()}


def depends_on(name: str) -> dict[str, str]:
    """depends_on as {service: condition}; the short list form means service_started."""
    raw = service(name).get("depends_on") or {}
    if isinstance(raw, list):
        return dict.fromkeys(raw, "service_started")
    return {dep: (spec or {}).get("condition", "service_started") for dep, spec in raw.items()}


def interpolation_default(value: str) -> str:
    """The value Compose substitutes when the variable is unset: ${NAME:-default} → default."""

    def substitute(match: re.Match) -> str:
        rest = match["rest"]
        for operator in (":-", "-"):
            if rest.startswith(operator):
                return rest[len(operator) :]
        return ""

    return INTERPOLATION.sub(substitute, value)


@cache
def settings_variables() -> frozenset[str]:
    """Names passed to env(...) / env.<type>(...) in anef/settings.py and the parts it includes
    (anef/settings_parts/), found in their syntax trees."""
    names = set()
    trees = [
        ast.parse(path.read_text())
        for path in [SETTINGS_FILE, *sorted((SETTINGS_FILE.parent / "settings_parts").glob("*.py"))]
    ]
    for node in (node for tree in trees for node in ast.walk(tree)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        is_env_call = (isinstance(func, ast.Name) and func.id == "env") or (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == "env"
        )
        first = node.args[0]
        if is_env_call and isinstance(first, ast.Constant) and isinstance(first.value, str):
            names.add(first.value)
    return frozenset(names)


def unknown_variables(variables: dict[str, str]) -> set[str]:
    return set(variables) - settings_variables()


def test_compose_has_expected_services():
    expected = {*BACKING_SERVICES, "minio-init", "mailpit", "migrate", *APP_SERVICES}
    assert expected <= set(compose()["services"])


def test_compose_has_no_obsolete_version_key():
    assert "version" not in compose()


def test_compose_app_services_share_the_same_build():
    builds = {repr(service(name).get("build")) for name in (*APP_SERVICES, "migrate")}
    images = {service(name).get("image") for name in (*APP_SERVICES, "migrate")}
    assert builds == {repr(".")}
    assert len(images) == 1


def test_compose_app_services_share_the_same_environment():
    reference = environment("web")
    for name in ("worker", "beat", "migrate"):
        assert environment(name) == reference, name


@pytest.mark.parametrize("name", [*APP_SERVICES, "migrate"])
def test_compose_app_service_gets_required_variables(name):
    missing = [var for var in REQUIRED_APP_VARIABLES if not environment(name).get(var)]
    assert missing == []


def test_compose_database_url_is_postgresql_on_the_db_service():
    config = environ.Env.db_url_config(environment("web")["DATABASE_URL"])
    db = environment("db")
    assert config["ENGINE"] == "django.db.backends.postgresql"  # psycopg 3
    assert config["HOST"] == "db"
    assert (config["NAME"], config["USER"], config["PASSWORD"]) == (
        db["POSTGRES_DB"],
        db["POSTGRES_USER"],
        db["POSTGRES_PASSWORD"],
    )


def redis_options(name: str) -> dict[str, str]:
    """The `--option value` pairs of a redis-server command."""
    command = [str(part) for part in service(name)["command"]]
    assert command[0] == "redis-server"
    return {command[i][2:]: command[i + 1] for i in range(1, len(command) - 1, 2)}


def test_compose_redis_url_points_at_the_broker_instance():
    assert re.fullmatch(r"redis://redis-broker:6379/\d+", environment("web")["REDIS_URL"])


def test_compose_cache_redis_url_points_at_the_cache_instance():
    assert re.fullmatch(r"redis://redis-cache:6379/\d+", environment("web")["CACHE_REDIS_URL"])


def test_compose_broker_redis_never_evicts():
    assert redis_options("redis-broker")["maxmemory-policy"] == "noeviction"


def test_compose_cache_redis_evicts_least_recently_used_keys_within_a_bound():
    options = redis_options("redis-cache")
    assert options["maxmemory-policy"] == "allkeys-lru"
    assert interpolation_default(options["maxmemory"]) not in ("", "0")


def test_compose_cache_redis_writes_nothing_to_disk():
    # It holds rendered pages with personal data: no snapshot, no append-only file.
    options = redis_options("redis-cache")
    assert (options["save"], options["appendonly"]) == ("", "no")


def test_compose_s3_endpoint_points_at_minio():
    assert environment("web")["AWS_S3_ENDPOINT_URL"] == "http://minio:9000"


def test_compose_s3_credentials_match_minio_root_user():
    app, minio = environment("web"), environment("minio")
    assert app["AWS_ACCESS_KEY_ID"] == minio["MINIO_ROOT_USER"]
    assert app["AWS_SECRET_ACCESS_KEY"] == minio["MINIO_ROOT_PASSWORD"]


def test_compose_minio_init_creates_the_application_bucket():
    init = environment("minio-init")
    assert init["BUCKET"] == environment("web")["AWS_STORAGE_BUCKET_NAME"]
    assert init["MINIO_ROOT_USER"] == environment("minio")["MINIO_ROOT_USER"]
    assert depends_on("minio-init") == {"minio": "service_healthy"}
    script = (ROOT / "docker" / "minio-init.sh").read_text()
    assert 'mc mb --ignore-existing "anef/$BUCKET"' in script


def test_compose_email_url_points_at_mailpit_smtp():
    config = environ.Env.email_url_config(environment("web")["EMAIL_URL"])
    assert config["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (config["EMAIL_HOST"], config["EMAIL_PORT"]) == ("mailpit", 1025)


@pytest.mark.parametrize("variable", REQUIRED_SECRETS)
def test_compose_secret_must_be_provided(variable):
    match = INTERPOLATION.fullmatch(environment("web")[variable])
    assert match is not None, environment("web")[variable]
    assert match["rest"].startswith(":?")


def test_compose_minio_root_password_must_be_provided():
    match = INTERPOLATION.fullmatch(environment("minio")["MINIO_ROOT_PASSWORD"])
    assert match is not None
    assert match["rest"].startswith(":?")


def test_compose_signing_key_and_its_id_come_from_the_operator():
    app = environment("web")
    assert INTERPOLATION.fullmatch(app["ATTESTATION_SIGNING_KEY"])["name"] == (
        "ATTESTATION_SIGNING_KEY"
    )
    assert INTERPOLATION.fullmatch(app["ATTESTATION_SIGNING_KEY_ID"])["name"] == (
        "ATTESTATION_SIGNING_KEY_ID"
    )


def test_compose_runs_in_production_mode():
    # Production: no process may sign with a key of its own making (anef/checks.py, anef.E001).
    assert environ.Env.parse_value(environment("web")["ANEF_PRODUCTION"], bool) is True


def published_ports(name: str) -> list[dict]:
    """A service's published ports as {host_ip, published, target}, short or long syntax."""
    ports = []
    for spec in service(name).get("ports") or []:
        if isinstance(spec, dict):
            ports.append({"host_ip": spec.get("host_ip", ""), **spec})
            continue
        parts = str(spec).split("/")[0].split(":")
        host_ip = parts[0] if len(parts) == 3 else ""
        ports.append({"host_ip": host_ip, "published": parts[-2] if len(parts) > 1 else ""})
    return ports


@pytest.mark.parametrize("name", sorted(set(compose()["services"]) - {"web"}))
def test_compose_service_publishes_ports_on_localhost_only(name):
    # The MinIO console (root credentials) and Mailpit (password-reset links) must not face the
    # network; only the portal does.
    assert [port for port in published_ports(name) if port["host_ip"] != "127.0.0.1"] == []


def test_compose_admin_consoles_are_still_reachable_from_the_host():
    assert {port["published"] for port in published_ports("minio")} == {"9001"}
    assert {port["published"] for port in published_ports("mailpit")} >= {"8025"}


def test_compose_runs_without_debug():
    assert environment("web")["DEBUG"] == "False"


def test_compose_beat_runs_a_single_replica():
    beat = service("beat")
    assert beat.get("deploy", {}).get("replicas", 1) <= 1
    assert beat.get("scale", 1) <= 1


def test_compose_beat_keeps_its_schedule_outside_the_code():
    command = service("beat")["command"]
    assert command[:4] == ["celery", "-A", "anef", "beat"]
    schedule = command[command.index("--schedule") + 1]
    assert schedule == "/tmp/celerybeat-schedule"  # noqa: S108 (writable in the container)


def test_compose_worker_runs_celery_worker():
    assert service("worker")["command"][:4] == ["celery", "-A", "anef", "worker"]


def test_compose_migrate_applies_migrations_then_reference_data():
    command = " ".join(service("migrate")["command"])
    assert "python manage.py migrate --noinput && python manage.py load_reference_data" in command
    assert service("migrate").get("restart") == "no"


@pytest.mark.parametrize("name", [*BACKING_SERVICES, "web"])
def test_compose_service_has_a_healthcheck(name):
    healthcheck = service(name).get("healthcheck", {})
    assert healthcheck.get("test")
    assert not healthcheck.get("disable", False)


def test_compose_web_healthcheck_probes_healthz_without_curl():
    test = service("web")["healthcheck"]["test"]
    assert test[:2] == ["CMD", "python"]
    assert "http://localhost:8000/healthz" in test[-1]


def test_compose_web_publishes_port_8000():
    assert "8000:8000" in service("web")["ports"]


@pytest.mark.parametrize("name", [*APP_SERVICES, "migrate"])
def test_compose_app_service_waits_for_healthy_backing_services(name):
    conditions = depends_on(name)
    for backing in BACKING_SERVICES:
        assert conditions.get(backing) == "service_healthy", backing


@pytest.mark.parametrize("name", APP_SERVICES)
def test_compose_app_service_waits_for_completed_migrations(name):
    assert depends_on(name).get("migrate") == "service_completed_successfully"


def test_compose_settings_parser_finds_the_variables_settings_reads():
    # Guards the check below against an empty parse, which would accept anything.
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "EMAIL_URL"} <= settings_variables()


def test_compose_typo_in_a_variable_name_is_detected():
    assert unknown_variables({"DATABSE_URL": "postgres://db/anef"}) == {"DATABSE_URL"}


@pytest.mark.parametrize("name", [*APP_SERVICES, "migrate"])
def test_compose_app_service_sets_only_variables_settings_reads(name):
    assert unknown_variables(environment(name)) == set()


def test_compose_uses_named_volumes_for_postgres_and_minio():
    named = set(compose().get("volumes") or {})
    for name, target in (("db", "/var/lib/postgresql/data"), ("minio", "/data")):
        sources = [m.split(":")[0] for m in service(name)["volumes"] if m.split(":")[1] == target]
        assert len(sources) == 1, name
        assert sources[0] in named, name


def test_compose_dockerfile_installs_the_hashed_lock():
    text = DOCKERFILE.read_text()
    assert "pip install --require-hashes --no-deps -r requirements/base.txt" in text


def test_compose_dockerfile_runs_as_non_root():
    users = re.findall(r"^USER\s+(\S+)", DOCKERFILE.read_text(), flags=re.MULTILINE)
    assert users
    assert users[-1] not in {"root", "0"}


def test_compose_dockerfile_collects_manifest_static_files():
    text = DOCKERFILE.read_text()
    assert "STATIC_MANIFEST=True" in text
    assert "collectstatic --noinput" in text


def test_compose_dockerignore_keeps_local_state_out_of_the_image():
    patterns = set(DOCKERIGNORE.read_text().split())
    assert {".env", "var/", ".venv/", ".git/"} <= patterns


def test_compose_doc_lists_every_variable_settings_reads():
    documented = set(re.findall(r"^\|\s*`([A-Z][A-Z0-9_]*)`", DOC_FILE.read_text(), re.MULTILINE))
    assert sorted(settings_variables() - documented) == []


@pytest.mark.parametrize(("name", "target"), [("worker", "worker"), ("beat", "beat")])
def test_compose_background_service_healthcheck_runs_the_health_command(name, target):
    healthcheck = service(name).get("healthcheck", {})
    assert not healthcheck.get("disable", False)
    assert healthcheck["test"][:5] == ["CMD", "python", "manage.py", "health", target]


@pytest.mark.parametrize("name", ["worker", "beat"])
def test_compose_background_service_healthcheck_times_out_and_waits_for_start(name):
    healthcheck = service(name)["healthcheck"]
    assert healthcheck.get("timeout")
    assert healthcheck.get("retries", 0) >= 1
    assert healthcheck.get("start_period")


def test_compose_beat_healthcheck_waits_longer_than_the_first_heartbeat():
    # The first heartbeat is written about a minute after beat starts.
    start = service("beat")["healthcheck"]["start_period"]
    assert int(start.rstrip("s")) > 60
