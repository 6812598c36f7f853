from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Who a user is for the portal; one role per account (DESIGN.md §2)."""

    APPLICANT = "applicant", _("Applicant")
    HELPER = "helper", _("Helper (acting under a mandate)")
    PREFECTURE_AGENT = "prefecture_agent", _("Prefecture agent")
    CONTACT_CENTRE_AGENT = "contact_centre_agent", _("Contact-centre agent")
    ADMINISTRATOR = "administrator", _("Administrator")
