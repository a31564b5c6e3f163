"""The organiser's rights on events and the roster (the group comes from participants 0003)."""

from django.db import migrations

GRANTS = [("event", ["view", "add", "change"]), ("invitation", ["view", "add", "change"])]


def grant(apps, schema_editor):
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    app_config = global_apps.get_app_config("invitations")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name="Organisator")
    for model, actions in GRANTS:
        for action in actions:
            group.permissions.add(
                Permission.objects.get(content_type__app_label="invitations", codename=f"{action}_{model}")
            )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name="Organisator"):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="invitations"))


class Migration(migrations.Migration):
    dependencies = [("invitations", "0001_initial"), ("participants", "0003_staff_groups")]
    operations = [migrations.RunPython(grant, revoke)]
