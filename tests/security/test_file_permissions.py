"""The embedded default keeps its files private (issue 15: the SQLite database and the identity
documents were created world-readable): files 0600, folders 0700."""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

ROOT = Path(__file__).resolve().parents[2]

# What manage.py, the WSGI server and Celery do first: load the settings, then create files.
EMBEDDED_START = """
import json, os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "anef.settings"
import django
django.setup()
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE probe (id integer)")
name = default_storage.save("applications/2026/passport.pdf", ContentFile(b"%PDF-1.7"))
print(json.dumps({
    "database": settings.DATABASES["default"]["NAME"],
    "document": default_storage.path(name),
}))
"""


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_embedded_default_creates_database_and_documents_private(tmp_path):
    var = tmp_path / "var"
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "AWS_STORAGE_BUCKET_NAME", "MEDIA_ROOT"}
    }
    environment["ANEF_VAR_DIR"] = str(var)
    result = subprocess.run(
        [sys.executable, "-c", EMBEDDED_START],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    paths = json.loads(result.stdout.strip().splitlines()[-1])
    assert mode(var) == 0o700
    assert mode(paths["database"]) == 0o600
    assert mode(paths["document"]) == 0o600
    assert mode(Path(paths["document"]).parent) == 0o700
    world = [str(path) for path in var.rglob("*") if mode(path) & (stat.S_IRWXG | stat.S_IRWXO)]
    assert world == []


def test_file_storage_keeps_documents_private_whatever_the_umask(tmp_path):
    previous = os.umask(0o022)
    try:
        storage = FileSystemStorage(location=tmp_path)
        name = storage.save("documents/7/passport.pdf", ContentFile(b"%PDF-1.7"))
    finally:
        os.umask(previous)
    assert settings.FILE_UPLOAD_PERMISSIONS == 0o600
    assert mode(storage.path(name)) == 0o600
    assert mode(Path(storage.path(name)).parent) == 0o700
