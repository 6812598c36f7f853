"""An essential step of the portal failed for someone (issue 6): announced by the app where it
failed, heard by the app that offers another way in (substitution records it and, past a
threshold, offers an appointment). Like Django's own `user_login_failed`, which substitution
already hears; declared here so that the lower apps (applications' upload and submission) send
it without importing substitution (docs/architecture.md, "What is still upside down", item 3).

Receivers must not raise: a failure to record must not add a second error to the person's first
one (substitution's `failure_record` never raises)."""

from django.dispatch import Signal

# kwargs: step (str, substitution.enums.FailureStep's values), user (or None), email (str, when
# there is no account yet), code (str, what refused).
step_failed = Signal()


def announce(*, sender, step: str, user=None, email: str = "", code: str = "") -> None:
    step_failed.send(sender=sender, step=step, user=user, email=email, code=code)
