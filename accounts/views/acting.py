"""Whom a portal page is about: the person themselves, or — for a helper — the person they
chose to act for (issue 6).

A helper chooses "act for <person>" on their "People I help" page; the choice is kept in the
session, and checked again on every request against the mandates in force: a mandate that ends
or is revoked ends the acting at once. Pages on one dossier need no choice: the dossier names
its person, and `applications.selectors` shows a helper only dossiers under a mandate.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.http import HttpRequest
from django.shortcuts import redirect
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from accounts.mandates import mandate_active_for, mandate_covers
from accounts.models import Mandate, User
from accounts.permissions import is_applicant, is_helper

SESSION_KEY = "acting_for_person"


def acting_mandate(request: HttpRequest) -> Mandate | None:
    """The helper's mandate in force from the person they act for, or None (and the choice is
    forgotten when that mandate is no longer in force)."""
    if not is_helper(request.user):
        return None
    person_id = request.session.get(SESSION_KEY)
    if person_id is None:
        return None
    mandate = mandate_active_for(request.user, person_id)
    if mandate is None:
        request.session.pop(SESSION_KEY, None)
    return mandate


def acting_for_start(request: HttpRequest, person_id: int) -> Mandate | None:
    mandate = mandate_active_for(request.user, person_id) if is_helper(request.user) else None
    if mandate is not None:
        request.session[SESSION_KEY] = mandate.person_id
    return mandate


def acting_for_stop(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


def portal_subject(request: HttpRequest) -> User | None:
    """The person a person-level page is about (their dashboard, new application, cards)."""
    if is_applicant(request.user):
        return request.user
    mandate = acting_mandate(request)
    return mandate.person if mandate is not None else None


def ground_in_scope(request: HttpRequest, ground) -> bool:
    """A person may apply on any ground; a helper only on the grounds their mandate covers."""
    if is_applicant(request.user):
        return True
    mandate = acting_mandate(request)
    return mandate is not None and mandate_covers(mandate, ground.pk)


def for_a_person(view: Callable) -> Callable:
    """Person-level pages: `request.portal_subject` is the person. A helper who has not chosen
    whom they act for is sent to the list of the people they help."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        subject = portal_subject(request)
        if subject is None:
            messages.info(
                request,
                _("Choose first the person you act for, among those who gave you a mandate."),
            )
            return redirect("mandates:helping")
        request.portal_subject = subject
        return view(request, *args, **kwargs)

    return wrapped


def acting_for_context(request: HttpRequest) -> dict:
    """Context processor: the person a helper acts for, for the banner of the portal pages
    (computed only when a page shows it)."""
    return {
        "acting_for_mandate": SimpleLazyObject(lambda: acting_mandate(request))
        if is_helper(getattr(request, "user", None))
        else None
    }
