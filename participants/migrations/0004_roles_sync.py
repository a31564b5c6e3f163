"""Bring the staff groups to the permissions participants.roles defines (idempotent)."""

from django.db import migrations


def sync(apps, schema_editor):
    from participants.roles import roles_sync

    roles_sync(apps)


class Migration(migrations.Migration):
    dependencies = [("participants", "0003_staff_groups"), ("feedback", "0004_proposal_from_topics")]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
