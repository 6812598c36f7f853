"""Whom a portal page is about: the person themselves, or — for a helper — the person they
chose to act for (issue 6).

A helper chooses "act for <person>" on their "People I help" page; the choice is kept in the
session, and checked again on every request against the mandates in force: a mandate that ends
or is revoked ends the acting at once. Pages on one dossier need no choice: the dossier names
its person, and `applications.selectors` shows a helper only dossiers under a mandate.

Each use ends (issue 21, as Aidants Connect does): the acting stops when the helper leaves the
person's space (`PERSON_SPACE`) or after ACTING_FOR_IDLE_SECONDS (15 minutes) without a request
there, whichever comes first, and the helper is back in their own space with a message. A desk
computer left signed in cannot then be used to open someone else's space by the way it was
left: the helper chooses the person again.
"""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from accounts.mandates import mandate_active_for, mandate_covers
from accounts.models import Mandate, User
from accounts.permissions import is_applicant, is_helper

SESSION_KEY = "acting_for_person"
LAST_ACTION_KEY = "acting_for_last_action"  # POSIX time of the last request in the space
LAST_ACTION_GRAIN_SECONDS = 30
# The person's space: the portal's namespaces (and the download of one of their documents).
PERSON_SPACE = frozenset({"portal", "attestations_portal", "substitution_portal", "support_portal"})
PERSON_SPACE_URL_NAMES = frozenset({"document_download"})
# Requests that are neither in the space nor a way out of it: switching the language, and the
# helper's own choice to stop or to act for someone (their views say so themselves).
NEUTRAL_VIEWS = frozenset({"set_language", "mandates:stop_acting", "mandates:act_for"})


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
        request.session[LAST_ACTION_KEY] = timezone.now().timestamp()
    return mandate


def acting_for_stop(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)
    request.session.pop(LAST_ACTION_KEY, None)


def _in_person_space(match) -> bool | None:
    """True in the person's space, False outside it, None for a neutral request."""
    if match is None:
        return None
    if match.view_name in NEUTRAL_VIEWS:
        return None
    return bool(set(match.namespaces) & PERSON_SPACE) or match.url_name in PERSON_SPACE_URL_NAMES


class ActingForSessionMiddleware:
    """Ends a helper's acting for a person when they leave that person's space, or after
    ACTING_FOR_IDLE_SECONDS without a request in it; then the helper is sent to their own
    space ("People I help") with a message."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        session = getattr(request, "session", None)
        if session is None or SESSION_KEY not in session or not is_helper(request.user):
            return None
        where = _in_person_space(request.resolver_match)
        now = timezone.now().timestamp()
        last = session.get(LAST_ACTION_KEY)
        if last is None or now - last > settings.ACTING_FOR_IDLE_SECONDS:
            acting_for_stop(request)
            messages.info(
                request,
                _(
                    "You no longer act for the person you were helping: nothing was done for "
                    "%(minutes)s minutes. Choose them again to go on."
                )
                % {"minutes": settings.ACTING_FOR_IDLE_SECONDS // 60},
            )
            return redirect("mandates:helping") if where else None
        if where is False:
            acting_for_stop(request)
            messages.info(
                request,
                _(
                    "You left the space of the person you were helping: you no longer act for "
                    "them. Choose them again to go on."
                ),
            )
        elif where and now - last >= LAST_ACTION_GRAIN_SECONDS:
            # Written at most every LAST_ACTION_GRAIN_SECONDS: a session changed by the request
            # makes its page one the page cache may not keep (anef/page_cache.py), so writing it
            # on every request would render every page of the helper afresh. The cost: acting
            # may end up to that many seconds early, never late.
            session[LAST_ACTION_KEY] = now
        return None


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
