"""The short links that texts carry (one segment counts every character), at the site's root:
`/r/<key>`, the one-click cancel of an appointment, and `/o/<key>`, an earlier place offered
(substitution/cancel_links.py). No trailing slash: one character less in every text.

The addresses of the keys sent before (`/rdv/<key>/`, `/rdv/o/<key>/`) still answer, for the
texts and e-mails already out; the views accept both forms of key on every address."""

from django.urls import path

from substitution.views import waitlist

urlpatterns = [
    path("r/<str:token>", waitlist.appointment_cancel_link, name="appointment_cancel_short"),
    path("o/<str:token>", waitlist.slot_offer_short, name="slot_offer_short"),
    # Sent before the keys above (still valid until the last of those appointments has passed).
    path("rdv/o/<str:token>/", waitlist.slot_offer_short, name="slot_offer_short_legacy"),
    path(
        "rdv/<str:token>/", waitlist.appointment_cancel_link, name="appointment_cancel_short_legacy"
    ),
]
