"""What the attestations app plugs into `applications` at start-up (`AttestationsConfig.ready`):
the sweep of a dossier after each of its changes, and its blocks on the dossier pages. The
lower app declares the hooks (`applications.hooks`) and never imports this one."""

from applications import hooks

SWEEP_ON_DOSSIER_CHANGE = "attestations.sweep_on_dossier_change"
PANEL = "attestations"


def sweep_on_dossier_change(sender, application_id: int, **kwargs) -> None:
    """Issue or end the dossier's attestations at once (a task; duplicates do nothing)."""
    from attestations.tasks import sweep_application

    sweep_application.delay(application_id)


def subscribe() -> None:
    """Idempotent: `dispatch_uid` and the panels' names make a second call a no-op."""
    from attestations.views.backoffice import backoffice_dossier_blocks
    from attestations.views.portal import portal_dossier_blocks, portal_home_blocks

    hooks.dossier_changed.connect(sweep_on_dossier_change, dispatch_uid=SWEEP_ON_DOSSIER_CHANGE)
    hooks.portal_home_panels.register(PANEL, portal_home_blocks)
    hooks.portal_dossier_panels.register(PANEL, portal_dossier_blocks)
    hooks.backoffice_dossier_panels.register(PANEL, backoffice_dossier_blocks)
