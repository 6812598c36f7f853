"""Mandate pages ("My helpers", "People I help") and the mandates API."""

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.enums import MandateDuration
from accounts.models import Mandate
from tests.accounts.factories import (
    AdministratorFactory,
    ApplicantFactory,
    ApplicantProfileFactory,
    HelperFactory,
    MandateFactory,
)
from tests.applications.factories import ground, pdf_upload

pytestmark = pytest.mark.django_db

EN = {"accept-language": "en"}


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- The person: "My helpers" -------------------------------------------------------------------


def test_views_mandates_grant_person(client, reference_data):
    person, helper = ApplicantFactory(), HelperFactory(first_name="Claire", last_name="Martin")
    client.force_login(person)
    response = client.post(
        reverse("mandates:mine"),
        {
            "helper_email": helper.email,
            "grounds": [ground("student").pk],
            "duration": MandateDuration.ONE_MONTH,
            "starts_on": timezone.localdate().isoformat(),
            "organisation_name": "PAN",
            "organisation_email": "",
        },
        headers=EN,
    )
    assert response.status_code == 302
    mandate = Mandate.objects.get(person=person)
    assert (mandate.helper, mandate.all_grounds) == (helper, False)
    page = client.get(reverse("mandates:mine"), headers=EN)
    assert "Claire Martin" in page.text
    assert "Active" in page.text


def test_views_mandates_grant_person_unknown_helper(client, reference_data):
    client.force_login(ApplicantFactory())
    response = client.post(
        reverse("mandates:mine"),
        {
            "helper_email": "nobody@anef.example",
            "duration": MandateDuration.ONE_DAY,
            "starts_on": timezone.localdate().isoformat(),
        },
        headers=EN,
    )
    assert response.status_code == 200
    assert "We found no helper" in response.text
    assert not Mandate.objects.exists()


def test_views_mandates_list_person_queries(client, reference_data, django_assert_max_num_queries):
    person = ApplicantFactory()
    for _ in range(3):
        MandateFactory(person=person, grounds=[ground("student")])
    client.force_login(person)
    with django_assert_max_num_queries(15):
        assert client.get(reverse("mandates:mine")).status_code == 200


def test_views_mandates_confirm_person(client):
    mandate = MandateFactory(consented_at=None)
    client.force_login(mandate.person)
    response = client.post(reverse("mandates:confirm", kwargs={"pk": mandate.pk}))
    assert response.status_code == 302
    mandate.refresh_from_db()
    assert mandate.consented_at is not None


def test_views_mandates_revoke_person_then_receipt(client):
    mandate = MandateFactory()
    client.force_login(mandate.person)
    url = reverse("mandates:revoke", kwargs={"pk": mandate.pk})
    assert client.get(url).status_code == 200
    assert mandate.revoked_at is None  # the confirmation page changes nothing
    response = client.post(url)
    receipt = reverse("mandates:receipt", kwargs={"pk": mandate.pk})
    assert response["Location"] == receipt
    mandate.refresh_from_db()
    assert mandate.revoked_by == mandate.person
    page = client.get(receipt, headers=EN)
    assert "Receipt: revocation of a mandate" in page.text
    assert (
        "css/print.css" in page.text
    )  # prints the receipt alone (a file: the CSP allows no inline style)
    assert mandate.helper.email in page.text


def test_views_mandates_receipt_not_revoked(client):
    mandate = MandateFactory()
    client.force_login(mandate.person)
    assert client.get(reverse("mandates:receipt", kwargs={"pk": mandate.pk})).status_code == 404


def test_views_mandates_revoke_other_person(client):
    mandate = MandateFactory()
    client.force_login(ApplicantFactory())
    url = reverse("mandates:revoke", kwargs={"pk": mandate.pk})
    assert client.post(url).status_code == 404
    mandate.refresh_from_db()
    assert mandate.revoked_at is None


def test_views_mandates_revoke_helper_denied(client):
    mandate = MandateFactory()
    client.force_login(mandate.helper)
    assert client.post(reverse("mandates:revoke", kwargs={"pk": mandate.pk})).status_code == 403


# --- The helper: "People I help" ----------------------------------------------------------------


def test_views_mandates_helping_helper(client, reference_data, django_assert_max_num_queries):
    helper = HelperFactory()
    for _ in range(3):
        MandateFactory(helper=helper, grounds=[ground("student")])
    MandateFactory(helper=helper)
    client.force_login(helper)
    with django_assert_max_num_queries(15):
        page = client.get(reverse("mandates:helping"), headers=EN)
    assert page.status_code == 200
    assert page.text.count("Act for") == 4
    assert "All applications" in page.text


def test_views_portal_home_helper_not_acting(client):
    client.force_login(HelperFactory())
    response = client.get(reverse("portal:home"))
    assert response["Location"] == reverse("mandates:helping")


def test_views_mandates_act_for_helper(client, reference_data):
    profile = ApplicantProfileFactory(user__first_name="Ibrahima", user__last_name="Sow")
    mandate = MandateFactory(person=profile.user)
    client.force_login(mandate.helper)
    response = client.post(reverse("mandates:act_for", kwargs={"person_id": profile.user.pk}))
    assert response["Location"] == reverse("portal:home")
    home = client.get(reverse("portal:home"), headers=EN)
    assert "Space of the person you help: <bdi>Ibrahima Sow</bdi>" in home.text
    assert "You are acting for Ibrahima Sow" in home.text
    profile_page = client.get(reverse("portal:profile"), headers=EN)
    assert profile.user.email in profile_page.text
    client.post(reverse("mandates:stop_acting"))
    assert client.get(reverse("portal:home"))["Location"] == reverse("mandates:helping")


def test_views_mandates_act_for_without_mandate(client):
    person = ApplicantFactory()
    client.force_login(HelperFactory())
    url = reverse("mandates:act_for", kwargs={"person_id": person.pk})
    assert client.post(url).status_code == 404


def test_views_mandates_request_helper_then_person_confirms(client, reference_data):
    person, helper = ApplicantFactory(), HelperFactory()
    client.force_login(helper)
    response = client.post(
        reverse("mandates:request"),
        {
            "person_email": person.email,
            "duration": MandateDuration.ONE_YEAR,
            "starts_on": timezone.localdate().isoformat(),
            "organisation_name": "Association Accueil",
            "organisation_email": "contact@accueil.example",
        },
    )
    assert response.status_code == 302
    mandate = Mandate.objects.get(person=person, helper=helper)
    assert mandate.consented_at is None
    client.force_login(person)
    page = client.get(reverse("mandates:mine"), headers=EN)
    assert "I agree" in page.text


def test_views_mandates_record_helper_refuses_a_fake_scan(client, reference_data):
    client.force_login(HelperFactory())
    response = client.post(
        reverse("mandates:record"),
        {
            "person_email": "personne@anef.example",
            "first_name": "A",
            "last_name": "B",
            "duration": MandateDuration.ONE_DAY,
            "starts_on": timezone.localdate().isoformat(),
            "organisation_name": "Hôpital",
            "organisation_email": "social@hopital.example",
            "consent_file": pdf_upload("scan.pdf", content=b"not a scan"),
            "signed_in_front_of_me": "on",
        },
        headers=EN,
    )
    assert response.status_code == 200
    assert "« scan.pdf » is not a PDF, JPEG or PNG file" in response.text
    assert not Mandate.objects.exists()


def _with_signed_form():
    mandate = MandateFactory()
    mandate.consent_file.save("signed.pdf", pdf_upload("signed.pdf"), save=False)
    mandate.consent_content_type = "application/pdf"
    mandate.save()
    return mandate, reverse("mandates:consent_file", kwargs={"pk": mandate.pk})


@pytest.mark.parametrize("who", ["person", "helper"])
def test_views_mandates_consent_file_person_and_helper(client, who):
    mandate, url = _with_signed_form()
    client.force_login(getattr(mandate, who))
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


@pytest.mark.parametrize("factory", [HelperFactory, ApplicantFactory])
def test_views_mandates_consent_file_others(client, factory):
    _mandate, url = _with_signed_form()
    client.force_login(factory())
    assert client.get(url).status_code == 404


# --- API ----------------------------------------------------------------------------------------


def test_api_mandate_list_person_and_helper(reference_data):
    mandate = MandateFactory(grounds=[ground("student")])
    MandateFactory()  # someone else's
    for user in (mandate.person, mandate.helper):
        body = _api(user).get(reverse("api:mandate-list")).json()
        assert [row["id"] for row in body] == [mandate.pk]
        assert body[0]["status"] == "active"
        assert body[0]["grounds"] == ["student"]


def test_api_mandate_revoke_person():
    mandate = MandateFactory()
    url = reverse("api:mandate-revoke", kwargs={"pk": mandate.pk})
    response = _api(mandate.person).post(url)
    assert response.status_code == 200
    assert response.json()["status"] == "revoked"
    again = _api(mandate.person).post(url)
    assert again.status_code == 409
    assert again.json()["code"] == "already_revoked"


def test_api_mandate_revoke_helper_denied():
    mandate = MandateFactory()
    url = reverse("api:mandate-revoke", kwargs={"pk": mandate.pk})
    assert _api(mandate.helper).post(url).status_code == 403
    assert _api(ApplicantFactory()).post(url).status_code == 404
    mandate.refresh_from_db()
    assert mandate.revoked_at is None


def test_admin_mandate_pages_administrator(client, reference_data):
    mandate = MandateFactory(grounds=[ground("student")])
    client.force_login(AdministratorFactory())
    assert client.get(reverse("admin:accounts_mandate_changelist")).status_code == 200
    page = client.get(reverse("admin:accounts_mandate_change", args=[mandate.pk]))
    assert page.status_code == 200
    assert mandate.helper.email in page.text


def test_views_mandates_grant_form_offers_active_grounds_by_label(client, reference_data):
    """The scope offers the grounds offered to applicants, by French label; a withdrawn one is
    not a choice (the form reads them through the mandate's relation, not the dossier app)."""
    withdrawn = ground("student")
    withdrawn.active = False
    withdrawn.save(update_fields=["active"])
    client.force_login(ApplicantFactory())
    form = client.get(reverse("mandates:mine"), headers=EN).context["form"]
    offered = list(form.fields["grounds"].queryset)
    assert withdrawn not in offered
    assert offered
    assert all(choice.active for choice in offered)
    assert [choice.label_fr for choice in offered] == sorted(c.label_fr for c in offered)


def test_views_mandates_grant_person_withdrawn_ground_refused(client, reference_data):
    withdrawn = ground("student")
    withdrawn.active = False
    withdrawn.save(update_fields=["active"])
    person, helper = ApplicantFactory(), HelperFactory()
    client.force_login(person)
    response = client.post(
        reverse("mandates:mine"),
        {
            "helper_email": helper.email,
            "grounds": [withdrawn.pk],
            "duration": MandateDuration.ONE_MONTH,
            "starts_on": timezone.localdate().isoformat(),
        },
        headers=EN,
    )
    assert response.status_code == 200
    assert response.context["form"].errors["grounds"]
    assert not Mandate.objects.exists()
