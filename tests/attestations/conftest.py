import os
import sys

import pytest
from django.db.models.query_utils import DeferredAttribute

from tests.attestations.factories import paris_agent

SWEEP_CODE = os.path.join("attestations", "services", "")


@pytest.fixture
def agent(reference_data):
    """An agent of the Paris prefecture (tests/attestations/factories.py)."""
    return paris_agent()


@pytest.fixture(autouse=True)
def sweep_loads_no_deferred_column(monkeypatch):
    """The sweep reads the dossiers with only the columns its plans use (`ledger.dossiers_read`):
    a column it uses later without listing it would cost one query per dossier, silently. In
    every test of this folder, such a load from the sweep's code fails the test instead."""
    load = DeferredAttribute.__get__

    def get(self, instance, cls=None):
        if instance is not None and self.field.attname not in instance.__dict__:
            frame = sys._getframe(1)
            while frame is not None:
                if SWEEP_CODE in frame.f_code.co_filename:
                    raise AssertionError(
                        f"{type(instance).__name__}.{self.field.attname} was not read with the "
                        "dossier: add it to attestations.services.ledger.DOSSIER_FIELDS"
                    )
                frame = frame.f_back
        return load(self, instance, cls)

    monkeypatch.setattr(DeferredAttribute, "__get__", get)
