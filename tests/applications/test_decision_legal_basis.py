"""A refusal cites the article of the ground asked for, never the catalogue's placeholder
(issue 18: « CESEDA, article du motif demandé, et L. 432-1 » was printed in legal decisions)."""

import pytest

from applications import services
from reference.models import DecisionReason
from tests.accounts.factories import ApplicantProfileFactory, PrefectureAgentFactory
from tests.applications.helpers import complete


@pytest.mark.django_db
def test_refusal_with_the_catalogue_basis_records_the_grounds_article(reference_data):
    agent = PrefectureAgentFactory(prefecture__departement_code="75")
    application = complete(ApplicantProfileFactory(postal_code="75011"), agent, "salaried_worker")
    reason = DecisionReason.objects.get(code="conditions_not_met")
    services.application_decide_unfavourable(
        application=application,
        actor=agent,
        reason=reason,
        explanation="Le contrat de travail n'est pas signé.",
        legal_basis=reason.legal_basis,  # as an API client copies it from the catalogue
        remedies=reason.remedies_fr,
    )
    application.refresh_from_db()
    assert application.decision_legal_basis == "CESEDA, L. 421-1 et L. 432-1"


@pytest.mark.django_db
def test_every_catalogue_reason_cites_no_unfilled_placeholder_once_filled(reference_data):
    agent = PrefectureAgentFactory(prefecture__departement_code="75")
    ground = complete(ApplicantProfileFactory(postal_code="75011"), agent, "student").ground
    for reason in DecisionReason.objects.all():
        assert "{" not in reason.legal_basis_for(ground), reason.code
        assert "motif demandé" not in reason.legal_basis_for(ground), reason.code
