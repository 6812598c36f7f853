"""Pure checks of a message (no database, no clock)."""

import unicodedata

from applications.enums import ApplicationStatus

# A message is a conversation, not a file: long enough for a real question, short enough to be
# read on a phone. A longer text belongs in an attached document.
BODY_MAX_LENGTH = 5000
# Line breaks and tabs are text; any other control character (NUL included) is refused, as in
# every other input (PostgreSQL refuses NUL; the others hide or reorder what is shown).
_ALLOWED_CONTROLS = frozenset("\n\r\t")

# Posting, per person or agent, per window (anef.cache.count_in_window): a flood is stopped, a
# real conversation is not (settings MESSAGE_POST_RATE_LIMIT / MESSAGE_POST_RATE_WINDOW_SECONDS).
POST_RATE_LIMIT = 20
POST_RATE_WINDOW_SECONDS = 3600


def body_problem(body: str) -> str | None:
    """Why this text cannot be sent (a stable code), or None. Expects the text already stripped
    of surrounding blanks."""
    if not body:
        return "empty"
    if len(body) > BODY_MAX_LENGTH:
        return "too_long"
    if any(
        unicodedata.category(character) == "Cc" and character not in _ALLOWED_CONTROLS
        for character in body
    ):
        return "control_character"
    return None


def thread_open(status: str) -> bool:
    """A draft is not filed yet: nobody at the prefecture instructs it, there is no one to talk
    to. From filing on, and after a decision (a question about the remedies), the thread is
    open."""
    return status != ApplicationStatus.DRAFT
