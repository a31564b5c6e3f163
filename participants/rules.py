"""Who may do what: predicates shared by views, templates and services (django-rules).

Roles: anonymous, unverified (no verified e-mail yet), participant, blocked
participant, moderator and organiser (the staff roles of ``participants.roles``,
recognised by their key permission, whatever their group is called).
"""

import rules
from django.contrib.auth.models import Permission
from django.db.models import Q

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
    """The user's model permissions ("app_label.codename"), directly or through groups: one query, then cached."""
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


# A participant may contribute: verified, active, not blocked.
can_contribute = has_verified_email & ~is_blocked

rules.add_perm("participants.contribute", can_contribute)
rules.add_perm("participants.moderate", is_moderator)
rules.add_perm("participants.organise", is_organiser)
