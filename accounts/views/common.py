"""Account pages shared by every role."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from accounts.permissions import role_home_url_name


@login_required
def role_home(request: HttpRequest) -> HttpResponse:
    """Send a signed-in user to their own console (portal, back office, ticket console, admin)."""
    return redirect(role_home_url_name(request.user))
