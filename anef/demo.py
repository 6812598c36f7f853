"""Demo data for the embedded default: one person per scenario of DESIGN.md §7, agents of two
prefectures, a contact-centre agent, a helper and an administrator. Idempotent: running it again
brings the same accounts back to the same state, and creates nothing twice."""

import io
from dataclasses import dataclass
from datetime import date, timedelta

import pikepdf
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.enums import MandateDuration, Role
from accounts.mandates import mandate_grant
from accounts.models import ApplicantProfile, Mandate, User
from accounts.services import applicant_profile_create, user_create
from applications import services
from applications.models import Application, ResidencePermit
from applications.reminders.demo import renewal_reminder_demo_seed
from applications.selectors import application_missing_documents
from applications.workbench.demo import workbench_demo_seed
from attestations.services import attestations_sweep
from reference.catalogue.loader import reference_data_load
from reference.enums import CardType, ProcedureKind
from reference.models import DecisionReason, Ground, Prefecture
from substitution.demo import substitution_demo_seed
from support.demo import support_demo_seed

DEMO_PASSWORD = "demo-anef-2026"  # noqa: S105 - printed on purpose: demo accounts only
DEMO_DOMAIN = "anef.example"


@dataclass(frozen=True)
class DemoPerson:
    email: str
    role: Role
    first_name: str
    last_name: str
    description: str
    prefecture_departement: str | None = None
    profile: dict | None = None


DEMO_PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson(
        f"amina.diallo@{DEMO_DOMAIN}",
        Role.APPLICANT,
        "Amina",
        "Diallo",
        "scenario 1 — salaried worker renewing her card, attestations with no action",
        profile={
            "birth_date": date(1990, 4, 12),
            "nationality": "Sénégalaise",
            "foreigner_number": "7501234567",
            "address_line": "12 rue de la Roquette",
            "postal_code": "75011",
            "city": "Paris",
            "birth_place": "Dakar",
        },
    ),
    DemoPerson(
        f"karim.benali@{DEMO_DOMAIN}",
        Role.APPLICANT,
        "Karim",
        "Benali",
        "scenario 2 — renewal wrongly refused, reports the error",
        profile={
            "birth_date": date(1985, 11, 3),
            "nationality": "Algérienne",
            "foreigner_number": "9302345678",
            "address_line": "4 avenue Jean Jaurès",
            "postal_code": "93200",
            "city": "Saint-Denis",
            "birth_place": "Oran",
        },
    ),
    DemoPerson(
        f"maria.santos@{DEMO_DOMAIN}",
        Role.APPLICANT,
        "Maria",
        "Santos",
        "scenario 3 — parent of a French child and salaried worker, two applications",
        profile={
            "birth_date": date(1992, 7, 21),
            "nationality": "Brésilienne",
            "foreigner_number": "7503456789",
            "address_line": "30 boulevard Barbès",
            "postal_code": "75018",
            "city": "Paris",
            "birth_place": "Recife",
        },
    ),
    DemoPerson(
        f"yonas.tesfaye@{DEMO_DOMAIN}",
        Role.APPLICANT,
        "Yonas",
        "Tesfaye",
        "scenario 4 — adult child of a refugee, no foreigner number yet",
        profile={
            "birth_date": date(2007, 9, 2),
            "nationality": "Érythréenne",
            "foreigner_number": None,
            "address_line": "8 rue Gabriel Péri",
            "postal_code": "93100",
            "city": "Montreuil",
            "birth_place": "Asmara",
        },
    ),
    DemoPerson(
        f"oleksandr.petrenko@{DEMO_DOMAIN}",
        Role.APPLICANT,
        "Oleksandr",
        "Petrenko",
        "scenario 6 — uploads keep failing, substitution offered automatically",
        profile={
            "birth_date": date(1979, 2, 14),
            "nationality": "Ukrainienne",
            "foreigner_number": "7504567890",
            "address_line": "5 rue de Tolbiac",
            "postal_code": "75013",
            "city": "Paris",
            "birth_place": "Kharkiv",
        },
    ),
    DemoPerson(
        f"lan.nguyen@{DEMO_DOMAIN}",
        Role.APPLICANT,
        "Lan",
        "Nguyen",
        "scenario 7 — moves from Paris to Seine-Saint-Denis during instruction",
        profile={
            "birth_date": date(1995, 1, 30),
            "nationality": "Vietnamienne",
            "foreigner_number": "7505678901",
            "address_line": "22 rue de Belleville",
            "postal_code": "75020",
            "city": "Paris",
            "birth_place": "Hanoï",
        },
    ),
    DemoPerson(
        f"samuel.mensah@{DEMO_DOMAIN}",
        Role.APPLICANT,
        "Samuel",
        "Mensah",
        "scenario 9 — dossier closed, with reasons, legal basis and remedies",
        profile={
            "birth_date": date(1988, 5, 9),
            "nationality": "Ghanéenne",
            "foreigner_number": "9306789012",
            "address_line": "15 rue de Paris",
            "postal_code": "93300",
            "city": "Aubervilliers",
            "birth_place": "Accra",
        },
    ),
    DemoPerson(
        f"ibrahima.sow@{DEMO_DOMAIN}",
        Role.APPLICANT,
        "Ibrahima",
        "Sow",
        "scenario 10 — files through a helper under a mandate",
        profile={
            "birth_date": date(1983, 12, 17),
            "nationality": "Guinéenne",
            "foreigner_number": "7507890123",
            "address_line": "42 rue de la Santé",
            "postal_code": "75014",
            "city": "Paris",
            "birth_place": "Conakry",
        },
    ),
    DemoPerson(
        f"claire.martin@{DEMO_DOMAIN}",
        Role.HELPER,
        "Claire",
        "Martin",
        "scenario 10 — helper (PAN agent / social worker)",
    ),
    DemoPerson(
        f"agent.paris@{DEMO_DOMAIN}",
        Role.PREFECTURE_AGENT,
        "Paul",
        "Lefèvre",
        "prefecture agent, Paris",
        prefecture_departement="75",
    ),
    DemoPerson(
        f"agent.seine-saint-denis@{DEMO_DOMAIN}",
        Role.PREFECTURE_AGENT,
        "Sonia",
        "Haddad",
        "prefecture agent, Seine-Saint-Denis",
        prefecture_departement="93",
    ),
    DemoPerson(
        f"supervisor.seine-saint-denis@{DEMO_DOMAIN}",
        Role.PREFECTURE_AGENT,
        "Nadia",
        "Benali",
        "prefecture supervisor, Seine-Saint-Denis (team load, assignment, figures)",
        prefecture_departement="93",
    ),
    DemoPerson(
        f"contact@{DEMO_DOMAIN}",
        Role.CONTACT_CENTRE_AGENT,
        "Hélène",
        "Roux",
        "contact-centre agent",
    ),
    DemoPerson(
        f"supervisor@{DEMO_DOMAIN}",
        Role.CONTACT_CENTRE_AGENT,
        "Marc",
        "Girard",
        "contact-centre supervisor (approves account recoveries)",
    ),
    DemoPerson(
        f"admin@{DEMO_DOMAIN}",
        Role.ADMINISTRATOR,
        "Alex",
        "Admin",
        "administrator",
    ),
    DemoPerson(
        f"fatou.ndiaye@{DEMO_DOMAIN}",
        Role.APPLICANT,
        "Fatou",
        "Ndiaye",
        "renewal reminder — her card ends in 100 days: banner, « renew now », documents copied",
        profile={
            "birth_date": date(1992, 2, 21),
            "nationality": "Sénégalaise",
            "foreigner_number": "7509876543",
            "address_line": "8 rue des Pyrénées",
            "postal_code": "75020",
            "city": "Paris",
            "birth_place": "Thiès",
        },
    ),
    # Issue 16: the at-risk dashboard has a row in each of its sections but the API gaps (which
    # must stay empty) under make run (_demo_at_risk).
    DemoPerson(
        f"moussa.kone@{DEMO_DOMAIN}",
        Role.APPLICANT,
        "Moussa",
        "Koné",
        "at risk — his card ends in 40 days and he has not filed a renewal (Paris)",
        profile={
            "birth_date": date(1985, 9, 3),
            "nationality": "Malienne",
            "foreigner_number": "7504561230",
            "address_line": "5 rue Championnet",
            "postal_code": "75018",
            "city": "Paris",
            "birth_place": "Bamako",
        },
    ),
    DemoPerson(
        f"mei.zhang@{DEMO_DOMAIN}",
        Role.APPLICANT,
        "Mei",
        "Zhang",
        "at risk — renewal filed, not complete, 10 days before the filing window closes (Paris)",
        profile={
            "birth_date": date(1998, 1, 17),
            "nationality": "Chinoise",
            "foreigner_number": "7507418529",
            "address_line": "30 avenue d'Italie",
            "postal_code": "75013",
            "city": "Paris",
            "birth_place": "Wuhan",
        },
    ),
    DemoPerson(
        f"ravi.kumar@{DEMO_DOMAIN}",
        Role.APPLICANT,
        "Ravi",
        "Kumar",
        "at risk — complete for 100 days: a decision is due before the silence means refusal "
        "(Seine-Saint-Denis)",
        profile={
            "birth_date": date(1993, 6, 30),
            "nationality": "Indienne",
            "address_line": "14 rue de la République",
            "postal_code": "93200",
            "city": "Saint-Denis",
            "birth_place": "Pune",
        },
    ),
)


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    description: str


def _person_upsert(person: DemoPerson) -> User:
    prefecture = (
        Prefecture.objects.get(departement_code=person.prefecture_departement)
        if person.prefecture_departement
        else None
    )
    user = User.objects.filter(email=person.email).first()
    if user is None:
        user = user_create(
            email=person.email,
            password=DEMO_PASSWORD,
            role=person.role,
            first_name=person.first_name,
            last_name=person.last_name,
            prefecture=prefecture,
            email_verified=True,
        )
    else:
        is_admin = person.role == Role.ADMINISTRATOR
        user.role = person.role
        user.first_name, user.last_name = person.first_name, person.last_name
        user.prefecture = prefecture
        user.is_staff = user.is_superuser = is_admin
        user.is_active = True
        user.set_password(DEMO_PASSWORD)
        user.save()
        EmailAddress.objects.update_or_create(
            user=user, email=user.email, defaults={"primary": True, "verified": True}
        )
    if person.profile is not None:
        existing = ApplicantProfile.objects.filter(user=user).first()
        if existing is None:
            applicant_profile_create(user=user, **person.profile)
        else:
            for name, value in person.profile.items():
                setattr(existing, name, value)
            existing.full_clean(exclude=["user"])
            existing.save()
    return user


def _demo_pdf(name: str) -> SimpleUploadedFile:
    """A blank A4 page: uploads are parsed and rewritten before they are stored."""
    output = io.BytesIO()
    with pikepdf.new() as pdf:
        pdf.add_blank_page(page_size=(595, 842))
        pdf.save(output, deterministic_id=True)
    return SimpleUploadedFile(name, output.getvalue(), content_type="application/pdf")


def _demo_filed(user: User, ground_code: str, **kwargs) -> Application:
    application = services.application_create(
        applicant=user,
        ground=Ground.objects.get(code=ground_code),
        kind=kwargs.pop("kind", ProcedureKind.FIRST_APPLICATION),
        actor=user,
        **kwargs,
    )
    for document_type in application_missing_documents(application):
        services.document_add(
            application=application,
            document_type=document_type,
            uploaded_file=_demo_pdf(f"{document_type.code}.pdf"),
            actor=user,
        )
    return services.application_submit(application=application, actor=user)


def _demo_permit(user: User, ground_code: str, valid_until: date, **kwargs) -> ResidencePermit:
    return services.permit_declare(
        holder=user,
        number=kwargs.pop("number", f"DEMO{user.pk:06d}"),
        card_type=CardType.TEMPORARY,
        valid_from=valid_until.replace(year=valid_until.year - 1),
        valid_until=valid_until,
        actor=user,
        ground=Ground.objects.get(code=ground_code),
        **kwargs,
    )


def _demo_dossiers(users: dict[str, User]) -> None:
    """The dossiers of the scenarios, created once: a person who already has applications keeps
    them as they are (the demo may have moved them on)."""
    today = timezone.localdate()
    agent_75 = users[f"agent.paris@{DEMO_DOMAIN}"]
    agent_93 = users[f"agent.seine-saint-denis@{DEMO_DOMAIN}"]

    def untouched(email: str) -> User | None:
        user = users[email]
        return None if Application.objects.filter(applicant=user).exists() else user

    if amina := untouched(f"amina.diallo@{DEMO_DOMAIN}"):
        # Scenario 1: her card ends in 10 days; she filed a complete renewal 75 days ago, in the
        # R. 431-5 window, so her API is already in her hands (issued 15 days ahead).
        permit = _demo_permit(amina, "salaried_worker", today + timedelta(days=10))
        renewal = _demo_filed(
            amina, "salaried_worker", kind=ProcedureKind.RENEWAL, renews_permit=permit
        )
        renewal = services.application_mark_complete(application=renewal, actor=agent_75)
        now = timezone.now()
        Application.objects.filter(pk=renewal.pk).update(  # her history, as if lived
            filed_at=now - timedelta(days=75), completed_at=now - timedelta(days=60)
        )
    if karim := untouched(f"karim.benali@{DEMO_DOMAIN}"):
        # Scenario 2: the handover of his previous card was never recorded; refused for it.
        permit = _demo_permit(
            karim, "salaried_worker", today + timedelta(days=70), handed_over=False
        )
        renewal = _demo_filed(
            karim, "salaried_worker", kind=ProcedureKind.RENEWAL, renews_permit=permit
        )
        renewal = services.application_mark_complete(application=renewal, actor=agent_93)
        reason = DecisionReason.objects.get(code="conditions_not_met")
        services.application_decide_unfavourable(
            application=renewal,
            actor=agent_93,
            reason=reason,
            explanation="La remise de votre carte précédente n'est pas enregistrée : "
            "nous ne pouvons pas renouveler une carte qui ne vous a pas été remise.",
            legal_basis=reason.legal_basis,
            remedies=reason.remedies_fr,
        )
    if maria := untouched(f"maria.santos@{DEMO_DOMAIN}"):
        # Scenario 3: two grounds filed the same week.
        _demo_filed(maria, "parent_of_french_child")
        _demo_filed(maria, "salaried_worker")
    if yonas := untouched(f"yonas.tesfaye@{DEMO_DOMAIN}"):
        # Scenario 4: no foreigner number yet.
        _demo_filed(yonas, "refugee_adult_child")
    if oleksandr := untouched(f"oleksandr.petrenko@{DEMO_DOMAIN}"):
        # Scenario 6: a draft whose uploads keep failing.
        services.application_create(
            applicant=oleksandr,
            ground=Ground.objects.get(code="personal_and_family_ties"),
            kind=ProcedureKind.FIRST_APPLICATION,
            actor=oleksandr,
        )
    if lan := untouched(f"lan.nguyen@{DEMO_DOMAIN}"):
        # Scenario 7: filed in Paris; she will move to Seine-Saint-Denis.
        _demo_filed(lan, "student")
    ibrahima = users[f"ibrahima.sow@{DEMO_DOMAIN}"]
    claire = users[f"claire.martin@{DEMO_DOMAIN}"]
    if not Mandate.objects.active_on(today).filter(person=ibrahima, helper=claire).exists():
        # Scenario 10: Ibrahima gave Claire (a prison social worker) a mandate for a year.
        mandate_grant(
            person=ibrahima,
            helper_email=claire.email,
            duration=MandateDuration.ONE_YEAR,
            starts_on=today,
            organisation_name="SPIP de Paris",
            organisation_email=f"spip@{DEMO_DOMAIN}",
        )
    if untouched(ibrahima.email):
        # ... and Claire started his application, with a first document: she can finish it.
        application = services.application_create(
            applicant=ibrahima,
            ground=Ground.objects.get(code="personal_and_family_ties"),
            kind=ProcedureKind.FIRST_APPLICATION,
            actor=claire,
        )
        services.document_add(
            application=application,
            document_type=application_missing_documents(application)[0],
            uploaded_file=_demo_pdf("passeport.pdf"),
            actor=claire,
        )
    if samuel := untouched(f"samuel.mensah@{DEMO_DOMAIN}"):
        # Scenario 9: complete, for the agent to close with reasons.
        services.application_mark_complete(
            application=_demo_filed(samuel, "personal_and_family_ties"), actor=agent_93
        )


def _demo_at_risk(users: dict[str, User]) -> None:
    """Three people at risk, created once, so that the at-risk dashboard (issue 16) shows what to
    do under make run: a card ending in 40 days with nothing filed, a renewal filed in its window
    but not complete 10 days before the window closes (Paris), and a dossier complete for 100
    days, whose silence becomes a refusal in about 20 (Seine-Saint-Denis)."""
    today = timezone.localdate()
    moussa = users[f"moussa.kone@{DEMO_DOMAIN}"]
    if not ResidencePermit.objects.filter(holder=moussa).exists():
        _demo_permit(moussa, "salaried_worker", today + timedelta(days=40))
    mei = users[f"mei.zhang@{DEMO_DOMAIN}"]
    if not ResidencePermit.objects.filter(holder=mei).exists():
        permit = _demo_permit(mei, "student", today + timedelta(days=70))
        _demo_filed(mei, "student", kind=ProcedureKind.RENEWAL, renews_permit=permit)
    ravi = users[f"ravi.kumar@{DEMO_DOMAIN}"]
    if not Application.objects.filter(applicant=ravi).exists():
        application = services.application_mark_complete(
            application=_demo_filed(ravi, "personal_and_family_ties"),
            actor=users[f"agent.seine-saint-denis@{DEMO_DOMAIN}"],
        )
        # His history, as if lived: complete 100 days ago (R. 432-2: silence for four months
        # is a refusal).
        Application.objects.filter(pk=application.pk).update(
            completed_at=timezone.now() - timedelta(days=100)
        )


def _demo_prefecture_supervisors(users: dict[str, User]) -> None:
    permission = Permission.objects.get(
        content_type__app_label="applications", codename="supervise_prefecture"
    )
    for email, user in users.items():
        if email.startswith("supervisor.") and user.role == Role.PREFECTURE_AGENT:
            user.user_permissions.add(permission)


@transaction.atomic
def demo_data_seed() -> list[DemoLogin]:
    reference_data_load()
    users = {person.email: _person_upsert(person) for person in DEMO_PEOPLE}
    _demo_dossiers(users)
    _demo_at_risk(users)
    renewal_reminder_demo_seed(users, _demo_pdf)  # applications/reminders/demo.py
    _demo_prefecture_supervisors(users)
    workbench_demo_seed(users, DEMO_DOMAIN)  # Seine-Saint-Denis: assignments, notes, a follow
    substitution_demo_seed()  # desks, slots and an open case (substitution/demo.py)
    support_demo_seed(users)  # contact-centre tickets, scenario 5 included
    attestations_sweep()
    return [
        DemoLogin(person.email, person.role.label, person.description) for person in DEMO_PEOPLE
    ]
