"""django-allauth adapter: where signed-in users land, and which language e-mails use."""

from allauth.account.adapter import DefaultAccountAdapter
from django.shortcuts import resolve_url

from accounts.permissions import role_home_url_name


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request):
        return resolve_url(role_home_url_name(request.user))
