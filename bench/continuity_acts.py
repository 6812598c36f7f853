"""The acts of `bench/continuity.py`: what people and agents do to the dossiers, each through the
real service (`applications.services`). An `Actor` owns a set of people for the whole run (their
queue of acts to come, what happened to them): one in process, or one per worker process over
disjoint people (`continuity_workers.py`). Nothing here depends on the order in which the people
of one day are played, so the sequential and the parallel runs give the same figures:
- a dropped on-commit trigger (fault) is drawn from (seed, person, day, action), not from a
  shared stream;
- the agents are created before the workers start.
"""

import random
from collections import Counter, defaultdict
from datetime import date, timedelta

import continuity_measure as measure
import continuity_scenario as scenario

ACTION_ORDER = {
    name: position
    for position, name in enumerate(
        ["file", "complete", "ask", "answer", "decide", "card", "handover", "move", "withdraw"]
    )
}
AGENT_DEPARTEMENTS = ("75", "93")  # Paris, and Seine-Saint-Denis for those who move there


def agents_create() -> None:
    """One agent per prefecture the people can reach, before any worker starts."""
    from accounts.enums import Role
    from accounts.models import User
    from reference.models import Prefecture

    for prefecture in Prefecture.objects.filter(departement_code__in=AGENT_DEPARTEMENTS):
        email = f"agent-{prefecture.departement_code.lower()}@bench.invalid"
        if not User.objects.filter(email_key=email).exists():
            User.objects.create_user(email, None, role=Role.PREFECTURE_AGENT, prefecture=prefecture)


class Actor:
    """The acts of some people (`people`: index → Person), day by day."""

    def __init__(self, config, people: dict, index: dict):
        from reference.models import DecisionReason

        self.config = config
        self.people = people
        self.index = index  # person index → (user id, profile id, previous dossier id, permit id)
        self.applications: dict[int, int] = {}  # person index → the renewal's id, once started
        self.queue: dict[int, list] = defaultdict(list)
        for person in people.values():
            self.queue[person.attempt].append((person.index, "file"))
        self.completed_once: set[int] = set()
        self.agents: dict[int, object] = {}
        self.users: dict[int, object] = {}
        self.refusal = DecisionReason.objects.filter(kind="refusal").order_by("pk").first()
        self.service_calls: Counter = Counter()
        self.fault_log: Counter = Counter()
        self._current: tuple = ()
        self._syncs = 0

    # --- a day ------------------------------------------------------------------------------

    def day_play(self, number: int, day: date, reminded: list[int]) -> None:
        """The reminder responses (ASSUMPTION) first, then the day's acts."""
        for person_index in reminded:
            self.reminder_received(self.people[person_index], number)
        todo = sorted(self.queue.pop(number, []), key=lambda item: (item[0], ACTION_ORDER[item[1]]))
        for person_index, action in todo:
            self._current, self._syncs = (person_index, number, action), 0
            getattr(self, f"_{action}")(self.people[person_index], number, day)

    def reminder_received(self, person, number: int) -> None:
        """The real service reminded this person today (read from its log). Whether they then
        file in time is the ASSUMED response (`scenario.reminder_response_day`)."""
        self.service_calls["reminded (real service)"] += 1
        if person.reminded or (person.index in self.applications and self._filed(person)):
            return
        day = scenario.reminder_response_day(
            person, number, self.config.reminder_rate, seed=self.config.seed
        )
        if day is None:
            return
        person.reminded = True
        if person.intent == "early":
            person.retry = day
        else:
            person.attempt = day
        self.service_calls["filing moved into the window (ASSUMED response)"] += 1
        self._later(day, person, "file")

    def _filed(self, person) -> bool:
        from applications.enums import ApplicationStatus
        from applications.models import Application

        status = Application.objects.filter(pk=self.applications[person.index]).values_list(
            "status", flat=True
        )
        return status.first() != ApplicationStatus.DRAFT

    # --- on-commit ----------------------------------------------------------------------------

    def on_commit_sync(self, application_id: int) -> None:
        """The Celery task `attestations.sweep_application`, run at once; some are lost (drawn
        from the person, day, action and rank of the trigger: the same whatever the order)."""
        from attestations.services import attestations_sync_application

        if self.config.on_commit == "sweep":
            self.fault_log["on-commit syncs left to the catch-up sweep (option)"] += 1
            return
        self._syncs += 1
        if self.config.faults:
            key = f"{self.config.seed}:drop:{':'.join(map(str, self._current))}:{self._syncs}"
            if random.Random(key).random() < self.config.drop_rate:  # noqa: S311
                self.fault_log["on-commit triggers dropped"] += 1
                return
        attestations_sync_application(application_id=application_id)

    # --- helpers ------------------------------------------------------------------------------

    def _later(self, number: int, person, action: str) -> None:
        self.queue[number].append((person.index, action))

    def _called(self, name: str) -> None:
        self.service_calls[name] += 1

    def _application(self, person):
        from applications.models import Application

        application_id = self.applications.get(person.index)
        if application_id is None:
            return None
        return Application.objects.select_related("prefecture").get(pk=application_id)

    def _user(self, person):
        from accounts.models import User

        user_id = self.index[person.index][0]
        if user_id not in self.users:
            self.users[user_id] = User.objects.get(pk=user_id)
        return self.users[user_id]

    def _agent(self, application):
        from accounts.models import User

        prefecture = application.prefecture
        if prefecture.pk not in self.agents:
            email = f"agent-{prefecture.departement_code.lower()}@bench.invalid"
            self.agents[prefecture.pk] = User.objects.get(email_key=email)
        return self.agents[prefecture.pk]

    def _renewal_start(self, person, day):
        """« Renew now »: `application_create_renewal` copies the files of the last dossier
        still valid; the person gives what is missing (rows: the upload pipeline is not this
        benchmark's business)."""
        from django.db import connection

        from applications.models import Document, ResidencePermit
        from applications.selectors import application_missing_documents
        from applications.services import application_create_renewal

        user = self._user(person)
        permit = ResidencePermit.objects.select_related("ground").get(
            pk=self.index[person.index][3]
        )
        application, copies = application_create_renewal(
            applicant=user, ground=permit.ground, actor=user, renews_permit=permit, today=day
        )
        self._called("renewal started (application_create_renewal)")
        self.service_calls["pieces copied from the last dossier"] += len(copies)
        missing = application_missing_documents(application)
        Document.objects.bulk_create(
            Document(
                application=application,
                document_type=document_type,
                file=f"bench-continuity/given-{application.pk}-{document_type.pk}.pdf",
                original_name="piece.pdf",
                content_type="application/pdf",
                size=1000,
                sha256="0" * 64,
                uploaded_by=user,
            )
            for document_type in missing
        )
        self.service_calls["pieces given anew"] += len(missing)
        self.applications[person.index] = application.pk
        with connection.cursor() as cursor:
            measure.application_record(cursor, user.pk, application.pk)
        return application

    # --- the acts -------------------------------------------------------------------------------

    def _file(self, person, number, day) -> None:
        from django.db import connection

        from anef.errors import DomainError
        from applications.enums import ApplicationStatus
        from applications.services import application_submit

        application = self._application(person) or self._renewal_start(person, day)
        if application.status != ApplicationStatus.DRAFT:
            return
        try:
            application_submit(application=application, actor=self._user(person))
        except DomainError as error:
            if error.code != "renewal_too_early":
                raise
            self._called("file refused: too early")
            with connection.cursor() as cursor:
                measure.tried_early_record(cursor, self.index[person.index][0])
            retry = person.retry if person.retry is not None and person.retry > number else None
            self._later(retry or number + 30, person, "file")
            return
        self._called("file")
        if person.complete_after is not None:
            self._later(number + person.complete_after, person, "complete")
        if person.move_after is not None:
            self._later(number + person.move_after, person, "move")
        if person.withdraw_after is not None:
            self._later(number + person.withdraw_after, person, "withdraw")

    def _complete(self, person, number, day) -> None:
        from applications.enums import ApplicationStatus
        from applications.services import application_mark_complete

        application = self._application(person)
        if application.status != ApplicationStatus.SUBMITTED:
            return
        application_mark_complete(application=application, actor=self._agent(application))
        self._called("complete")
        if person.index not in self.completed_once:
            self.completed_once.add(person.index)
            self._later(number + person.instruction, person, "decide")
            if person.correction is not None:
                self._later(number + person.correction[0], person, "ask")

    def _ask(self, person, number, day) -> None:
        from applications.enums import ApplicationStatus
        from applications.services import correction_request_create

        application = self._application(person)
        if application.status != ApplicationStatus.COMPLETE:
            return
        correction_request_create(
            application=application,
            actor=self._agent(application),
            message="Please send your latest pay slip.",
            deadline=day + timedelta(days=30),
        )
        self._called("correction asked")
        self._later(number + person.correction[1], person, "answer")

    def _answer(self, person, number, day) -> None:
        from applications.enums import ApplicationStatus
        from applications.services import correction_answer

        application = self._application(person)
        if application.status != ApplicationStatus.CORRECTION_REQUESTED:
            return
        correction_answer(application=application, actor=self._user(person), answer="Sent.")
        self._called("correction answered")
        self._later(number + person.correction[2], person, "complete")

    def _decide(self, person, number, day) -> None:
        from applications.enums import ApplicationStatus
        from applications.services import (
            application_decide_favourable,
            application_decide_unfavourable,
        )

        application = self._application(person)
        under_correction = (ApplicationStatus.SUBMITTED, ApplicationStatus.CORRECTION_REQUESTED)
        if application.status in under_correction:
            self._later(number + 7, person, "decide")  # a correction under way
            return
        if application.status != ApplicationStatus.COMPLETE:
            return
        agent = self._agent(application)
        if person.favourable:
            application_decide_favourable(application=application, actor=agent)
            self._called("favourable")
            self._later(number + person.card_after, person, "card")
            return
        application_decide_unfavourable(
            application=application,
            actor=agent,
            reason=self.refusal,
            explanation="The conditions of the card are not met.",
            legal_basis="CESEDA, art. L. 432-1",
            remedies="Recours gracieux ou contentieux dans les deux mois.",
            obligation_to_leave=False,
        )
        self._called("refusal")

    def _card(self, person, number, day) -> None:
        from applications.enums import ApplicationStatus
        from applications.services import application_record_card_available

        application = self._application(person)
        if application.status != ApplicationStatus.FAVOURABLE:
            return
        application_record_card_available(application=application, actor=self._agent(application))
        self._called("card available")
        self._later(number + person.handover_after, person, "handover")

    def _handover(self, person, number, day) -> None:
        from applications.enums import ApplicationStatus
        from applications.services import application_record_card_handed_over

        application = self._application(person)
        if application.status != ApplicationStatus.CARD_AVAILABLE:
            return
        application_record_card_handed_over(
            application=application,
            actor=self._agent(application),
            card_number=f"NC{application.pk:010d}",
            valid_from=day,
            valid_until=day + timedelta(days=4 * 365),
            handed_over_on=day,
        )
        self._called("card handed over")

    def _move(self, person, number, day) -> None:
        from accounts.models import ApplicantProfile
        from applications.services import address_change

        profile = ApplicantProfile.objects.get(pk=self.index[person.index][1])
        if person.move_to_93:
            postal_code, city = "93200", "Saint-Denis"
        else:
            postal_code, city = f"750{int(profile.postal_code[-2:]) % 20 + 1:02d}", "Paris"
        address_change(
            profile=profile,
            address_line=f"{number % 150 + 1} avenue Jean Jaurès",
            postal_code=postal_code,
            city=city,
            actor=self._user(person),
        )
        self._called("address change")

    def _withdraw(self, person, number, day) -> None:
        from applications.services import application_withdraw
        from applications.workflow import UNDECIDED_STATES

        application = self._application(person)
        if application.status not in UNDECIDED_STATES:
            return
        application_withdraw(application=application, actor=self._user(person))
        self._called("withdrawal")
