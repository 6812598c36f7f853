"""The renewal reminder's banner on the dashboard and « renew now » (applications/reminders/):
the person and their helper under a mandate see it; nobody else does."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.reminders.panels import banners
from reference.enums import ProcedureKind
from tests.accounts.factories import ApplicantProfileFactory, HelperFactory, MandateFactory
from tests.applications.factories import ResidencePermitFactory, ground
from tests.applications.helpers import filed

pytestmark = pytest.mark.django_db

EN = {"accept-language": "en"}
GROUND = "parent_of_french_child"


@pytest.fixture
def profile(reference_data):
    return ApplicantProfileFactory(postal_code="75014", city="Paris")


@pytest.fixture
def permit(profile):
    return ResidencePermitFactory(
        holder=profile.user,
        ground=ground(GROUND),
        valid_until=timezone.localdate() + timedelta(days=100),
    )


def _banner(response):
    return response.text.count('id="renewal-reminder-')


def test_views_portal_home_reminder_banner_shown_to_the_person(client, profile, permit):
    client.force_login(profile.user)
    page = client.get(reverse("portal:home"), headers=EN)
    assert _banner(page) == 1
    assert "Renew your residence permit in time" in page.text
    assert permit.number in page.text
    renew = reverse("portal:application_new_renewal", kwargs={"ground_code": GROUND})
    assert f'href="{renew}?permit={permit.pk}"' in page.text


def test_views_portal_home_reminder_banner_gone_once_filed(client, profile, permit):
    filed(profile, GROUND, kind=ProcedureKind.RENEWAL, renews_permit=permit)
    client.force_login(profile.user)
    assert _banner(client.get(reverse("portal:home"), headers=EN)) == 0


def test_views_portal_home_reminder_banner_helper_under_mandate(client, profile, permit):
    mandate = MandateFactory(person=profile.user)
    client.force_login(mandate.helper)
    client.post(reverse("mandates:act_for", kwargs={"person_id": profile.user.pk}))
    page = client.get(reverse("portal:home"), headers=EN)
    assert _banner(page) == 1
    assert permit.number in page.text


def test_views_portal_home_reminder_banner_helper_out_of_scope_ground(client, profile, permit):
    mandate = MandateFactory(person=profile.user, grounds=[ground("student")])
    client.force_login(mandate.helper)
    client.post(reverse("mandates:act_for", kwargs={"person_id": profile.user.pk}))
    page = client.get(reverse("portal:home"), headers=EN)
    assert page.status_code == 200
    assert _banner(page) == 0


def test_views_portal_home_reminder_banner_other_applicant_attack(client, profile, permit):
    intruder = ApplicantProfileFactory(postal_code="75011").user
    client.force_login(intruder)
    # Trying to act for the person (a helper's door) does nothing for an applicant.
    client.post(reverse("mandates:act_for", kwargs={"person_id": profile.user.pk}))
    page = client.get(reverse("portal:home"), headers=EN)
    assert _banner(page) == 0
    assert permit.number not in page.text


def test_panels_reminder_banner_other_people_none(profile, permit):
    intruder = ApplicantProfileFactory(postal_code="75011").user
    helper_without_mandate = HelperFactory()
    assert len(banners(profile.user, profile.user)) == 1
    assert banners(intruder, profile.user) == []
    assert banners(helper_without_mandate, profile.user) == []


def test_views_portal_renew_now_prefills_the_card(client, profile, permit):
    other = ResidencePermitFactory(holder=profile.user, ground=ground(GROUND))
    client.force_login(profile.user)
    url = reverse("portal:application_new_renewal", kwargs={"ground_code": GROUND})
    page = client.get(f"{url}?permit={permit.pk}", headers=EN)
    form = page.context["form"]
    assert str(form["permit"].value()) == str(permit.pk)
    checked = re.findall(r'<input type="radio" name="permit" value="(\d+)"[^>]*checked', page.text)
    assert checked == [str(permit.pk)]
    assert other.number in page.text  # still changeable


def test_views_portal_renew_now_other_person_card_not_prefilled(client, profile, permit):
    intruder = ApplicantProfileFactory(postal_code="75011").user
    client.force_login(intruder)
    url = reverse("portal:application_new_renewal", kwargs={"ground_code": GROUND})
    page = client.get(f"{url}?permit={permit.pk}", headers=EN)
    assert page.status_code == 200
    assert permit.number not in page.text


def test_views_portal_home_reminder_banner_constant_query_count(
    client, profile, permit, django_assert_max_num_queries
):
    client.force_login(profile.user)
    url = reverse("portal:home")
    client.get(url)
    with django_assert_max_num_queries(50) as few:
        client.get(url, headers={**EN, "cache-control": "no-cache"})
    for _ in range(3):
        ResidencePermitFactory(
            holder=profile.user,
            ground=ground(GROUND),
            valid_from=permit.valid_from,
            valid_until=timezone.localdate() + timedelta(days=95),
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url, headers=EN)
    assert _banner(page) == 4
