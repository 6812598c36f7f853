"""The back-office navigation shown on every staff page, and who is staff.

`{% staff_nav %}` lists the consoles' sections that the signed-in user may open (the same
checks as the views' `requires`), the section of the page shown marked `aria-current`:
"page" on the section's own page, "true" on a page inside it (a dossier, a desk's day).
`{% is_staff_member user as staff %}` lets the base template leave out what is for the public
(the free-call help box)."""

from dataclasses import dataclass

from django import template
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts import permissions

register = template.Library()


@dataclass(frozen=True)
class Section:
    url_name: str
    label: Promise
    check: object  # one function of accounts.permissions
    # The views (namespace:name, or namespace: for all of a namespace) that belong to it.
    contains: tuple[str, ...]
    fragment: str = ""


_DESK_VIEWS = (
    "substitution_backoffice:desk_day",
    "substitution_backoffice:desk_slots",
    "substitution_backoffice:desk_queue",
)

SECTIONS = (
    Section(
        "backoffice:home",
        _("Applications to instruct"),
        permissions.can_use_back_office,
        ("backoffice:",),
    ),
    Section(
        "attestations_backoffice:at_risk",
        _("Renewals at risk"),
        permissions.can_use_back_office,
        ("attestations_backoffice:",),
    ),
    Section(
        "attestations_backoffice:at_risk_counts",
        _("People at risk: the figures"),
        permissions.is_prefecture_supervisor,
        ("attestations_backoffice:at_risk_counts",),
    ),
    Section(
        "backoffice:statistics",
        _("Figures of the prefecture"),
        permissions.can_see_prefecture_statistics,
        ("backoffice:statistics",),
    ),
    Section(
        "substitution_backoffice:home",
        _("Substitution: cases and appointments"),
        permissions.can_use_back_office,
        ("substitution_backoffice:",),
    ),
    Section(
        "substitution_backoffice:home",
        _("Desks' day lists"),
        permissions.can_use_back_office,
        _DESK_VIEWS,
        fragment="#desks",
    ),
    Section(
        "support_backoffice:list",
        _("Contact-centre tickets"),
        permissions.can_use_back_office,
        ("support_backoffice:",),
    ),
    Section(
        "mandates_backoffice:checks",
        _("Mandates to check"),
        permissions.is_prefecture_agent,
        ("mandates_backoffice:",),
    ),
    Section(
        "support_console:home",
        _("Ticket console"),
        permissions.can_use_support_console,
        ("support_console:",),
    ),
    Section(
        "support_console:recoveries",
        _("Account recoveries waiting"),
        permissions.is_contact_centre_supervisor,
        ("support_console:recoveries",),
    ),
    Section(
        "support_console:saved_answers",
        _("Saved answers"),
        permissions.can_use_support_console,
        ("support_console:saved_answers", "support_console:saved_answer_edit"),
    ),
)


def _belongs(view_name: str, section: Section) -> bool:
    return any(
        view_name.startswith(entry) if entry.endswith(":") else view_name == entry
        for entry in section.contains
    )


def _current_section(view_name: str, sections: list[Section]) -> Section | None:
    """The most precise section the view belongs to: a desk's day list is in "Desks' day
    lists", not in "Substitution", although both cover the namespace."""
    exact = [section for section in sections if view_name in section.contains]
    if exact:
        return exact[0]
    return next((section for section in sections if _belongs(view_name, section)), None)


@register.simple_tag
def is_staff_member(user) -> bool:
    return permissions.is_staff_member(user)


@register.inclusion_tag("includes/staff_nav.html", takes_context=True)
def staff_nav(context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or not permissions.is_staff_member(user):
        return {"entries": []}
    sections = [section for section in SECTIONS if section.check(user)]
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match is not None else ""
    current = _current_section(view_name, sections) if view_name else None
    entries = []
    for section in sections:
        aria_current = ""
        if section is current:
            own_page = view_name == section.url_name and not section.fragment
            aria_current = "page" if own_page else "true"
        entries.append(
            {
                "url": reverse(section.url_name) + section.fragment,
                "label": section.label,
                "aria_current": aria_current,
            }
        )
    return {"entries": entries}
