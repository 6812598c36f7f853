"""allauth's e-mail login, with the account found by its normalised e-mail (issue 15)."""

from allauth.account.auth_backends import AuthenticationBackend

from accounts.models import User


class EmailKeyAuthenticationBackend(AuthenticationBackend):
    def _authenticate_by_email(self, email: str, password: str):
        if not email:
            return None
        # At most one account per key (a unique column): no list to try passwords against.
        user = User.objects.filter_by_email(email).first()
        return self._check_password(user, password)
