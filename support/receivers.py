"""What support does when the apps below it ask or announce something (docs/architecture.md,
"What is still upside down", item 3). Connected in `SupportConfig.ready()`."""

from datetime import datetime

from anef.holds import Hold
from support import selectors, services
from support.enums import PersonalDataScope

RECOVERY_HOLD_KEY = "support.recovery_hold"


def recovery_hold(user, now: datetime | None = None) -> Hold | None:
    """The hold on a person's own documents after the recovery of their account (issue 15)."""
    until = selectors.recovery_hold_until(user, now)
    if until is None:
        return None
    return Hold(
        until=until,
        message=selectors.recovery_hold_message(until),
        template="support/recovery_held.html",
    )


def dossier_consulted(sender, *, viewer, application, document=None, **kwargs) -> None:
    """A dossier or one of its documents was opened: logged for the person when a member of
    staff opened it (issue 8)."""
    services.personal_data_access_record(
        viewer=viewer,
        person=application.applicant,
        scope=PersonalDataScope.DOCUMENT if document is not None else PersonalDataScope.DOSSIER,
        application=application,
    )
