"""Create the staff groups with only the permissions their work needs.

Moderator:   view and change comments, reports, proposals, recommendations and
             topics (hide comments, handle reports, decide proposals, fix
             texts); view users and block/unblock participants.
Organisator: view users and topics, and the portal settings (sign-up open or
             by invitation). Apps added later give this group their models'
             rights in their own migrations.
Neither group may delete anything or change users' accounts or permissions.
Running the migration again resets the groups to exactly this list.
"""

from django.db import migrations

GROUPS = {
    "Moderator": [
        ("feedback", "comment", ["view", "change"]),
        ("feedback", "report", ["view", "change"]),
        ("topics", "proposal", ["view", "change"]),
        ("topics", "recommendation", ["view", "change"]),
        ("topics", "topic", ["view", "change"]),
        ("participants", "user", ["view", "block"]),
    ],
    "Organisator": [
        ("participants", "user", ["view"]),
        ("topics", "topic", ["view"]),
        ("participants", "portalsettings", ["view", "change"]),
    ],
}


# Models that live in another app in later migrations: run against today's
# models (tests do so to remake the groups) the permissions are found there.
LATER_HOME = {("topics", "proposal"): "feedback"}


def _codename(action, model):
    return f"{action}_{model}"


def create_groups(apps, schema_editor):
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations (post_migrate);
    # create them now so the groups can refer to them on a fresh database.
    for app_config in global_apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in GROUPS.items():
        group, _created = Group.objects.get_or_create(name=name)
        permissions = []
        for app_label, model, actions in grants:
            for action in actions:
                codename = "block_user" if action == "block" else _codename(action, model)
                labels = [app_label, LATER_HOME.get((app_label, model), app_label)]
                permissions.append(Permission.objects.get(content_type__app_label__in=labels, codename=codename))
        group.permissions.set(permissions)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0002_user_block_permission"),
        ("feedback", "0002_initial"),
        ("topics", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
