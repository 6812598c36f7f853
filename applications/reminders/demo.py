"""Demo data for the renewal reminders (`manage.py seed_demo`, called from anef.demo): a person
whose card is inside its 120-day window, with the dossier that gave her that card, so that
`make run` shows the banner on her dashboard and « renew now » copies her passport.

Fatou Ndiaye (fatou.ndiaye@anef.example): her first application as a salaried worker was
granted last year and her card handed over; it ends in 100 days, she has not filed yet. Her
files were given 290 days ago: the passport (which does not age) is copied into the renewal,
the proof of address and the photos (valid six months) are asked again. Created once: a person
who already has applications keeps them as they are."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from applications import services
from applications.models import Application, Document
from applications.selectors import application_missing_documents
from reference.enums import ProcedureKind
from reference.models import Ground

DEMO_EMAIL = "fatou.ndiaye@anef.example"
AGENT_EMAIL = "agent.paris@anef.example"
GROUND = "salaried_worker"
CARD_NUMBER = "DEMO-REN-0001"
DAYS_LEFT = 100  # inside the window: it opened 20 days ago (R. 431-5 1°)
FILES_GIVEN_DAYS_AGO = 290


def renewal_reminder_demo_seed(users: dict[str, User], pdf) -> None:
    """`pdf(name)`: an upload the pipeline accepts (anef.demo's blank page)."""
    person, agent = users.get(DEMO_EMAIL), users.get(AGENT_EMAIL)
    if person is None or agent is None:
        return
    if Application.objects.filter(applicant=person).exists():
        return
    today = timezone.localdate()
    application = services.application_create(
        applicant=person,
        ground=Ground.objects.get(code=GROUND),
        kind=ProcedureKind.FIRST_APPLICATION,
        actor=person,
    )
    for document_type in application_missing_documents(application):
        services.document_add(
            application=application,
            document_type=document_type,
            uploaded_file=pdf(f"{document_type.code}.pdf"),
            actor=person,
        )
    application = services.application_submit(application=application, actor=person)
    application = services.application_mark_complete(application=application, actor=agent)
    application = services.application_decide_favourable(application=application, actor=agent)
    application = services.application_record_card_available(application=application, actor=agent)
    valid_from = today - timedelta(days=365 - DAYS_LEFT)
    services.application_record_card_handed_over(
        application=application,
        actor=agent,
        card_number=CARD_NUMBER,
        valid_from=valid_from,
        valid_until=today + timedelta(days=DAYS_LEFT),
        handed_over_on=valid_from,
    )
    # Her history, as if lived: the files were given before the card was made.
    Document.objects.filter(application=application).update(
        uploaded_at=timezone.now() - timedelta(days=FILES_GIVEN_DAYS_AGO)
    )
