"""E-mail addresses are compared after Unicode normalisation (NFKC) and case folding, and the
database's uniqueness matches that comparison (issue 15: on PostgreSQL `ırina@…` and `irina@…`
were two accounts that one case-insensitive lookup matched)."""

import importlib

import pytest
from django.apps import apps as global_apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import translation

from accounts.adapters import AccountAdapter
from accounts.models import User, email_key
from tests.accounts.factories import PASSWORD, ApplicantFactory
from tests.conftest import fresh_cache_setting

migration = importlib.import_module("accounts.migrations.0004_user_email_key")


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    settings.CACHES = fresh_cache_setting()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Fiona@Example.org", "fiona@example.org"),
        ("\ufb01ona@example.org", "fiona@example.org"),  # the "fi" ligature
        ("STRASSE@example.org", "straße@example.org"),
        ("\uff41wa@example.org", "awa@example.org"),  # fullwidth a
    ],
)
def test_email_key_is_the_same_for_addresses_that_are_the_same(typed, stored):
    assert email_key(typed) == email_key(stored)


def test_email_key_keeps_dotless_i_apart():
    assert email_key("ırina@example.org") != email_key("irina@example.org")


@pytest.mark.django_db
def test_second_account_with_the_same_normalised_email_is_refused_by_the_database():
    ApplicantFactory(email="fiona@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        ApplicantFactory(email="\ufb01ona@example.org")


@pytest.mark.django_db
def test_second_account_with_the_same_normalised_email_is_refused_by_validation():
    ApplicantFactory(email="straße@example.org")
    user = User(email="strasse@example.org")
    with translation.override("en"), pytest.raises(ValidationError, match="already uses"):
        user.full_clean(exclude=["password"])


@pytest.mark.django_db
def test_dotless_and_dotted_i_accounts_each_have_their_own_lookup():
    """On PostgreSQL, `email__iexact` (UPPER) matched both: the key matches exactly one."""
    dotted = ApplicantFactory(email="irina@example.org")
    dotless = ApplicantFactory(email="ırina@example.org")
    assert list(User.objects.filter_by_email("IRINA@example.org")) == [dotted]
    assert list(User.objects.filter_by_email("ırina@example.org")) == [dotless]
    assert User.objects.get_by_natural_key("Irina@Example.org") == dotted
    if connection.vendor == "postgresql":
        # The lookup the code must not use any more: it cannot tell them apart.
        assert User.objects.filter(email__iexact="irina@example.org").count() == 2


@pytest.mark.django_db
def test_login_with_a_differently_written_address_signs_into_the_one_account(client):
    user = ApplicantFactory(email="awa@straße.de")
    client.post(reverse("account_login"), {"login": "AWA@STRASSE.de", "password": PASSWORD})
    assert client.session.get("_auth_user_id") == str(user.pk)


@pytest.mark.django_db
def test_signup_with_a_differently_written_address_is_the_existing_account():
    """allauth's sign-up and e-mail change then treat the address as taken (an exact
    duplicate), with their protection against telling who has an account."""
    ApplicantFactory(email="awa@straße.de")
    assert AccountAdapter().clean_email("Awa@Strasse.de") == "awa@straße.de"


@pytest.mark.django_db
def test_migration_reports_colliding_accounts_and_merges_nothing():
    first = ApplicantFactory(email="fiona@example.org")
    second = ApplicantFactory(email="gina@example.org")
    # As if written before the key existed: the same address once normalised.
    User.objects.filter(pk=second.pk).update(email="\ufb01ona@example.org", email_key="other")
    with pytest.raises(migration.EmailCollision, match=rf"user {first.pk} .*user {second.pk}"):
        migration.fill_email_key(global_apps, None)
    assert User.objects.count() == 2


@pytest.mark.django_db
def test_migration_fills_the_key_of_existing_accounts():
    user = ApplicantFactory(email="awa@example.org")
    User.objects.filter(pk=user.pk).update(email="AWA@Example.org", email_key="stale")
    migration.fill_email_key(global_apps, None)
    user.refresh_from_db()
    assert user.email_key == "awa@example.org"
