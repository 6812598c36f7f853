"""Public verification of attestations, and the holder's share codes: `/verify/…`.

Not namespaced: `signing.verification_url` reverses `verify`, the address printed in every QR
code, which must never change. Fixed words come before `<number>/`.
"""

from django.urls import path

from attestations.views import guide, verify

urlpatterns = [
    path("", verify.verify_form, name="verify_form"),
    path("keys.json", verify.verify_keys, name="verify_keys"),
    # The checker's guide (issue 21): its short address is printed on every attestation.
    path("guide/", guide.guide, name="verify_guide"),
    path("guide/print/", guide.guide_print, name="verify_guide_print"),
    path("share/", verify.share_enter, name="verify_share_enter"),
    path("share/mine/", verify.share_mine, name="verify_share_mine"),
    path("share/new/<str:number>/", verify.share_new, name="verify_share_new"),
    path("share/<int:pk>/revoke/", verify.share_revoke, name="verify_share_revoke"),
    path("<str:number>/", verify.verify, name="verify"),
]
