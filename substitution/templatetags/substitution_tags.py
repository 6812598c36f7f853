"""`{% substitution_offer %}`: on a page where a signed-in person may be blocked (the dossier
page, where uploads and submission are refused), the automatic offer of issue 6 — an
appointment picker when their failures reached the threshold, or the link to the case they
already have. Renders nothing for everyone else (a helper's failures are theirs, not the
person's)."""

from django import template

from accounts.permissions import is_applicant
from substitution import selectors
from substitution.views.forms import BookForm

register = template.Library()


@register.inclusion_tag("substitution/portal/_offer.html", takes_context=True)
def substitution_offer(context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    empty = {"show": False, "case": None, "form": None, "next": ""}
    if request is None or not is_applicant(user):
        return empty
    case = selectors.case_open_for_person(user)
    if case is not None:
        return {**empty, "show": True, "case": case}
    if not selectors.failure_offer_due(user=user, email=user.email):
        return empty
    slots = list(selectors.slot_list_free(prefecture=selectors.person_prefecture(user), limit=8))
    return {
        **empty,
        "show": True,
        "form": BookForm(slots=slots, auto_id="id_offer_%s"),
        "slots": slots,
        "next": request.get_full_path(),
    }
