# The reference data moved to the `reference` app on the same tables (issue 19): the foreign keys
# follow in Django's state only; the database columns and constraints are already right.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0008_mandate_consent_proven_constraint'),
        ('reference', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='mandate',
                    name='grounds',
                    field=models.ManyToManyField(blank=True, to='reference.ground', verbose_name='only for these grounds'),
                ),
                migrations.AlterField(
                    model_name='user',
                    name='prefecture',
                    field=models.ForeignKey(blank=True, help_text='Required for prefecture agents, empty for everyone else.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='agents', to='reference.prefecture', verbose_name='prefecture'),
                ),
            ],
        ),
    ]
