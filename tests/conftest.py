import pytest

from applications.services import reference_data_load


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Hashing strength is not what these tests measure; MD5 keeps the suite fast.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def reference_data(db):
    """The real catalogue (prefectures, grounds, checklists), as `make run` loads it."""
    return reference_data_load()
