"""Demo desks and slots for the two demo prefectures (Paris 75, Seine-Saint-Denis 93), and one
open case to walk scenario 5 in the back office. Idempotent: desks are found by name, slots by
(desk, start), the case by its e-mail address."""

from datetime import date, time, timedelta

from django.utils import timezone

from reference.models import Prefecture
from substitution.enums import CaseOrigin, DeskKind
from substitution.models import Desk, SubstitutionCase
from substitution.services import open_case, slots_generate

WEEKDAYS = [0, 1, 2, 3, 4]
HOURS = {str(day): [["09:00", "12:00"], ["13:30", "16:30"]] for day in WEEKDAYS}
DEMO_CASE_EMAIL = "bloque.inscription@anef.example"


def _desk(prefecture: Prefecture, kind: str, name: str) -> Desk:
    desk, _created = Desk.objects.get_or_create(
        prefecture=prefecture,
        name=name,
        defaults={
            "kind": kind,
            "location": prefecture.address_line,
            "opening_hours": HOURS,
        },
    )
    return desk


def substitution_demo_seed(today: date | None = None, weeks: int = 3) -> None:
    today = today or timezone.localdate()
    for code in ("75", "93"):
        prefecture = Prefecture.objects.filter(departement_code=code).first()
        if prefecture is None:
            continue
        desk = _desk(prefecture, DeskKind.SUBSTITUTION, "Guichet substitution")
        _desk(prefecture, DeskKind.PAN, "Point d'accueil numérique (PAN)")
        for start, end in ((time(9, 0), time(12, 0)), (time(13, 30), time(16, 30))):
            slots_generate(
                desk=desk,
                first_day=today + timedelta(days=1),
                last_day=today + timedelta(weeks=weeks),
                weekdays=WEEKDAYS,
                day_start=start,
                day_end=end,
                minutes=30,
                capacity=2,
                actor=None,
            )
    prefecture_93 = Prefecture.objects.filter(departement_code="93").first()
    if (
        prefecture_93 is not None
        and not SubstitutionCase.objects.filter(contact_email=DEMO_CASE_EMAIL).exists()
    ):
        open_case(
            origin=CaseOrigin.CONTACT_CENTRE,
            contact_name="Mariam Traoré",
            contact_email=DEMO_CASE_EMAIL,
            contact_phone="06 00 00 00 93",
            prefecture=prefecture_93,
            summary="Démo : n'arrive pas à créer de compte (scénario 5).",
        )
