"""The normalised e-mail is unique (after 0004 filled it; a migration of its own, so that the
rows written there are committed before PostgreSQL alters the table)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_user_email_key")]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="email_key",
            field=models.CharField(editable=False, max_length=254, unique=True),
        ),
    ]
