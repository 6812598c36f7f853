"""The workbench of the demo (`manage.py seed_demo`), so that it is alive when `make run` starts:
in Seine-Saint-Denis, the supervisor (supervisor.seine-saint-denis@) has given Samuel Mensah's
complete dossier to the agent (agent.seine-saint-denis@), who took Karim Benali's herself (she
decided it); Yonas Tesfaye's dossier is assigned to nobody, and she follows it; two notes.

Through the real services (each writes its agent-side event and its audit entry). Created once:
a dossier already assigned or noted is left as the demo may have changed it."""

from applications.models import Annotation, Application, Assignment
from applications.workbench.services import (
    annotation_create,
    application_assign,
    application_follow,
)

NOTES = {
    "samuel.mensah": "Dossier complet. Vérifier l'ancienneté de la résidence avant la décision : "
    "justificatifs de 2019 à 2021 à rapprocher.",
    "yonas.tesfaye": "Pas encore de numéro étranger. Demande transmise au service des "
    "numéros le jour du dépôt ; en attente de retour.",
}


def _dossier(users: dict, local_part: str, domain: str) -> Application | None:
    return (
        Application.objects.filter(
            applicant=users[f"{local_part}@{domain}"], prefecture__departement_code="93"
        )
        .exclude(status="draft")
        .order_by("pk")
        .first()
    )


def workbench_demo_seed(users: dict, domain: str) -> None:
    agent = users[f"agent.seine-saint-denis@{domain}"]
    supervisor = users[f"supervisor.seine-saint-denis@{domain}"]
    samuel = _dossier(users, "samuel.mensah", domain)
    karim = _dossier(users, "karim.benali", domain)
    yonas = _dossier(users, "yonas.tesfaye", domain)
    for application, actor in ((samuel, supervisor), (karim, agent)):
        if application and not Assignment.objects.filter(application=application).exists():
            application_assign(application=application, agent=agent, actor=actor)
    for local_part, application in (("samuel.mensah", samuel), ("yonas.tesfaye", yonas)):
        if application and not Annotation.objects.filter(application=application).exists():
            annotation_create(application=application, actor=agent, body=NOTES[local_part])
    if yonas:
        application_follow(application=yonas, actor=agent)  # twice is once
