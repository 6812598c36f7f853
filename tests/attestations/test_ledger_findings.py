"""The six findings of the independent verifier (issue 14), each as what a person or a checker
sees over time. Each of these failed on the engine that recomputed chains by rank.

Every dossier is built through the real services and swept day by day, as beat would."""

import datetime

import pytest
from django.urls import reverse

from anef.errors import DomainError
from applications import services as dossier
from applications.models import Application
from attestations.models import Attestation
from attestations.services import attestations_sweep
from reference.enums import ProcedureKind
from tests.applications.helpers import filed, started, with_all_documents
from tests.attestations.factories import RenewedPermitFactory
from tests.attestations.test_verification import ENGLISH, on, refuse, today

ONE_DAY = datetime.timedelta(days=1)
PRINTED = ("number", "valid_from", "valid_until", "holder_snapshot", "prefecture_id", "rights")


def person_with_permit(expires_in_days: int = 70):
    permit = RenewedPermitFactory(
        valid_until=today() + datetime.timedelta(days=expires_in_days), right_to_work="full"
    )
    return permit.holder.applicant_profile, permit


def printed(attestation: Attestation) -> tuple:
    return tuple(getattr(attestation, name) for name in PRINTED)


def sweep_days(first: datetime.date, last: datetime.date, actions=None):
    """Sweep every day from `first` to `last`, running `actions[day]` first (at noon)."""
    actions = actions or {}
    day = first
    while day <= last:
        with on(day):
            if day in actions:
                actions[day]()
            attestations_sweep(today=day)
        day += ONE_DAY


def valid_apis_on(permit, day) -> list[Attestation]:
    return list(Attestation.objects.filter(kind="api", permit=permit).valid_on(day))


def verify_json(client, number: str, day: datetime.date) -> dict:
    return client.get(
        reverse("api:verify", args=[number]), {"on": day.isoformat()}, headers=ENGLISH
    ).json()


# --- 1. Completion moved later ------------------------------------------------------------------


@pytest.mark.django_db
def test_ledger_correction_after_completion_never_revokes_the_api_she_holds(agent, client):
    profile, permit = person_with_permit()
    application = dossier.application_mark_complete(
        application=filed(profile, "salaried_worker", kind="renewal", renews_permit=permit),
        actor=agent,
    )
    expiry = permit.valid_until
    due = expiry - datetime.timedelta(days=14)
    sweep_days(due, due)
    (first,) = Attestation.objects.filter(kind="api")
    held = printed(first)
    correction_on, recompleted_on = expiry + 10 * ONE_DAY, expiry + 60 * ONE_DAY

    def ask_correction():
        dossier.correction_request_create(
            application=application,
            actor=agent,
            message="Please send the new pay slip.",
            deadline=correction_on + 20 * ONE_DAY,
        )
        dossier.correction_answer(application=application, actor=profile.user, answer="Sent.")

    def complete_again():
        dossier.application_mark_complete(application=application, actor=agent)

    last = expiry + 200 * ONE_DAY
    sweep_days(due + ONE_DAY, last, {correction_on: ask_correction, recompleted_on: complete_again})
    first.refresh_from_db()
    assert printed(first) == held and first.ended_on is None
    day = expiry + ONE_DAY
    while day <= last:
        assert len(valid_apis_on(permit, day)) == 1, day
        day += ONE_DAY
    answer = verify_json(client, first.number, expiry + 30 * ONE_DAY)
    assert answer["status"] == "valid"


# --- 2. Address change --------------------------------------------------------------------------


@pytest.mark.django_db
def test_ledger_address_change_replaces_the_api_and_the_old_number_says_replaced(agent, client):
    profile, permit = person_with_permit()
    application = dossier.application_mark_complete(
        application=filed(profile, "salaried_worker", kind="renewal", renews_permit=permit),
        actor=agent,
    )
    started_on = permit.valid_until + ONE_DAY
    moved_on = started_on + 20 * ONE_DAY
    sweep_days(permit.valid_until - datetime.timedelta(days=14), started_on)
    (old,) = Attestation.objects.filter(kind="api")
    held = printed(old)

    def move():
        dossier.address_change(
            profile=profile,
            address_line="3 rue de la République",
            postal_code="93200",
            city="Saint-Denis",
            actor=profile.user,
        )

    sweep_days(moved_on, moved_on, {moved_on: move})
    old.refresh_from_db()
    new = Attestation.objects.get(replaces=old)
    assert printed(old) == held  # the paper in her hands is unchanged…
    assert (old.ended_on, old.end_reason) == (moved_on, "superseded")  # …and replaced
    assert (new.valid_from, new.valid_until) == (moved_on, old.valid_until)
    assert new.prefecture == Application.objects.get(pk=application.pk).prefecture
    assert new.prefecture.departement_code == "93"
    answer = verify_json(client, old.number, moved_on)
    assert answer["status"] == "superseded"
    assert answer["newer"]["valid_until"] == old.valid_until.isoformat()
    assert "Saint-Denis" not in str(answer)  # never the new personal data
    assert verify_json(client, old.number, moved_on - ONE_DAY)["status"] == "valid"
    with on(moved_on):
        client.force_login(profile.user)
        page = client.get(reverse("attestations_portal:list"), headers=ENGLISH).text
    assert new.number in page and f"It replaces attestation {old.number}" in page


# --- 3. Two applications renewing the same permit -------------------------------------------------


@pytest.mark.django_db
def test_ledger_two_renewals_of_one_permit_give_one_api_each_day(agent, client):
    profile, permit = person_with_permit()
    same_ground = dossier.application_mark_complete(
        application=filed(profile, "salaried_worker", kind="renewal", renews_permit=permit),
        actor=agent,
    )
    change = dossier.application_mark_complete(
        application=filed(
            profile, "student", kind=ProcedureKind.CHANGE_OF_STATUS, renews_permit=permit
        ),
        actor=agent,
    )
    expiry = permit.valid_until
    refused_on, decided_on = expiry + 40 * ONE_DAY, expiry + 150 * ONE_DAY

    def refuse_first():
        refuse(same_ground, agent)

    def decide_second():
        dossier.application_decide_favourable(application=change, actor=agent)

    last = expiry + 200 * ONE_DAY
    sweep_days(
        expiry - datetime.timedelta(days=14),
        last,
        {refused_on: refuse_first, decided_on: decide_second},
    )
    day = expiry + ONE_DAY
    while day < decided_on:  # one API a day, through the refusal of the first application
        assert len(valid_apis_on(permit, day)) == 1, day
        day += ONE_DAY
    assert valid_apis_on(permit, decided_on) == []
    assert Attestation.objects.get(kind="adf").is_valid_on(decided_on)
    # Both dossier pages show the same chain.
    numbers = set(
        Attestation.objects.filter(kind="api", permit=permit).values_list("number", flat=True)
    )
    for application in (same_ground, change):
        with on(decided_on):
            client.force_login(agent)
            page = client.get(
                reverse("backoffice:application_detail", args=[application.reference])
            ).text
        assert all(number in page for number in numbers)


# --- 4. The card handed over ----------------------------------------------------------------------


@pytest.mark.django_db
def test_ledger_adf_ended_by_the_handover_says_so_never_revoked(agent, client):
    profile, permit = person_with_permit()
    application = dossier.application_mark_complete(
        application=filed(profile, "salaried_worker", kind="renewal", renews_permit=permit),
        actor=agent,
    )
    decided_on = permit.valid_until + 5 * ONE_DAY
    handed_on = decided_on + 30 * ONE_DAY

    def decide():
        dossier.application_decide_favourable(application=application, actor=agent)
        dossier.application_record_card_available(application=application, actor=agent)

    def hand_over():
        dossier.application_record_card_handed_over(
            application=application,
            actor=agent,
            card_number="FR12345678",
            valid_from=handed_on,
            valid_until=handed_on + datetime.timedelta(days=365),
            handed_over_on=handed_on,
        )

    sweep_days(decided_on, handed_on, {decided_on: decide, handed_on: hand_over})
    adf = Attestation.objects.get(kind="adf")
    assert (adf.ended_on, adf.end_reason) == (handed_on, "card_handed_over")
    answer = verify_json(client, adf.number, handed_on)
    assert answer["status"] == "card_handed_over"
    assert answer["ended_on"] == handed_on.isoformat()
    assert verify_json(client, adf.number, handed_on - ONE_DAY)["status"] == "valid"


# --- 5. History after a re-open -------------------------------------------------------------------


@pytest.mark.django_db
def test_ledger_api_ended_by_a_refusal_stays_ended_after_a_reopen(agent, client):
    profile, permit = person_with_permit()
    application = dossier.application_mark_complete(
        application=filed(profile, "salaried_worker", kind="renewal", renews_permit=permit),
        actor=agent,
    )
    refused_on = permit.valid_until + 10 * ONE_DAY
    reopened_on = refused_on + 20 * ONE_DAY

    def refuse_it():
        refuse(application, agent)

    def reopen():
        report = dossier.error_report_create(
            application=application, actor=profile.user, category="other", description="x"
        )
        dossier.error_report_accept(report=report, actor=agent, note="ok", reopen=True)

    sweep_days(
        permit.valid_until - datetime.timedelta(days=14),
        reopened_on + ONE_DAY,
        {refused_on: refuse_it, reopened_on: reopen},
    )
    refused, reinstated = Attestation.objects.filter(kind="api").order_by("valid_from")
    assert (refused.ended_on, refused.end_reason) == (refused_on, "refused")
    assert reinstated.valid_from == reopened_on and reinstated.continues == refused
    for day in (refused_on, reopened_on + ONE_DAY):
        answer = verify_json(client, refused.number, day)
        assert answer["status"] == "ended", day  # never "superseded", never "revoked"
        assert answer["ended_on"] == refused_on.isoformat()
    assert verify_json(client, reinstated.number, reopened_on)["status"] == "valid"
    assert valid_apis_on(permit, refused_on + ONE_DAY) == []  # the refusal stood then


# --- 6. Filed on the 121st day --------------------------------------------------------------------


@pytest.mark.django_db
def test_ledger_renewal_submitted_before_its_window_is_told_the_first_day(reference_data):
    profile, permit = person_with_permit(expires_in_days=121)
    application = with_all_documents(
        started(profile, "salaried_worker", kind="renewal", renews_permit=permit)
    )
    with pytest.raises(DomainError) as refused:
        dossier.application_submit(application=application, actor=profile.user)
    opens_on = permit.valid_until - datetime.timedelta(days=120)
    assert refused.value.code == "renewal_too_early"
    assert refused.value.params["opens_on"] == opens_on.isoformat()
    application.refresh_from_db()
    assert application.status == "draft"  # nothing lost: the draft waits
    with on(opens_on):
        assert dossier.application_submit(application=application, actor=profile.user).filed_at


@pytest.mark.django_db
def test_ledger_renewal_of_a_title_not_renewed_online_opens_two_months_ahead_and_gets_its_api(
    agent,
):
    """R. 431-5: a title not on the list of titles renewed online is renewed within the two
    months before it ends, up to its last day; filed then and complete, it gets its API."""
    from dateutil.relativedelta import relativedelta

    from reference.models import Ground

    Ground.objects.filter(code="salaried_worker").update(renewed_online=False)
    profile, permit = person_with_permit(expires_in_days=70)
    application = with_all_documents(
        started(profile, "salaried_worker", kind="renewal", renews_permit=permit)
    )
    with pytest.raises(DomainError) as refused:
        dossier.application_submit(application=application, actor=profile.user)
    opens_on = permit.valid_until - relativedelta(months=2)
    assert refused.value.params["opens_on"] == opens_on.isoformat()
    late_for_an_online_title = permit.valid_until - datetime.timedelta(days=20)
    with on(late_for_an_online_title):
        dossier.application_submit(application=application, actor=profile.user)
        dossier.application_mark_complete(application=application, actor=agent)
    due = permit.valid_until - datetime.timedelta(days=14)
    sweep_days(due, due)
    (api,) = Attestation.objects.filter(kind="api", permit=permit)
    assert api.valid_from == permit.valid_until + ONE_DAY


@pytest.mark.django_db
def test_ledger_renewal_filed_early_at_a_desk_still_gets_its_api(agent):
    """Filed before the window opened (a dossier recorded before this rule existed): it is not
    late, and the person is not told they missed a deadline."""
    profile, permit = person_with_permit(expires_in_days=100)
    application = filed(profile, "salaried_worker", kind="renewal", renews_permit=permit)
    early = permit.valid_until - datetime.timedelta(days=121)
    Application.objects.filter(pk=application.pk).update(
        filed_at=datetime.datetime.combine(early, datetime.time(12), tzinfo=datetime.UTC)
    )
    application.refresh_from_db()
    dossier.application_mark_complete(application=application, actor=agent)
    due = permit.valid_until - datetime.timedelta(days=14)
    sweep_days(due, due)
    assert Attestation.objects.filter(kind="api", permit=permit).count() == 1


@pytest.mark.django_db
def test_ledger_renewal_filed_late_is_told_at_once_what_it_means_and_where_to_get_help(
    reference_data, client
):
    """Accepted, with its deposit receipt; no API by law; told so on the dossier page with a
    written contact and the desk, never silently left without an answer."""
    profile, permit = person_with_permit(expires_in_days=30)
    application = filed(profile, "salaried_worker", kind="renewal", renews_permit=permit)
    assert application.filed_at is not None
    client.force_login(profile.user)
    page = client.get(
        reverse("portal:application_detail", args=[application.reference]), headers=ENGLISH
    ).text
    assert "the law does not give you automatically the attestation" in page
    assert "no document that proves your right to stay and to work" in page
    assert reverse("support_portal:new") in page


@pytest.mark.django_db
def test_ledger_late_second_renewal_of_a_covered_permit_is_not_told_it_is_uncovered(agent, client):
    """Found walking the portal: a second renewal of the same permit on another ground, filed
    after the window, showed « Act now… you will have no document » while the first renewal's
    API chain covered her. The warning is only true once no timely renewal of the permit is
    left undecided."""
    profile, permit = person_with_permit(expires_in_days=70)
    timely = dossier.application_mark_complete(
        application=filed(profile, "salaried_worker", kind="renewal", renews_permit=permit),
        actor=agent,
    )
    late_day = permit.valid_until - datetime.timedelta(days=30)
    with on(late_day):
        late = filed(profile, "temporary_worker", kind="renewal", renews_permit=permit)
        client.force_login(profile.user)
        for page in (
            reverse("portal:home"),
            reverse("portal:application_detail", args=[late.reference]),
        ):
            assert "Act now to keep a document" not in client.get(page, headers=ENGLISH).text
        refuse(timely, agent)
        page = client.get(
            reverse("portal:application_detail", args=[late.reference]), headers=ENGLISH
        ).text
    assert "Act now to keep a document" in page  # now nothing covers her after the card
