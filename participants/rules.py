"""Who may do what: predicates shared by views, templates and services (django-rules).

Roles: anonymous, unverified (no verified e-mail yet), participant, blocked
participant, moderator (group "Moderator"), organiser (group "Organisator").
"""

import rules

MODERATOR_GROUP = "Moderator"
ORGANISER_GROUP = "Organisator"


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
    return is_active_account(user) and (user.is_superuser or _in_group(user, MODERATOR_GROUP))


@rules.predicate
def is_organiser(user):
    return is_active_account(user) and (user.is_superuser or _in_group(user, ORGANISER_GROUP))


def _in_group(user, name):
    cache = getattr(user, "_nmp_groups", None)
    if cache is None:
        cache = set(user.groups.values_list("name", flat=True))
        user._nmp_groups = cache
    return name in cache


# A participant may contribute: verified, active, not blocked.
can_contribute = has_verified_email & ~is_blocked

rules.add_perm("participants.contribute", can_contribute)
rules.add_perm("participants.moderate", is_moderator)
rules.add_perm("participants.organise", is_organiser)
