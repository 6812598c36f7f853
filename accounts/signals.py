"""Hooks that `accounts` offers to the apps above it.

`accounts` sits low in the layers (docs/architecture.md) and may not import the apps that react
to what happens in it: it declares a signal here, and the higher app connects its receiver in its
`AppConfig.ready`.
"""

from django.dispatch import Signal

# Sent by the sign-up form after every validation, with `form=` the bound form. A receiver may
# add an error to the form: substitution records a refused sign-up and, past the threshold,
# offers an appointment on the page where the person is stuck (issue 6).
signup_form_checked = Signal()
