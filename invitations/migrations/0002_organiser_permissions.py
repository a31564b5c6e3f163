"""Give the organiser role its rights on events and invitations (participants.roles defines them)."""

from django.db import migrations


def sync(apps, schema_editor):
    from participants.roles import roles_sync

    roles_sync(apps)


class Migration(migrations.Migration):
    dependencies = [("invitations", "0001_initial"), ("participants", "0004_roles_sync")]
    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
