"""What substitution does when the apps below it announce something (docs/architecture.md,
"What is still upside down", item 3). Connected in `SubstitutionConfig.ready()`.

`services` is read through the module at call time (not `from … import open_case`), so that a
test replacing `substitution.services.open_case` reaches the receiver too."""

from substitution import services
from substitution.enums import CaseOrigin


def technical_impossibility_confirmed(
    sender,
    *,
    ticket,
    person,
    contact_name: str,
    contact_email: str,
    contact_phone: str,
    foreigner_number: str,
    prefecture,
    summary: str,
    opened_by,
    acknowledgement,
    **kwargs,
):
    """The contact centre confirmed a technical blocking (arrêté of 1 August 2023): open the
    case that offers the person another way to file, inside the confirmation's transaction, and
    return it for the ticket to hold. A refusal (`DomainError`) rolls the confirmation back."""
    return services.open_case(
        origin=CaseOrigin.CONTACT_CENTRE,
        person=person,
        contact_name=contact_name,
        contact_email=contact_email,
        contact_phone=contact_phone,
        foreigner_number=foreigner_number,
        prefecture=prefecture,
        summary=summary,
        opened_by=opened_by,
        acknowledgement=acknowledgement,
    )


def step_failed(sender, *, step: str, user=None, email: str = "", code: str = "", **kwargs):
    """An essential step failed on the portal (issue 6): recorded for the automatic offer.
    `failure_record` never raises."""
    services.failure_record(step=step, user=user, email=email, code=code)
