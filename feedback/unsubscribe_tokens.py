"""Signed one-click unsubscribe tokens: a user's id signed with the salt of one kind of mail.

Each kind of mail has its own salt, so a link from one kind of mail cannot turn off another.
"""

from django.contrib.auth import get_user_model
from django.core import signing


def user_token(user, *, salt):
    return signing.dumps(user.pk, salt=salt)


def token_user(token, *, salt):
    """The user ``token`` was made for with ``salt``, or None when it is not valid or the user was deleted."""
    try:
        pk = signing.loads(token, salt=salt)
    except signing.BadSignature:
        return None
    return get_user_model().objects.filter(pk=pk, deleted_at__isnull=True).first()
