"""Every door through which a file enters the system, driven as a person or an agent would:
the real URL, the real form, the real service. Each returns what was stored (bytes, recorded
type, recorded name) and the text the sender saw."""

import datetime
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.enums import MandateDuration
from accounts.models import Mandate
from applications.models import Document
from applications.services import application_create
from reference.enums import ProcedureKind
from reference.models import Ground
from substitution import deposits
from support.models import TicketAttachment
from tests.accounts.factories import (
    ApplicantProfileFactory,
    ContactCentreAgentFactory,
    HelperFactory,
    PrefectureAgentFactory,
)
from tests.applications.helpers import filed
from tests.substitution.factories import prefecture
from tests.support.factories import contact_form_data, web_ticket

EN = {"Accept-Language": "en"}


@dataclass
class Outcome:
    stored: list[tuple[bytes, str, str]]  # (bytes, recorded content type, recorded name)
    text: str  # what the sender was shown


def _read(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


def _documents(before: set[int]) -> list[tuple[bytes, str, str]]:
    return [
        (_read(d.file), d.content_type, d.original_name)
        for d in Document.objects.exclude(pk__in=before).order_by("pk")
    ]


def _attachments() -> list[tuple[bytes, str, str]]:
    return [
        (_read(a.file), a.content_type, a.original_name) for a in TicketAttachment.objects.all()
    ]


def _text(response) -> str:
    if response.get("Content-Type", "").startswith("application/json"):
        return response.content.decode()
    if response.status_code == 302:
        return ""
    return response.content.decode()


def _upload(name: str, content: bytes, declared: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=declared)


def _draft(applicant):
    return application_create(
        applicant=applicant,
        ground=Ground.objects.get(code="parent_of_french_child"),
        kind=ProcedureKind.FIRST_APPLICATION,
        actor=applicant,
    )


def document_portal(client, name, content) -> Outcome:
    applicant = ApplicantProfileFactory(postal_code="75011").user
    application = _draft(applicant)
    client.force_login(applicant)
    url = reverse(
        "portal:document_upload", kwargs={"reference": application.reference, "code": "passport"}
    )
    response = client.post(url, {"files": [_upload(name, content)]}, headers=EN)
    return Outcome(_documents(set()), _text(response))


def document_api(client, name, content) -> Outcome:
    applicant = ApplicantProfileFactory(postal_code="75011").user
    application = _draft(applicant)
    api = APIClient()
    api.force_authenticate(applicant)
    url = reverse("api:application-documents", kwargs={"reference": application.reference})
    response = api.post(
        url,
        {"document_type": "passport", "files": [_upload(name, content)]},
        format="multipart",
        headers=EN,
    )
    return Outcome(_documents(set()), _text(response))


def evidence_portal(client, name, content) -> Outcome:
    profile = ApplicantProfileFactory(postal_code="75011")
    application = filed(profile)
    before = set(Document.objects.values_list("pk", flat=True))
    client.force_login(profile.user)
    response = client.post(
        reverse("portal:error_report_create", kwargs={"reference": application.reference}),
        {"category": "other", "description": "Wrong", "evidence": [_upload(name, content)]},
        headers=EN,
    )
    return Outcome(_documents(before), _text(response))


def deposit_desk(client, name, content) -> Outcome:
    agent = PrefectureAgentFactory(prefecture=prefecture("75"))
    case = deposits.deposit_start(
        agent=agent,
        channel="post",
        ground=Ground.objects.get(code="parent_of_french_child"),
        kind="first_application",
        first_name="Ines",
        last_name="Haddad",
        birth_date=datetime.date(1988, 5, 1),
        nationality="Tunisienne",
        address_line="5 avenue Jean Jaurès",
        postal_code="75019",
        city="Paris",
    )
    client.force_login(agent)
    response = client.post(
        reverse(
            "substitution_backoffice:deposit_upload",
            kwargs={"reference": case.reference, "code": "passport"},
        ),
        {"files": [_upload(name, content)]},
        headers=EN,
    )
    return Outcome(_documents(set()), _text(response))


def contact_form(client, name, content) -> Outcome:
    response = client.post(
        reverse("support_public:contact"),
        contact_form_data(screenshot=_upload(name, content, "image/png")),
        headers=EN,
    )
    return Outcome(_attachments(), _text(response))


def follow_up_reply(client, name, content) -> Outcome:
    _ticket, token = web_ticket()
    response = client.post(
        reverse("support_public:follow_up", args=[token]),
        {"message": "Here it is", "attachment": _upload(name, content)},
        headers=EN,
    )
    return Outcome(_attachments(), _text(response))


def portal_ticket(client, name, content) -> Outcome:
    applicant = ApplicantProfileFactory(postal_code="75011").user
    client.force_login(applicant)
    response = client.post(
        reverse("support_portal:new"),
        {"category": "other", "message": "See the file", "screenshot": _upload(name, content)},
        headers=EN,
    )
    return Outcome(_attachments(), _text(response))


def console_reply(client, name, content) -> Outcome:
    ticket, _token = web_ticket()
    client.force_login(ContactCentreAgentFactory())
    response = client.post(
        reverse("support_console:ticket_reply", args=[ticket.number]),
        {"reply-message": "Answer", "message": "Answer", "attachment": _upload(name, content)},
        headers=EN,
        follow=True,
    )
    return Outcome(_attachments(), _text(response))


def mandate_scan(client, name, content) -> Outcome:
    client.force_login(HelperFactory())
    response = client.post(
        reverse("mandates:record"),
        {
            "person_email": "personne@anef.example",
            "first_name": "A",
            "last_name": "B",
            "duration": MandateDuration.ONE_DAY,
            "starts_on": timezone.localdate().isoformat(),
            "organisation_name": "Hôpital",
            "organisation_email": "social@hopital.example",
            "consent_file": _upload(name, content),
            "signed_in_front_of_me": "on",
        },
        headers=EN,
    )
    stored = [
        (_read(m.consent_file), m.consent_content_type, m.consent_file.name)
        for m in Mandate.objects.exclude(consent_file="")
    ]
    return Outcome(stored, _text(response))


PATHS = {
    "document_portal": document_portal,
    "document_api": document_api,
    "evidence_portal": evidence_portal,
    "deposit_desk": deposit_desk,
    "contact_form": contact_form,
    "follow_up_reply": follow_up_reply,
    "portal_ticket": portal_ticket,
    "console_reply": console_reply,
    "mandate_scan": mandate_scan,
}
