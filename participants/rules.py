"""Who may do what: predicates shared by views, templates and services (django-rules).

Roles: anonymous, unverified (no verified e-mail yet), participant, blocked
participant, moderator and organiser (the staff roles of ``participants.roles``,
recognised by their key permission, whatever their group is called).
"""

import rules
from django.contrib.auth.models import Permission
from django.db.models import Exists, OuterRef, Q

from .roles import MODERATOR, ORGANISER


@rules.predicate
def is_active_account(user):
    return bool(user and user.is_authenticated and user.is_active and user.deleted_at is None)


@rules.predicate
def has_verified_email(user):
    if not is_active_account(user):
        return False
    cached = getattr(user, "_nmp_verified", None)
    if cached is None:
        from allauth.account.models import EmailAddress

        cached = EmailAddress.objects.filter(user=user, verified=True).exists()
        user._nmp_verified = cached
    return cached


@rules.predicate
def is_blocked(user):
    return bool(user and user.is_authenticated and user.is_blocked)


@rules.predicate
def is_moderator(user):
    return is_active_account(user) and (user.is_superuser or MODERATOR.key in _permissions(user))


@rules.predicate
def is_organiser(user):
    return is_active_account(user) and (user.is_superuser or ORGANISER.key in _permissions(user))


def _permissions(user):
    """The user's model permissions ("app_label.codename"), directly or through groups: one query, then cached.

    Only the roles' keys are ever asked for: ``remember_standing`` may fill
    this with just the keys the user holds.
    """
    cache = getattr(user, "_nmp_permissions", None)
    if cache is None:
        # The same set as Django's ModelBackend keeps once it has read it in this request (every admin
        # page has): no second query for it.
        cache = getattr(user, "_perm_cache", None)
    if cache is None:
        rows = (
            Permission.objects.filter(Q(user=user) | Q(group__user=user))
            .values_list("content_type__app_label", "codename")
            .distinct()
        )
        cache = {f"{app_label}.{codename}" for app_label, codename in rows}
        user._nmp_permissions = cache
    return cache


def _holds(role):
    """Whether the user (``OuterRef("pk")``) holds ``role``'s permission, directly or through a group.

    The permission's id is looked up here, once, so the subqueries are two
    index lookups: the join through permissions and content types cost
    PostgreSQL more to plan than the rest of the vote. A query built with it
    must be built again when permissions change (``feedback.apps``).
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    app_label, codename = role.key.split(".")
    pk = (
        Permission.objects.filter(content_type__app_label=app_label, codename=codename)
        .values_list("pk", flat=True)
        .first()
    )
    pk = -1 if pk is None else pk  # not there (yet): nobody holds it
    user_model = get_user_model()
    direct = user_model.user_permissions.through.objects.filter(user_id=OuterRef("pk"), permission_id=pk)
    granting = Group.permissions.through.objects.filter(permission_id=pk).values("group_id")
    grouped = user_model.groups.through.objects.filter(user_id=OuterRef("pk"), group_id__in=granting)
    return Exists(direct) | Exists(grouped)


STANDING_ROLES = (MODERATOR, ORGANISER)


def standing_annotations():
    """Annotations for a query on users that answer this module's account questions in that same query.

    ``standing_verified`` and one ``standing_<n>`` per role of ``STANDING_ROLES``;
    pass the answers to ``remember_standing``.
    """
    from allauth.account.models import EmailAddress

    return {
        "standing_verified": Exists(EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)),
        **{f"standing_{n}": _holds(role) for n, role in enumerate(STANDING_ROLES)},
    }


def remember_standing(user, *, verified, roles):
    """Keep on ``user`` (a per-request object) the answers to this module's account questions, read elsewhere.

    ``verified``: the user has a verified e-mail address; ``roles``: the keys of
    the staff roles the user holds (``participants.roles``), directly or
    through a group. A page that reads the user anyway answers these in the
    same query (``standing_annotations``, see ``feedback.selectors.participant_standing``):
    the permissions then cost no query of their own.
    """
    user._nmp_verified = bool(verified)
    user._nmp_permissions = set(roles)


# A participant may contribute: verified, active, not blocked.
can_contribute = has_verified_email & ~is_blocked

rules.add_perm("participants.contribute", can_contribute)
rules.add_perm("participants.moderate", is_moderator)
rules.add_perm("participants.organise", is_organiser)
