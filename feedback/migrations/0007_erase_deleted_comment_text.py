"""Comments their authors deleted before deleting erased the text: erase it now, so deleted means gone."""

from django.db import migrations


def erase(apps, schema_editor):
    Comment = apps.get_model("feedback", "Comment")
    Comment.objects.filter(is_deleted=True).exclude(text="").update(text="", stance="", is_featured=False)


class Migration(migrations.Migration):
    dependencies = [("feedback", "0006_auditentry_append_only")]

    operations = [migrations.RunPython(erase, migrations.RunPython.noop)]
