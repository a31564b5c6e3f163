"""Moderators and organisers see the log of sector changes (participants.roles)."""

from django.db import migrations


def sync(apps, schema_editor):
    from participants.roles import roles_sync

    roles_sync(apps)


class Migration(migrations.Migration):
    dependencies = [("participants", "0006_sector_confirmed_and_changes"), ("feedback", "0010_fill_stamps_and_publish")]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
