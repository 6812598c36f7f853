"""Celery tasks: thin, idempotent, they call services (a retry or a duplicate does nothing)."""

from celery import shared_task


@shared_task(name="attestations.sweep")
def sweep_attestations(shard: int | None = None, shards: int | None = None) -> int:
    """Hourly (beat): issue what is due, end what has ended, for every dossier due.

    Called without a shard and with ATTESTATION_SWEEP_SHARDS > 1, it only enqueues one task per
    shard (dossiers whose id is k modulo n), so that n workers sweep disjoint parts at once."""
    from django.conf import settings

    from attestations.inputs import attestation_inputs_check
    from attestations.services import attestations_sweep

    if shard is None:
        # A new policy or a ground moved on or off the list of titles renewed online: the
        # dossiers concerned are looked at again by this sweep (attestations.inputs).
        attestation_inputs_check()
    shards = shards or settings.ATTESTATION_SWEEP_SHARDS
    if shard is None and shards > 1:
        for part in range(shards):
            sweep_attestations.delay(shard=part, shards=shards)
        return 0
    return attestations_sweep(shard=shard or 0, shards=shards).issued


@shared_task(name="attestations.sweep_application")
def sweep_application(application_id: int) -> int:
    """At once after a decision, a completion or a handover (on commit)."""
    from attestations.services import attestations_sync_application

    return attestations_sync_application(application_id=application_id).issued


@shared_task(name="attestations.render_missing_pdfs")
def render_missing_pdfs() -> int:
    """Render every attestation whose PDF is missing or out of date, in small batches."""
    from attestations.pdf import attestation_pdfs_render_missing

    return attestation_pdfs_render_missing()


@shared_task(name="attestations.notify_holders")
def notify_holders() -> int:
    """Tell each holder, once, that a new attestation is in their space (never the document
    itself by e-mail)."""
    from attestations.notifications import attestations_notify_pending

    return attestations_notify_pending()
