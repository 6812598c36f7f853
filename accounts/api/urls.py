from django.urls import path

from accounts.api import views

urlpatterns = [
    path("me/", views.me, name="me"),
    path("auth/token/", views.token_issue, name="token-issue"),
    path("mandates/", views.mandate_list, name="mandate-list"),
    path("mandates/<int:pk>/revoke/", views.mandate_revoke_view, name="mandate-revoke"),
]
