"""The constraint in a migration of its own: PostgreSQL does not alter a table whose rows the
same transaction just changed under deferred foreign keys (0007 copies the person)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("substitution", "0007_appointment_person"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="appointment",
            constraint=models.UniqueConstraint(
                condition=models.Q(("person__isnull", False), ("status", "booked")),
                fields=("person",),
                name="appointment_one_booked_per_person",
            ),
        ),
    ]
