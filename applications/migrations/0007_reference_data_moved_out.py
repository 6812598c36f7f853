# The other half of reference 0001 (issue 19): the foreign keys point at the `reference` models and
# the old ones leave `applications`' state; the tables stay, in state and database alike. It runs
# after every other app's foreign keys have moved, so the state never holds a key to a model gone.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('applications', '0006_ground_renewed_online'),
        ('reference', '0001_initial'),
        # Every foreign key to the moved models points at `reference` before they leave.
        ('accounts', '0009_point_at_reference'),
        ('attestations', '0004_point_at_reference'),
        ('support', '0005_point_at_reference'),
        ('substitution', '0005_point_at_reference'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='application',
                    name='decision_reason',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, to='reference.decisionreason', verbose_name='reason'),
                ),
                migrations.AlterField(
                    model_name='document',
                    name='document_type',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to='reference.documenttype', verbose_name='document type'),
                ),
                migrations.RemoveField(
                    model_name='ground',
                    name='document_types',
                ),
                migrations.RemoveField(
                    model_name='groundrequirement',
                    name='document_type',
                ),
                migrations.RemoveField(
                    model_name='groundrequirement',
                    name='ground',
                ),
                migrations.AlterField(
                    model_name='application',
                    name='ground',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='applications', to='reference.ground', verbose_name='ground'),
                ),
                migrations.AlterField(
                    model_name='residencepermit',
                    name='ground',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, to='reference.ground', verbose_name='ground'),
                ),
                migrations.AlterField(
                    model_name='application',
                    name='prefecture',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='applications', to='reference.prefecture', verbose_name='prefecture'),
                ),
                migrations.AlterField(
                    model_name='correctionrequest',
                    name='document_types',
                    field=models.ManyToManyField(blank=True, to='reference.documenttype', verbose_name='documents asked for'),
                ),
                migrations.DeleteModel(
                    name='DecisionReason',
                ),
                migrations.DeleteModel(
                    name='DocumentType',
                ),
                migrations.DeleteModel(
                    name='GroundRequirement',
                ),
                migrations.DeleteModel(
                    name='Ground',
                ),
                migrations.DeleteModel(
                    name='Prefecture',
                ),
            ],
        ),
    ]
