"""DESIGN.md §7 scenario 5, up to the opened substitution case, through the Django test client:
someone cannot create an account; the contact form (no login) reaches the contact centre; an
agent confirms the technical impossibility; the person's private link shows the written
acknowledgement and the substitution case."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from attestations.enums import AttestationKind
from substitution.enums import CaseOrigin, CaseStatus
from support.models import Ticket
from tests.accounts.factories import ContactCentreAgentFactory

pytestmark = pytest.mark.django_db
EN = {"accept-language": "en"}


def test_scenario_5_blocked_person_reaches_substitution(
    reference_data, django_capture_on_commit_callbacks
):
    person = Client()
    # 1. No account: the contact form.
    with django_capture_on_commit_callbacks(execute=True):
        sent = person.post(
            "/contact/",
            {
                "name": "Mariam Camara",
                "email": "mariam.camara@example.org",
                "phone": "0611223344",
                "foreigner_number": "",
                "postal_code": "93200",
                "category": "cannot_create_account",
                "message": "The site says my e-mail is already used, but I have no account.",
                "website": "",
            },
            headers=EN,
        )
    assert sent.status_code == 200
    ticket = Ticket.objects.get()
    link = sent.context["link"].split("testserver", 1)[1]
    assert link in mail.outbox[0].body

    # 2. The contact centre finds it in the queue of its category and opens it.
    agent = Client()
    agent.force_login(ContactCentreAgentFactory())
    queue = agent.get("/support/", {"category": "cannot_create_account"})
    assert [row.pk for row, _late in queue.context["rows"]] == [ticket.pk]
    page = agent.get(f"/support/tickets/{ticket.number}/", headers=EN)
    assert "Confirm a technical impossibility" in page.text

    # 3. It cannot be solved: the agent confirms the technical impossibility, in one step.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = agent.post(
            f"/support/tickets/{ticket.number}/technical-impossibility/",
            {
                "first_name": "Mariam",
                "last_name": "Camara",
                "blocking_description": "Sign-up refuses an address wrongly marked as used; "
                "the technical team cannot release it.",
                "prefecture": "",
            },
        )
    assert confirmed.status_code == 302
    ticket.refresh_from_db()
    attestation, case = ticket.acknowledgement, ticket.substitution_case
    assert attestation.kind == AttestationKind.TECHNICAL_IMPOSSIBILITY
    assert attestation.prefecture.departement_code == "93"
    assert (case.origin, case.status) == (CaseOrigin.CONTACT_CENTRE, CaseStatus.OPEN)
    assert case.acknowledgement == attestation
    ours = [m for m in mail.outbox if link in m.body]
    assert len(ours) == 1 and not ours[0].attachments

    # 4. The person's private link shows what happens next, the acknowledgement and the case.
    follow = person.get(link, headers=EN)
    assert follow.status_code == 200
    assert "You can file your application another way" in follow.text
    assert attestation.number in follow.text
    assert case.reference in follow.text
    # ... and leads straight to the appointment picker of the substitution case.
    booking = reverse("substitution_public:case", args=[case.access_token])
    assert booking in follow.text
    assert person.get(booking).status_code == 200
    pdf = person.get(f"{link}acknowledgement.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")

    # A second confirmation is impossible.
    again = agent.post(
        f"/support/tickets/{ticket.number}/technical-impossibility/",
        {"first_name": "Mariam", "last_name": "Camara", "blocking_description": "Again"},
    )
    assert again.status_code == 302
    ticket.refresh_from_db()
    assert ticket.acknowledgement == attestation
