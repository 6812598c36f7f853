"""The normalised e-mail (issue 15): NFKC then case folding, unique. Filled for existing users;
two accounts whose addresses are the same once normalised are REPORTED and the migration stops,
never merged: an operator decides which account keeps the address (change the other's e-mail in
the admin or the console), then migrates again."""

import unicodedata

from django.db import migrations, models


def _email_key(email: str) -> str:
    # A copy of accounts.models.email_key as it is today: a migration must not change meaning
    # when the model's function does.
    folded = unicodedata.normalize("NFKC", (email or "").strip()).casefold()
    return unicodedata.normalize("NFKC", folded)


class EmailCollision(Exception):
    pass


def fill_email_key(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    by_key: dict[str, list[tuple[int, str]]] = {}
    for pk, email in User.objects.order_by("pk").values_list("pk", "email").iterator():
        by_key.setdefault(_email_key(email), []).append((pk, email))
    collisions = {key: users for key, users in by_key.items() if len(users) > 1}
    if collisions:
        lines = [
            f"  {key!r}: " + ", ".join(f"user {pk} <{email}>" for pk, email in users)
            for key, users in sorted(collisions.items())
        ]
        raise EmailCollision(
            "These accounts have e-mail addresses that are the same once normalised (NFKC and "
            "case folding). Nothing was merged: give all but one of each group another "
            "address, then run the migration again.\n" + "\n".join(lines)
        )
    for key, ((pk, _email),) in by_key.items():
        User.objects.filter(pk=pk).update(email_key=key)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_mandate")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="email_key",
            field=models.CharField(editable=False, max_length=254, null=True),
        ),
        migrations.RunPython(fill_email_key, migrations.RunPython.noop),
    ]
