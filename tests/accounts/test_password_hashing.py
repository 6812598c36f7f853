"""Passwords are stored with Argon2id at OWASP's parameters; older hashes are upgraded at sign-in.

The other tests hash with MD5 for speed (tests/conftest.py); these put the project's own
PASSWORD_HASHERS back, as settings.py configures them.
"""

import importlib

import pytest
from django.contrib.auth.hashers import get_hasher, identify_hasher, make_password
from django.urls import reverse

from tests.accounts.factories import PASSWORD, ApplicantFactory

PROJECT_HASHERS = importlib.import_module("anef.settings").PASSWORD_HASHERS


@pytest.fixture
def project_hashers(settings):
    settings.PASSWORD_HASHERS = PROJECT_HASHERS


def test_password_hasher_configured_is_argon2id_at_owasp_minimum_or_stronger(project_hashers):
    hasher = get_hasher()
    parameters = hasher.params()
    assert hasher.algorithm == "argon2"
    assert parameters.type.name == "ID"
    # OWASP: at least 19 MiB with two passes, or 46 MiB with one (the same cost), one lane.
    assert parameters.memory_cost * parameters.time_cost >= 47104


@pytest.mark.django_db
def test_password_stored_with_pbkdf2_is_rewritten_with_argon2id_at_sign_in(client, project_hashers):
    user = ApplicantFactory()
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])

    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})

    assert response.status_code == 302
    user.refresh_from_db()
    assert identify_hasher(user.password).algorithm == "argon2"


@pytest.mark.django_db
def test_password_wrong_leaves_the_old_hash_in_place(client, project_hashers):
    user = ApplicantFactory()
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])

    response = client.post(reverse("account_login"), {"login": user.email, "password": "nope"})

    assert response.status_code == 200
    user.refresh_from_db()
    assert identify_hasher(user.password).algorithm == "pbkdf2_sha256"
