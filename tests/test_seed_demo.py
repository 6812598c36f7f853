from datetime import timedelta
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings as settings_module
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from accounts.models import ApplicantProfile, User
from anef.demo import DEMO_DOMAIN, DEMO_PASSWORD, DEMO_PEOPLE
from applications.models import Application, Document


@pytest.mark.django_db
def test_seed_demo_creates_every_role_and_prints_logins(capsys):
    call_command("seed_demo", i_know_this_is_not_production=True)
    output = capsys.readouterr().out
    roles = set(User.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    for person in DEMO_PEOPLE:
        assert person.email in output
    assert DEMO_PASSWORD in output


@pytest.mark.django_db
def test_seed_demo_is_idempotent():
    call_command("seed_demo", i_know_this_is_not_production=True)
    counts = (
        User.objects.count(),
        ApplicantProfile.objects.count(),
        EmailAddress.objects.count(),
        Application.objects.count(),
        Document.objects.count(),
    )
    call_command("seed_demo", i_know_this_is_not_production=True)
    assert counts == (
        User.objects.count(),
        ApplicantProfile.objects.count(),
        EmailAddress.objects.count(),
        Application.objects.count(),
        Document.objects.count(),
    )
    assert counts[0] == len(DEMO_PEOPLE)


@pytest.mark.django_db
def test_seed_demo_restores_a_changed_demo_account():
    call_command("seed_demo", i_know_this_is_not_production=True)
    agent = User.objects.get(role=Role.PREFECTURE_AGENT, prefecture__departement_code="75")
    agent.set_password("changed")
    agent.is_active = False
    agent.save()
    call_command("seed_demo", i_know_this_is_not_production=True)
    agent.refresh_from_db()
    assert agent.is_active and agent.check_password(DEMO_PASSWORD)


@pytest.mark.django_db
def test_seed_demo_agents_belong_to_two_prefectures():
    call_command("seed_demo", i_know_this_is_not_production=True)
    departements = set(
        User.objects.filter(role=Role.PREFECTURE_AGENT).values_list(
            "prefecture__departement_code", flat=True
        )
    )
    assert departements == {"75", "93"}


@pytest.mark.django_db
def test_seed_demo_has_an_applicant_without_foreigner_number():
    call_command("seed_demo", i_know_this_is_not_production=True)
    assert ApplicantProfile.objects.filter(foreigner_number__isnull=True).exists()


@pytest.mark.django_db
def test_seed_demo_accounts_can_sign_in(client):
    call_command("seed_demo", i_know_this_is_not_production=True)
    for person in DEMO_PEOPLE:
        assert client.login(email=person.email, password=DEMO_PASSWORD), person.email
        client.logout()


@pytest.mark.django_db
def test_seed_demo_creates_the_scenario_dossiers():
    call_command("seed_demo", i_know_this_is_not_production=True)

    def statuses(login):
        return sorted(
            Application.objects.filter(applicant__email=f"{login}@{DEMO_DOMAIN}").values_list(
                "status", flat=True
            )
        )

    assert statuses("amina.diallo") == ["complete"]
    assert statuses("karim.benali") == ["unfavourable"]
    assert statuses("maria.santos") == ["submitted", "submitted"]
    assert statuses("yonas.tesfaye") == ["submitted"]
    assert statuses("samuel.mensah") == ["complete"]


@pytest.mark.django_db
def test_seed_demo_scenario_1_has_her_api_already():
    from attestations.models import Attestation

    call_command("seed_demo", i_know_this_is_not_production=True)
    kinds = set(
        Attestation.objects.filter(holder__email=f"amina.diallo@{DEMO_DOMAIN}").values_list(
            "kind", flat=True
        )
    )
    assert kinds == {"deposit_receipt", "api"}


@pytest.mark.django_db
def test_seed_demo_without_debug_or_the_flag_refuses_and_creates_nothing(settings):
    """Issue 15: in production it recreated the administrator with the published password."""
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--i-know-this-is-not-production"):
        call_command("seed_demo")
    assert not User.objects.filter(email__endswith=DEMO_DOMAIN).exists()


@pytest.mark.django_db
def test_seed_demo_with_debug_on_runs_without_the_flag(settings):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    assert User.objects.filter(role=Role.ADMINISTRATOR, email__endswith=DEMO_DOMAIN).exists()


def test_make_run_passes_the_flag():
    makefile = (Path(settings_module.BASE_DIR) / "Makefile").read_text()
    assert "manage.py seed_demo --i-know-this-is-not-production" in makefile


@pytest.mark.django_db
def test_seed_demo_has_a_card_inside_its_renewal_window_with_the_banner(client):
    from applications.reminders.demo import DEMO_EMAIL
    from applications.reminders.panels import banners

    call_command("seed_demo", i_know_this_is_not_production=True)
    fatou = User.objects.get(email=DEMO_EMAIL)
    shown = banners(fatou, fatou)
    assert [entry.reminder.kind for entry in shown] == ["renewal_window_open_120"]
    assert shown[0].permit.valid_until == timezone.localdate() + timedelta(days=100)
    client.force_login(fatou)
    page = client.get(reverse("portal:home"), headers={"accept-language": "en"})
    assert 'id="renewal-reminder-' in page.text


@pytest.mark.django_db
def test_seed_demo_renewal_copies_what_is_still_valid():
    from applications import services
    from applications.reminders.demo import DEMO_EMAIL

    call_command("seed_demo", i_know_this_is_not_production=True)
    fatou = User.objects.get(email=DEMO_EMAIL)
    permit = fatou.residence_permits.get()
    _renewal, copies = services.application_create_renewal(
        applicant=fatou, ground=permit.ground, actor=fatou, renews_permit=permit
    )
    assert {copy.document_type.code for copy in copies} == {"passport"}


@pytest.mark.django_db
def test_seed_demo_seine_saint_denis_workbench_is_alive():
    from applications.models import Annotation, Assignment, Follow
    from applications.workbench.selectors import WORKING_STATES

    call_command("seed_demo", i_know_this_is_not_production=True)
    call_command("seed_demo", i_know_this_is_not_production=True)  # created once
    agent = User.objects.get(email=f"agent.seine-saint-denis@{DEMO_DOMAIN}")
    in_93 = Application.objects.filter(prefecture__departement_code="93")
    assert Assignment.objects.filter(agent=agent, application__in=in_93).count() == 2
    assert in_93.filter(status__in=WORKING_STATES, assignment__isnull=True).exists()
    assert Annotation.objects.filter(author=agent, application__in=in_93).count() == 2
    assert Follow.objects.filter(agent=agent, application__in=in_93).count() == 1


@pytest.mark.django_db
def test_seed_demo_paris_at_risk_dashboard_has_a_card_ending_and_an_incomplete_renewal():
    from attestations.at_risk import at_risk_dashboard

    call_command("seed_demo", i_know_this_is_not_production=True)
    agent = User.objects.get(email=f"agent.paris@{DEMO_DOMAIN}")
    dashboard = at_risk_dashboard(agent)
    assert f"moussa.kone@{DEMO_DOMAIN}" in [row.contact.email for row in dashboard.permits_ending]
    assert f"mei.zhang@{DEMO_DOMAIN}" in [row.contact.email for row in dashboard.renewals]
    assert dashboard.counts["api_gaps"] == 0


@pytest.mark.django_db
def test_seed_demo_seine_saint_denis_supervisor_sees_a_decision_due():
    from attestations.at_risk import at_risk_dashboard

    call_command("seed_demo", i_know_this_is_not_production=True)
    call_command("seed_demo", i_know_this_is_not_production=True)  # created once
    supervisor = User.objects.get(email=f"supervisor.seine-saint-denis@{DEMO_DOMAIN}")
    decisions = at_risk_dashboard(supervisor).decisions_due
    assert [row.contact.email for row in decisions] == [f"ravi.kumar@{DEMO_DOMAIN}"]
    assert 0 < decisions[0].days_left <= 30
