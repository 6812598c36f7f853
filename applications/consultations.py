"""Someone opened a person's dossier or one of its documents: announced here, logged by the app
that keeps the person's consultation log (support's `PersonalDataAccess`, shown on
/me/consultations/, issue 8; RGPD art. 15).

applications sits below support, so its views send this signal instead of calling support's
service (docs/architecture.md, "What is still upside down", item 3); support connects its
receiver in `SupportConfig.ready()`. The signal is sent for every opening, by anyone; the
receiver decides what is logged (only staff, never the person themself). It is sent with
`send`, not `send_robust`: a log that cannot be written fails the request, as before."""

from django.dispatch import Signal

from applications.models import Application, Document

# kwargs: viewer (the user), application, document (None for the dossier itself).
dossier_consulted = Signal()


def consulted(*, viewer, application: Application, document: Document | None = None) -> None:
    dossier_consulted.send(
        sender=Application, viewer=viewer, application=application, document=document
    )
