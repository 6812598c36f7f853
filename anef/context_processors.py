"""Values every page needs: how to reach a human, and the brand block's configuration."""

from django.conf import settings


def portal(request) -> dict:
    return {
        "CONTACT_PHONE": settings.CONTACT_PHONE,
        "CONTACT_EMAIL": settings.CONTACT_EMAIL,
        "PORTAL_SHOW_STATE_BRAND": settings.PORTAL_SHOW_STATE_BRAND,
        "PORTAL_OPERATOR_NAME": settings.PORTAL_OPERATOR_NAME,
    }
