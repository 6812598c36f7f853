"""How often one person or agent may post a message (counted in Django's cache, Redis in
production, like the contact form's limits: support/throttling.py)."""

from django.conf import settings

from anef.cache import count_in_window
from applications.messages.rules import POST_RATE_LIMIT, POST_RATE_WINDOW_SECONDS


def posting_allowed(user) -> bool:
    """Count one post by `user`; False once over the limit within the window (a post refused
    counts too: a robot retrying is not let through sooner). Fails open when Redis is down
    (anef/cache.py)."""
    limit = getattr(settings, "MESSAGE_POST_RATE_LIMIT", POST_RATE_LIMIT)
    window = getattr(settings, "MESSAGE_POST_RATE_WINDOW_SECONDS", POST_RATE_WINDOW_SECONDS)
    return count_in_window(f"messages:post:{user.pk}", window) <= limit
