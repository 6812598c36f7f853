"""The reference data left `applications` for `reference` without a row lost (issue 19).

The migrations are played back and forth on the test database: rows written through the
models as they were before the move are read through the `reference` models after it. Runs on
SQLite and PostgreSQL alike (a transactional test: SQLite cannot change its schema inside the
test's transaction).
"""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import User
from reference.models import Ground, GroundRequirement, Prefecture

BEFORE_THE_MOVE = [("reference", None)]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    if executor.migration_plan(targets):
        return executor.migrate(targets)
    return None


def _rows_before_the_move(old_apps) -> dict:
    """A prefecture, a ground with one checklist item and an agent of that prefecture, written
    through the models as `applications` held them, with the content type of its prefectures
    and a group that may change them."""
    OldPrefecture = old_apps.get_model("applications", "Prefecture")
    OldGround = old_apps.get_model("applications", "Ground")
    OldDocumentType = old_apps.get_model("applications", "DocumentType")
    OldUser = old_apps.get_model("accounts", "User")
    OldContentType = old_apps.get_model("contenttypes", "ContentType")
    OldPermission = old_apps.get_model("auth", "Permission")
    OldGroup = old_apps.get_model("auth", "Group")

    prefecture = OldPrefecture.objects.create(
        code="pref-test-migration",
        name="Préfecture du test",
        departement_code="976",
        departement_name="Mayotte",
        address_line="1 rue du Test",
        postal_code="97600",
        city="Mamoudzou",
    )
    ground = OldGround.objects.create(
        code="ground-test-migration",
        label_fr="Motif du test",
        label_en="Test ground",
        description_fr="Conditions",
        description_en="Conditions",
        ceseda_article="L. 421-1",
        card_type="temporary",
        right_to_work="full",
        renewable=False,
        procedure_kinds=["first_application"],
    )
    document_type = OldDocumentType.objects.create(
        code="doc-test-migration", label_fr="Pièce", label_en="Piece"
    )
    ground.requirements.create(document_type=document_type, note_fr="Original")
    agent = OldUser.objects.create(
        email="agent-migration@example.org",
        email_key="agent-migration@example.org",
        role="prefecture_agent",
        prefecture=prefecture,
    )
    content_type = OldContentType.objects.get(app_label="applications", model="prefecture")
    group = OldGroup.objects.create(name="reference editors (migration test)")
    group.permissions.add(
        OldPermission.objects.get(content_type=content_type, codename="change_prefecture")
    )
    return {
        "prefecture": prefecture.pk,
        "ground": ground.pk,
        "agent": agent.pk,
        "content_type": content_type.pk,
    }


@pytest.mark.django_db(transaction=True)
def test_migration_reference_move_keeps_every_row_and_link():
    try:
        old_state = _migrate(BEFORE_THE_MOVE)
        before = _rows_before_the_move(old_state.apps)
        _migrate(None)

        ContentType.objects.clear_cache()
        prefecture = Prefecture.objects.get(pk=before["prefecture"])
        assert prefecture.departement_code == "976"
        assert User.objects.get(pk=before["agent"]).prefecture == prefecture
        ground = Ground.objects.get(pk=before["ground"])
        requirement = GroundRequirement.objects.get(ground=ground)
        assert requirement.note_fr == "Original"
        assert requirement.document_type.code == "doc-test-migration"
        content_type = ContentType.objects.get_for_model(Prefecture)
        assert content_type.pk == before["content_type"]
        assert (
            Permission.objects.get(content_type=content_type, codename="change_prefecture")
            .group_set.filter(name="reference editors (migration test)")
            .exists()
        )
    finally:
        _migrate(None)
