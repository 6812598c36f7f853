from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Who a user is for the portal; one role per account (DESIGN.md §2)."""

    APPLICANT = "applicant", _("Applicant")
    HELPER = "helper", _("Helper (acting under a mandate)")
    PREFECTURE_AGENT = "prefecture_agent", _("Prefecture agent")
    CONTACT_CENTRE_AGENT = "contact_centre_agent", _("Contact-centre agent")
    ADMINISTRATOR = "administrator", _("Administrator")


class MandateDuration(models.TextChoices):
    """How long a mandate lasts (issue 6): the person chooses, and may revoke it at any time."""

    ONE_DAY = "1d", _("1 day")
    ONE_MONTH = "1m", _("1 month")
    SIX_MONTHS = "6m", _("6 months")
    ONE_YEAR = "1y", _("1 year")


class ConsentMethod(models.TextChoices):
    """How the person's consent was obtained."""

    SIGNED_FORM = "signed_form", _("Signed form, scanned by the helper")
    ACCOUNT = "account", _("Confirmed by the person from their account")


class ConsentProof(models.TextChoices):
    """How the person's consent was proven before the mandate came into force (issue 15). A
    helper's word is never proof: a mandate they record waits for one of these."""

    PERSON_ACCOUNT = "person_account", _("Confirmed by the person, signed in to their account")
    EMAIL_LINK = "email_link", _("Confirmed by the person through the link sent to their e-mail")
    AGENT_CHECK = "agent_check", _("Identity and signed form checked by a prefecture agent")


class MandateEventKind(models.TextChoices):
    """What the person is told about a mandate (e-mail and a notice on their portal)."""

    CREATED = "created", _("Mandate recorded")
    CONFIRMED = "confirmed", _("Mandate in force")
    FIRST_USED = "first_used", _("Mandate used for the first time")
    REVOKED = "revoked", _("Mandate revoked")
    REFUSED = "refused", _("Mandate refused")
    EXPIRED = "expired", _("Mandate ended")


class MandateStatus(models.TextChoices):
    """Derived from the dates, the consent and the revocation; never stored."""

    AWAITING_CONSENT = "awaiting_consent", _("Waiting for the person's consent")
    SCHEDULED = "scheduled", _("Not started yet")
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Ended")
    REVOKED = "revoked", _("Revoked")


class ContactChannels(models.TextChoices):
    """How the person wants to be told that something happened (issue 21). E-mail stays the
    login whatever they choose; texts go only to a number they proved with a code."""

    EMAIL = "email", _("By e-mail")
    SMS = "sms", _("By text message (SMS)")
    BOTH = "both", _("By e-mail and by text message")
