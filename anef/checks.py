"""System checks of the deployment's configuration (`manage.py check`, and every command that runs
the checks first, such as `migrate`: in docker-compose.yml no application service starts until
`migrate` succeeds).

Not tagged `deploy`: a production configuration that would sign QR codes with a key of its own
must stop the stack, not print a warning someone may never read.
"""

from django.conf import settings
from django.core.checks import Error, Warning, register

from anef.sms import SMS_SITE_URL_MAX_LENGTH
from attestations import signing

GENERATE_HINT = (
    "Generate one with `manage.py signing_key generate` and give the same "
    "ATTESTATION_SIGNING_KEY and ATTESTATION_SIGNING_KEY_ID to every web server and worker."
)


@register()
def check_attestation_signing_key(app_configs=None, **kwargs) -> list:
    """QR codes signed by one process must verify on every other (issue 17)."""
    errors = []
    configured = settings.ATTESTATION_SIGNING_KEY
    key_id = settings.ATTESTATION_SIGNING_KEY_ID
    if settings.ANEF_PRODUCTION and not configured:
        errors.append(
            Error(
                "ATTESTATION_SIGNING_KEY is not set in production (ANEF_PRODUCTION).",
                hint="Each process would sign with a key generated in its own var/ folder, and "
                "QR codes signed by the worker would fail verification on the web server. "
                + GENERATE_HINT,
                id="anef.E001",
            )
        )
    if configured:
        try:
            signing.private_key_from_text(configured)
        except ValueError:
            errors.append(
                Error(
                    "ATTESTATION_SIGNING_KEY is not an Ed25519 private key "
                    "(base64url of 32 bytes).",
                    hint=GENERATE_HINT,
                    id="anef.E002",
                )
            )
    if not signing.KEY_ID_PATTERN.fullmatch(key_id):
        errors.append(
            Error(
                f"ATTESTATION_SIGNING_KEY_ID {key_id!r} is not a valid key id.",
                hint="Letters, digits, '-' and '_' only (at most 40): the id travels in every "
                "QR code between dots.",
                id="anef.E003",
            )
        )
    errors.extend(_retired_key_errors(settings.ATTESTATION_RETIRED_PUBLIC_KEYS, key_id))
    if settings.ANEF_PRODUCTION and configured and key_id == "dev-1":
        errors.append(
            Warning(
                "ATTESTATION_SIGNING_KEY_ID is the embedded default 'dev-1' in production.",
                hint="Every development copy signs as 'dev-1' too; give the production key an "
                "id of its own (manage.py signing_key generate proposes one).",
                id="anef.W001",
            )
        )
    return errors


def _retired_key_errors(retired, current_key_id: str) -> list:
    if not isinstance(retired, dict):
        return [
            Error(
                "ATTESTATION_RETIRED_PUBLIC_KEYS is not a JSON object {key id: public key}.",
                id="anef.E004",
            )
        ]
    errors = []
    for key_id, value in retired.items():
        try:
            valid = signing.KEY_ID_PATTERN.fullmatch(key_id) and signing.public_key_from_text(value)
        except (TypeError, ValueError, AttributeError):
            valid = False
        if not valid:
            errors.append(
                Error(
                    f"ATTESTATION_RETIRED_PUBLIC_KEYS: {key_id!r} is not a key id with an "
                    "Ed25519 public key (base64url of 32 bytes).",
                    id="anef.E004",
                )
            )
    if current_key_id in retired:
        errors.append(
            Error(
                f"ATTESTATION_RETIRED_PUBLIC_KEYS lists the current key id {current_key_id!r}.",
                hint="The current key would hide the retired one and attestations it signed "
                "would no longer verify: give the new key a new id (manage.py signing_key rotate).",
                id="anef.E005",
            )
        )
    return errors


# django-sms's backends that send nothing anywhere: a text over its segments costs nothing there.
SMS_BACKENDS_NOT_SENDING = frozenset(
    {
        "sms.backends.console.SmsBackend",
        "sms.backends.dummy.SmsBackend",
        "sms.backends.filebased.SmsBackend",
        "sms.backends.locmem.SmsBackend",
    }
)


@register()
def check_sms_site_url(app_configs=None, **kwargs) -> list:
    """Every text fits one segment in French, English and Arabic only with links of the length
    the segment test renders (issue 21, anef/sms.py): SMS_SITE_URL at most
    SMS_SITE_URL_MAX_LENGTH characters. A longer one makes the Arabic appointment texts two
    segments (paid twice) or more (not sent at all): an error where texts are really sent. With
    the console, file or in-memory backend (development, the compose stack by default) nothing
    is paid, and SMS_SITE_URL may stay the long SITE_URL it defaults to."""
    site = settings.SMS_SITE_URL.rstrip("/")
    if len(site) <= SMS_SITE_URL_MAX_LENGTH or settings.SMS_BACKEND in SMS_BACKENDS_NOT_SENDING:
        return []
    return [
        Error(
            f"SMS_SITE_URL {site!r} has {len(site)} characters; texts allow at most "
            f"{SMS_SITE_URL_MAX_LENGTH}.",
            hint="An Arabic text has 70 characters in all, and an appointment's text carries "
            "its day, time and cancel link: give the texts a short address of the site "
            "(e.g. https://anef.fr) in SMS_SITE_URL (docs/docker-compose.md).",
            id="anef.E006",
        )
    ]
