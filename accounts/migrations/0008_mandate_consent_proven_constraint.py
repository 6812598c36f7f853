from django.db import migrations, models


class Migration(migrations.Migration):
    """The constraint in its own migration: on PostgreSQL, an ALTER TABLE in the transaction
    that updated rows with deferred foreign-key checks fails ("pending trigger events")."""

    dependencies = [
        ("accounts", "0007_mandate_consent_proofs_data"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="mandate",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("consented_at__isnull", True),
                    models.Q(
                        ("confirmed_by__isnull", False),
                        ("consented_at__isnull", False),
                        models.Q(("confirmed_via", ""), _negated=True),
                        models.Q(("confirmed_by", models.F("helper")), _negated=True),
                    ),
                    _connector="OR",
                ),
                name="mandate_consent_proven",
            ),
        ),
    ]
