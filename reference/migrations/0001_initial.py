# The reference data moves out of `applications` (issue 19) without a row copied: the models are
# created here in Django's state only, on the tables `applications` created (their Meta keeps
# the old names). The content types follow, so that permissions, the audit log and the admin's
# history keep pointing at the same rows.

import django.core.validators
import django.db.models.deletion
import reference.models
from django.db import migrations, models

MOVED_MODELS = ("prefecture", "documenttype", "ground", "groundrequirement", "decisionreason")


def _move_content_types(apps, source: str, target: str) -> None:
    """Relabel the moved models' content types from `source` to `target`.

    Permissions, audit-log entries and the admin's history point at the content type's row, so
    relabelling that row keeps them all. (`migrate` creates content types after the migrations,
    from the migrated state, so no `target` row can exist yet; if one did, the unique label
    would stop the migration rather than leave two.)
    """
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label=source, model__in=MOVED_MODELS).update(app_label=target)


def content_types_forward(apps, schema_editor) -> None:
    _move_content_types(apps, "applications", "reference")


def content_types_backward(apps, schema_editor) -> None:
    _move_content_types(apps, "reference", "applications")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        # The tables are those `applications` created; they must exist before this state does.
        ("applications", "0006_ground_renewed_online"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='DecisionReason',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.SlugField(max_length=80, unique=True, verbose_name='code')),
                        ('kind', models.CharField(choices=[('refusal', 'Refusal'), ('closure', 'Closure')], max_length=16, verbose_name='kind')),
                        ('label_fr', models.CharField(max_length=255, verbose_name='label (French)')),
                        ('label_en', models.CharField(max_length=255, verbose_name='label (English)')),
                        ('legal_basis', models.CharField(max_length=255, verbose_name='usual legal basis')),
                        ('remedies_fr', models.TextField(verbose_name='remedies and deadlines (French)')),
                        ('remedies_en', models.TextField(verbose_name='remedies and deadlines (English)')),
                    ],
                    options={
                        'verbose_name': 'decision reason',
                        'verbose_name_plural': 'decision reasons',
                        'db_table': 'applications_decisionreason',
                        'ordering': ['kind', 'code'],
                    },
                    bases=(reference.models.TranslatedTextMixin, models.Model),
                ),
                migrations.CreateModel(
                    name='DocumentType',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.SlugField(max_length=80, unique=True, verbose_name='code')),
                        ('label_fr', models.CharField(max_length=255, verbose_name='label (French)')),
                        ('label_en', models.CharField(max_length=255, verbose_name='label (English)')),
                        ('help_fr', models.TextField(blank=True, verbose_name='help (French)')),
                        ('help_en', models.TextField(blank=True, verbose_name='help (English)')),
                    ],
                    options={
                        'verbose_name': 'document type',
                        'verbose_name_plural': 'document types',
                        'db_table': 'applications_documenttype',
                        'ordering': ['code'],
                    },
                    bases=(reference.models.TranslatedTextMixin, models.Model),
                ),
                migrations.CreateModel(
                    name='Ground',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.SlugField(max_length=80, unique=True, verbose_name='code')),
                        ('label_fr', models.CharField(max_length=255, verbose_name='label (French)')),
                        ('label_en', models.CharField(max_length=255, verbose_name='label (English)')),
                        ('description_fr', models.TextField(verbose_name='conditions in plain words (French)')),
                        ('description_en', models.TextField(verbose_name='conditions in plain words (English)')),
                        ('ceseda_article', models.CharField(help_text='Legal basis, e.g. « L. 421-1 ».', max_length=100, verbose_name='CESEDA article')),
                        ('source_url', models.URLField(blank=True, verbose_name='public source')),
                        ('card_type', models.CharField(choices=[('temporary', 'Temporary residence card (carte de séjour temporaire)'), ('multi_year', 'Multi-year residence card (carte de séjour pluriannuelle)'), ('talent_passport', 'Multi-year card « talent passport »'), ('resident', 'Resident card (carte de résident)'), ('resident_long_term_eu', 'Long-term EU resident card'), ('receipt', 'Receipt (récépissé) pending a decision'), ('travel_document', 'Travel document'), ('same_as_held', 'A new card of the same kind as the card held')], max_length=32, verbose_name='card produced')),
                        ('card_validity_fr', models.CharField(blank=True, max_length=255, verbose_name='card validity (French)')),
                        ('card_validity_en', models.CharField(blank=True, max_length=255, verbose_name='card validity (English)')),
                        ('right_to_stay', models.BooleanField(default=True, verbose_name='right to stay')),
                        ('right_to_work', models.CharField(choices=[('full', 'May work'), ('limited', 'May work, with limits'), ('none', 'May not work'), ('as_held', 'Same right to work as the card held')], max_length=16, verbose_name='right to work')),
                        ('work_limitation_fr', models.CharField(blank=True, max_length=255, verbose_name='limits on work (French)')),
                        ('work_limitation_en', models.CharField(blank=True, max_length=255, verbose_name='limits on work (English)')),
                        ('social_benefits', models.BooleanField(default=True, verbose_name='access to social benefits')),
                        ('renewable', models.BooleanField(verbose_name='can be renewed')),
                        ('renewed_online', models.BooleanField(default=True, help_text='On the list of titles renewed online: renewal filed from the 120th to the 60th day before the card ends. Otherwise: within the two months before it ends.', verbose_name='renewed online (R. 431-5 1°)')),
                        ('procedure_kinds', models.JSONField(default=list, help_text='Which procedures may be filed on this ground (first application, renewal…).', verbose_name='procedures')),
                        ('is_procedure', models.BooleanField(default=False, help_text='Change of situation, travel document, duplicate: not a ground of stay.', verbose_name='is a procedure on an existing card')),
                        ('display_order', models.PositiveSmallIntegerField(default=0, verbose_name='display order')),
                        ('active', models.BooleanField(default=True, verbose_name='offered to applicants')),
                    ],
                    options={
                        'verbose_name': 'ground',
                        'verbose_name_plural': 'grounds',
                        'db_table': 'applications_ground',
                        'ordering': ['display_order', 'code'],
                    },
                    bases=(reference.models.TranslatedTextMixin, models.Model),
                ),
                migrations.CreateModel(
                    name='Prefecture',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.SlugField(unique=True, verbose_name='code')),
                        ('name', models.CharField(max_length=150, verbose_name='name')),
                        ('departement_code', models.CharField(max_length=3, unique=True, validators=[django.core.validators.RegexValidator('^(\\d{2}|2A|2B|97\\d)$', 'Not a département code.')], verbose_name='département code')),
                        ('departement_name', models.CharField(max_length=100, verbose_name='département')),
                        ('address_line', models.CharField(max_length=255, verbose_name='address')),
                        ('postal_code', models.CharField(max_length=5, verbose_name='postal code')),
                        ('city', models.CharField(max_length=100, verbose_name='city')),
                        ('phone', models.CharField(blank=True, max_length=30, verbose_name='phone')),
                        ('email', models.EmailField(blank=True, max_length=254, verbose_name='e-mail')),
                        ('pan_opening_hours', models.CharField(blank=True, max_length=255, verbose_name='digital reception point (PAN) opening hours')),
                    ],
                    options={
                        'verbose_name': 'prefecture',
                        'verbose_name_plural': 'prefectures',
                        'db_table': 'applications_prefecture',
                        'ordering': ['departement_code'],
                    },
                ),
                migrations.CreateModel(
                    name='GroundRequirement',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('mandatory', models.BooleanField(default=True, verbose_name='mandatory')),
                        ('procedure_kinds', models.JSONField(blank=True, default=list, verbose_name='only for these procedures')),
                        ('note_fr', models.CharField(blank=True, max_length=255, verbose_name='note (French)')),
                        ('note_en', models.CharField(blank=True, max_length=255, verbose_name='note (English)')),
                        ('display_order', models.PositiveSmallIntegerField(default=0, verbose_name='display order')),
                        ('document_type', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='requirements', to='reference.documenttype', verbose_name='document type')),
                        ('ground', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='requirements', to='reference.ground', verbose_name='ground')),
                    ],
                    options={
                        'verbose_name': 'required document',
                        'verbose_name_plural': 'required documents',
                        'db_table': 'applications_groundrequirement',
                        'ordering': ['ground', 'display_order', 'pk'],
                    },
                    bases=(reference.models.TranslatedTextMixin, models.Model),
                ),
                migrations.AddField(
                    model_name='ground',
                    name='document_types',
                    field=models.ManyToManyField(related_name='grounds', through='reference.GroundRequirement', to='reference.documenttype'),
                ),
                migrations.AddConstraint(
                    model_name='groundrequirement',
                    constraint=models.UniqueConstraint(fields=('ground', 'document_type'), name='ground_requirement_unique'),
                ),
                migrations.AddConstraint(
                    model_name='ground',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('right_to_work', 'limited'), models.Q(('work_limitation_fr', ''), _negated=True)), models.Q(('right_to_work', 'limited'), _negated=True), _connector='OR'), name='ground_work_limitation_iff_limited', violation_error_message='A limited right to work must say what the limit is.'),
                ),
                migrations.AddConstraint(
                    model_name='ground',
                    constraint=models.CheckConstraint(condition=models.Q(('ceseda_article', ''), _negated=True), name='ground_has_ceseda_article'),
                ),
            ],
        ),
        migrations.RunPython(content_types_forward, content_types_backward),
    ]
