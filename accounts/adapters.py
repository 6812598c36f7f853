"""django-allauth adapter: where signed-in users land, which address its limits count, and its
e-mails (sign-up confirmation, password reset, security notices) through the outbox."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import PermissionDenied
from django.shortcuts import resolve_url
from django.utils import translation

from accounts.models import User
from accounts.permissions import role_home_url_name
from anef.client_ip import client_ip
from anef.outbox import enqueue_email


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email: str) -> str:
        """An address that is another account's once normalised (issue 15) is that account's
        address: allauth's sign-up and e-mail change then treat it as taken, as they do an
        exact duplicate (with their protection against telling who has an account)."""
        email = super().clean_email(email)
        existing = User.objects.filter_by_email(email).values_list("email", flat=True).first()
        return existing or email

    def get_login_redirect_url(self, request):
        return resolve_url(role_home_url_name(request.user))

    def get_client_ip(self, request) -> str:
        """allauth's limits (sign-up, login, failed logins, password reset, MFA) count the same
        client as every other limit (anef/client_ip.py), not allauth's own reading of
        X-Forwarded-For through ALLAUTH_TRUSTED_PROXY_COUNT; allauth groups IPv6 by /64."""
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine client IP address")
        return ip

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's e-mail, rendered by allauth exactly as its own `send_mail` does (same
        context, the visitor's language, allauth's templates), then written to the outbox
        instead of sent on the spot: a mail server down no longer loses a confirmation or a
        reset link. Outside a transaction the row commits, and is sent, at once."""
        request = allauth_context.request
        full_context = {
            "request": request,
            "email": email,
            "current_site": get_current_site(request),
            **context,
        }
        user = context.get("user")
        enqueue_email(
            self.render_mail(template_prefix, email, full_context),
            language=translation.get_language() or "",
            person=user if isinstance(user, User) else None,
        )
