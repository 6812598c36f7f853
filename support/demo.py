"""Demo tickets for the embedded default (`manage.py seed_demo`), created once.

Scenario 5 of DESIGN.md §7 starts here: Mariam Camara has no account (she cannot create one)
and wrote through the public contact form; the contact-centre agent (contact@anef.example) finds
her ticket in the « I cannot create an account » queue and can confirm the technical
impossibility. Two more tickets fill the other queues: one from a signed-in applicant about her
dossier (answered, with an internal note), one recorded after a phone call.
"""

from django.contrib.auth.models import Permission

from accounts.enums import Role
from accounts.models import User
from support import services
from support.enums import TicketCategory
from support.models import SavedAnswer, Ticket

SCENARIO_5_EMAIL = "mariam.camara@example.org"

SAVED_ANSWERS = (
    (
        "Account: confirmation e-mail not received",
        TicketCategory.CANNOT_CREATE_ACCOUNT,
        "Bonjour,\n\nL'e-mail de confirmation peut arriver dans les courriers indésirables "
        "(spam). Si vous ne le trouvez pas après une heure, répondez à ce message : nous "
        "l'envoyons à nouveau ou nous vous proposons une autre façon de faire votre demande.",
        "Hello,\n\nThe confirmation e-mail may be in your spam folder. If you cannot find it "
        "after one hour, answer this message: we will send it again or offer you another way "
        "to apply.",
    ),
    (
        "Attestation: when it arrives",
        TicketCategory.ATTESTATION_MISSING,
        "Bonjour,\n\nVous n'avez rien à demander : l'attestation de prolongation d'instruction "
        "arrive seule dans votre espace avant la fin de votre titre, si votre demande est "
        "complète. Nous vérifions votre dossier et revenons vers vous.",
        "Hello,\n\nYou do not need to ask: the attestation arrives by itself in your space "
        "before your card ends, if your application is complete. We are checking your file "
        "and will come back to you.",
    ),
)


def support_demo_seed(users: dict[str, User]) -> None:
    """Idempotent: saved answers are matched by title, tickets by the demo's own markers."""
    agent = next(user for user in users.values() if user.role == Role.CONTACT_CENTRE_AGENT)
    # The second pair of eyes of account recoveries (issue 15): a supervisor among the agents.
    supervisor = next(
        (user for email, user in users.items() if email.startswith("supervisor@")), None
    )
    if supervisor is not None:
        supervisor.user_permissions.add(
            Permission.objects.get(
                content_type__app_label="support", codename="supervise_contact_centre"
            )
        )
    for title, category, body_fr, body_en in SAVED_ANSWERS:
        SavedAnswer.objects.get_or_create(
            title=title,
            defaults={"category": category, "body_fr": body_fr, "body_en": body_en},
        )
    if not Ticket.objects.filter(email=SCENARIO_5_EMAIL).exists():
        services.ticket_open_from_contact_form(
            name="Mariam Camara",
            email=SCENARIO_5_EMAIL,
            phone="06 11 22 33 44",
            foreigner_number="",
            postal_code="93200",
            category=TicketCategory.CANNOT_CREATE_ACCOUNT,
            body="Le site dit que mon adresse e-mail est déjà utilisée, mais je n'ai pas de "
            "compte. J'ai essayé trois fois depuis une semaine.",
        )
    applicant = next(
        (user for user in users.values() if user.role == Role.APPLICANT),
        None,
    )
    if applicant is not None and not Ticket.objects.filter(requester=applicant).exists():
        ticket, _token = services.ticket_open_from_portal(
            actor=applicant,
            category=TicketCategory.ATTESTATION_MISSING,
            body="Mon titre expire bientôt. Vais-je recevoir une attestation ?",
            application=applicant.applications.order_by("pk").first(),
        )
        services.ticket_note_add(
            ticket=ticket, actor=agent, body="Dossier complet, attestation prévue : rassurer."
        )
        services.ticket_reply(ticket=ticket, actor=agent, body=SAVED_ANSWERS[1][2])
    if not Ticket.objects.filter(channel="phone", opened_by=agent).exists():
        services.ticket_open_by_phone(
            actor=agent,
            name="Jean-Baptiste Mvondo",
            email="",
            phone="07 55 44 33 22",
            foreigner_number="9301234567",
            category=TicketCategory.CANNOT_LOG_IN,
            body="Ne reçoit plus les codes de connexion : a changé de téléphone.",
        )
