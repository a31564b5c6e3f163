"""The staff roles, defined once: their group, the Django permissions they hold, and the one that marks them.

Moderator:   view and change comments, reports, proposals, recommendations and
             topics (hide comments, handle reports, decide proposals, fix
             texts); view users and block/unblock participants.
Organisator: view users and topics, and the portal settings (sign-up open or
             by invitation); view, add and change events and invitations
             (the roster, sending, the attendee list).
Neither role may delete anything or change users' accounts or permissions.

Who holds a role is decided by its ``key`` permission, not by the group's
name: an administrator may rename a group (or grant the permission to one
person) and the portal still knows who moderates.
"""

from dataclasses import dataclass

from django.db import transaction


@dataclass(frozen=True)
class Role:
    slug: str  # the name on the command line: manage.py create_staff --role <slug>
    group: str  # the Django group that roles_sync() creates and keeps
    key: str  # "app_label.codename": holding this permission means holding the role
    grants: tuple  # (app_label, model, actions); the action "block" is the codename block_user

    def codenames(self, apps=None):
        """(app_label, codename) of every grant; with a migration state ``apps``, only its existing models."""
        for app_label, model, actions in self.grants:
            if apps is not None:
                try:
                    apps.get_model(app_label, model)
                except LookupError:
                    # An older migration syncs the roles before this model exists;
                    # the migration that adds it syncs again.
                    continue
            for action in actions:
                yield app_label, "block_user" if action == "block" else f"{action}_{model}"


MODERATOR = Role(
    slug="moderator",
    group="Moderator",
    key="participants.block_user",
    grants=(
        ("feedback", "comment", ("view", "change")),
        ("feedback", "report", ("view", "change")),
        ("feedback", "proposal", ("view", "change")),
        ("topics", "recommendation", ("view", "change")),
        ("topics", "topic", ("view", "change")),
        ("participants", "user", ("view", "block")),
        ("participants", "sectorchange", ("view",)),
    ),
)

ORGANISER = Role(
    slug="organiser",
    group="Organisator",
    key="participants.change_portalsettings",
    grants=(
        ("participants", "user", ("view",)),
        ("participants", "sectorchange", ("view",)),
        ("topics", "topic", ("view",)),
        ("participants", "portalsettings", ("view", "change")),
        ("invitations", "event", ("view", "add", "change")),
        ("invitations", "invitation", ("view", "add", "change")),
    ),
)

ROLES = {role.slug: role for role in (MODERATOR, ORGANISER)}


def _create_permissions(apps):
    """Make sure every model permission exists (Django normally adds them after all migrations)."""
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    for app_config in global_apps.get_app_configs():
        if app_config.models_module is None:
            app_config.models_module = True
            create_permissions(app_config, apps=apps, verbosity=0)
            app_config.models_module = None
        else:
            create_permissions(app_config, apps=apps, verbosity=0)


@transaction.atomic
def roles_sync(apps=None):
    """Create each role's group and set its permissions to exactly the list above.

    Idempotent: running it again resets a group's permissions to this list.
    A group is found by its name only when it is first made; after that an
    administrator may rename it, and the role is found by its key permission.
    ``apps`` is the migration state when a data migration calls this; tests
    and commands call it without. In a migration, the permissions of an app
    whose tables do not exist yet are left out: that app's own migration
    calls this again once they do.
    """
    in_migration = apps is not None
    if apps is None:
        from django.apps import apps
    _create_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    groups = {}
    for role in ROLES.values():
        group = _holder(Group, role)
        if group is None:
            group, _created = Group.objects.get_or_create(name=role.group)
        permissions = []
        for app_label, codename in role.codenames():
            permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if permission is None and not in_migration:
                raise LookupError(f"Permission {app_label}.{codename} does not exist.")
            if permission is not None:
                permissions.append(permission)
        group.permissions.set(permissions)
        groups[role.slug] = group
    return groups


def _holder(Group, role):
    app_label, codename = role.key.split(".")
    return (
        Group.objects.filter(permissions__content_type__app_label=app_label, permissions__codename=codename)
        .order_by("pk")
        .first()
    )


def role_group(role):
    """The group that carries ``role`` (a Role or its slug); made with its permissions when there is none."""
    from django.contrib.auth.models import Group

    role = ROLES[role] if isinstance(role, str) else role
    return _holder(Group, role) or roles_sync()[role.slug]
