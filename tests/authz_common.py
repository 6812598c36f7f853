"""Roles, outcomes and shared expectation rows of the authorization matrix
(`tests/test_authorization_matrix.py`). Each app's own routes live in its `tests/<app>/authz.py`
(a `ROUTES` dict and a `world(world)` function adding the objects its routes need), so that work
on different apps never edits the same table.
"""

ROLES = [
    "anonymous",
    "applicant",
    "other_applicant",
    "helper",
    "mandated_helper",
    "agent",
    "other_agent",
    "contact_centre",
    # A contact-centre agent with the supervisor permission (issue 15: the recovery approver).
    "contact_centre_supervisor",
    "admin",
]
# Played on every route too: an agent of the dossier's prefecture (75) holding the prefecture
# supervisor permission (accounts.permissions.is_prefecture_supervisor). Kept out of ROLES so
# that a row built from ROLES names it only on purpose: a row that does not expects for it what
# it expects for `agent` (a supervisor is an agent first); the supervisors' own pages name it
# (`SUPERVISOR_PAGE`).
PREFECTURE_SUPERVISOR = "prefecture_supervisor"
ALL_ROLES = [*ROLES, PREFECTURE_SUPERVISOR]

# Outcomes: OK (anything but refused: 200, a redirect elsewhere than the login page, 400 or 409
# for an empty form or a transition not possible now), LOGIN (sent to sign in), DENIED (403),
# HIDDEN (404: someone else's object is simply not found), UNAUTHENTICATED (API 401).
OK, LOGIN, DENIED, HIDDEN, UNAUTHENTICATED = "ok", "login", "403", "404", "401"

EVERYONE = dict.fromkeys(ROLES, OK)
SIGNED_IN = {**dict.fromkeys(ROLES, OK), "anonymous": LOGIN}
# `mandated_helper` holds a mandate in force, for every ground, from `applicant` (the owner of
# the world's dossier): on the owner's dossier pages and API it behaves like the owner (issue 6).
# What stays the person's alone — giving or revoking mandates, sharing an attestation — is set
# route by route (tests/accounts/authz.py, tests/test_authorization_matrix.py).
PORTAL_PAGE = {
    "anonymous": LOGIN,
    "applicant": OK,
    "other_applicant": OK,
    "helper": OK,
    "mandated_helper": OK,
    "agent": DENIED,
    "other_agent": DENIED,
    "contact_centre": DENIED,
    "contact_centre_supervisor": DENIED,
    "admin": DENIED,
}
PORTAL_DOSSIER = {**PORTAL_PAGE, "other_applicant": HIDDEN, "helper": HIDDEN}
BACK_OFFICE_PAGE = {
    "anonymous": LOGIN,
    "applicant": DENIED,
    "other_applicant": DENIED,
    "helper": DENIED,
    "mandated_helper": DENIED,
    "agent": OK,
    "other_agent": OK,
    "contact_centre": DENIED,
    "contact_centre_supervisor": DENIED,
    "admin": DENIED,
}
BACK_OFFICE_DOSSIER = {**BACK_OFFICE_PAGE, "other_agent": HIDDEN}
SUPPORT_CONSOLE = {
    **dict.fromkeys(ROLES, DENIED),
    "anonymous": LOGIN,
    "contact_centre": OK,
    "contact_centre_supervisor": OK,
}
# The prefecture supervisors' pages (team load, at-risk figures): a plain agent is refused.
SUPERVISOR_PAGE = {
    **BACK_OFFICE_PAGE,
    "agent": DENIED,
    "other_agent": DENIED,
    PREFECTURE_SUPERVISOR: OK,
}
ADMIN = {**dict.fromkeys(ROLES, LOGIN), "admin": OK}
DOCUMENT = {**dict.fromkeys(ROLES, HIDDEN), "applicant": OK, "mandated_helper": OK, "agent": OK}

API_SIGNED_IN = {**dict.fromkeys(ROLES, OK), "anonymous": UNAUTHENTICATED}
API_APPLICANT = {
    key: (UNAUTHENTICATED if value == LOGIN else value) for key, value in PORTAL_PAGE.items()
}
API_APPLICANT_DOSSIER = {
    key: (UNAUTHENTICATED if value == LOGIN else value) for key, value in PORTAL_DOSSIER.items()
}
API_AGENT = {
    key: (UNAUTHENTICATED if value == LOGIN else value) for key, value in BACK_OFFICE_PAGE.items()
}
API_AGENT_DOSSIER = {
    key: (UNAUTHENTICATED if value == LOGIN else value)
    for key, value in BACK_OFFICE_DOSSIER.items()
}
API_DOCUMENT_FILE = {**DOCUMENT, "anonymous": UNAUTHENTICATED}
API_DOCUMENT_FILE.update(
    {
        "contact_centre": DENIED,
        "contact_centre_supervisor": DENIED,
        "admin": DENIED,
        "other_agent": HIDDEN,
        "helper": HIDDEN,
    }
)
