"""The language switch (Django's `set_language`), which also records the language a signed-in
person reads, so that texts and e-mails to them follow it (anef.languages, issue 21: a person
who used the portal in Arabic received her texts in French)."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from accounts.services import preferred_language_set


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    response = django_set_language(request)
    if request.user.is_authenticated:
        preferred_language_set(user=request.user, language=request.POST.get("language"))
    return response
