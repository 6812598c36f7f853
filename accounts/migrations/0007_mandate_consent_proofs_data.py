from django.db import migrations


def proofs_forwards(apps, schema_editor):
    """Mandates the person confirmed or gave from their account keep their consent, now with
    its proof. Mandates in force on a helper's word alone (a scan they uploaded, issue 15) go
    back to waiting for the person's consent or an agent's check: nothing proved it. Their
    recording stays in the audit log (`mandate_record_signed`, with its date)."""
    Mandate = apps.get_model("accounts", "Mandate")
    proven = Mandate.objects.filter(consent_method="account", consented_at__isnull=False)
    for mandate in proven.only("pk", "person_id"):
        Mandate.objects.filter(pk=mandate.pk).update(
            confirmed_via="person_account", confirmed_by_id=mandate.person_id
        )
    Mandate.objects.filter(consent_method="signed_form", consented_at__isnull=False).update(
        consented_at=None
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_mandate_consent_proven"),
    ]

    operations = [
        migrations.RunPython(proofs_forwards, migrations.RunPython.noop),
    ]
