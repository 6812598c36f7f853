"""Building dossiers in tests through the real services, as a person would."""

from applications import services
from applications.models import Application
from applications.selectors import application_checklist
from reference.enums import ProcedureKind
from reference.models import Ground
from tests.applications.factories import pdf_upload


def started(profile, ground_code: str = "parent_of_french_child", **kwargs) -> Application:
    kwargs.setdefault("kind", ProcedureKind.FIRST_APPLICATION)
    return services.application_create(
        applicant=profile.user,
        ground=Ground.objects.get(code=ground_code),
        actor=profile.user,
        **kwargs,
    )


def with_all_documents(application: Application) -> Application:
    for item in application_checklist(application):
        if item.requirement.mandatory and not item.documents:
            services.document_add(
                application=application,
                document_type=item.requirement.document_type,
                uploaded_file=pdf_upload(f"{item.requirement.document_type.code}.pdf"),
                actor=application.applicant,
            )
    return application


def filed(profile, ground_code: str = "parent_of_french_child", **kwargs) -> Application:
    application = with_all_documents(started(profile, ground_code, **kwargs))
    return services.application_submit(application=application, actor=profile.user)


def complete(profile, agent, ground_code: str = "parent_of_french_child", **kwargs):
    return services.application_mark_complete(
        application=filed(profile, ground_code, **kwargs), actor=agent
    )
