"""The short links that texts carry (one segment counts every character)."""

from django.urls import path

from substitution.views import waitlist

urlpatterns = [
    path("o/<str:token>/", waitlist.slot_offer_short, name="slot_offer_short"),
    path("<str:token>/", waitlist.appointment_cancel_link, name="appointment_cancel_short"),
]
