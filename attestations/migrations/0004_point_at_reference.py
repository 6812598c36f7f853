# The reference data moved to the `reference` app on the same tables (issue 19): the foreign keys
# follow in Django's state only; the database columns and constraints are already right.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('attestations', '0003_ledger'),
        ('reference', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='attestation',
                    name='ground',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='reference.ground'),
                ),
                migrations.AlterField(
                    model_name='attestation',
                    name='prefecture',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='reference.prefecture', verbose_name='issuing prefecture'),
                ),
            ],
        ),
    ]
