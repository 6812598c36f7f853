# The reference data moved to the `reference` app on the same tables (issue 19): the foreign keys
# follow in Django's state only; the database columns and constraints are already right.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('reference', '0001_initial'),
        ('substitution', '0004_queue_ticket_timeline'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='desk',
                    name='prefecture',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='desks', to='reference.prefecture', verbose_name='prefecture'),
                ),
                migrations.AlterField(
                    model_name='substitutioncase',
                    name='prefecture',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='substitution_cases', to='reference.prefecture', verbose_name='prefecture'),
                ),
            ],
        ),
    ]
