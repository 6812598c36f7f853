"""The one-click cancel link of every appointment confirmation and reminder (issue 21): a key
signed with the site's secret, naming one appointment. It needs no account; it cancels that
appointment only, once (a second use finds it cancelled): `services.appointment_cancel_by_link`.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from substitution.models import Appointment

CANCEL_SALT = "substitution.appointment-cancel"


def cancel_token(appointment: Appointment) -> str:
    return signing.Signer(salt=CANCEL_SALT).sign_object({"a": appointment.pk})


def cancel_url(appointment: Appointment) -> str:
    path = reverse(
        "substitution_public:appointment_cancel", kwargs={"token": cancel_token(appointment)}
    )
    return f"{settings.SITE_URL}{path}"


def appointment_for_cancel_token(token: str) -> Appointment | None:
    """The appointment a cancel link names; None for a forged or altered link."""
    try:
        payload = signing.Signer(salt=CANCEL_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError):
        return None
    if not isinstance(payload, dict) or type(payload.get("a")) is not int:
        return None
    return Appointment.objects.select_related("slot__desk", "case").filter(pk=payload["a"]).first()
