"""Reads for invitation pages and the admin."""

from django.db.models import Exists, OuterRef

from .models import Invitation


def account_exists(*, email: str) -> bool:
    from participants.models import User

    return User.objects.filter(email__iexact=email, deleted_at__isnull=True).exists()


def invitation_for_user(*, event, user):
    """The visitor's invitation to ``event``: linked to the account, or sent to its address."""
    if user is None or not user.is_authenticated:
        return None
    invitations = Invitation.objects.filter(event=event).select_related("event")
    return (
        invitations.filter(user=user).first() or invitations.filter(email__iexact=user.email, user__isnull=True).first()
    )


def with_participation(queryset):
    """Annotate each invitation with whether its account voted and commented on the portal."""
    from feedback.models import Comment, Vote

    return queryset.annotate(
        has_voted=Exists(Vote.objects.filter(participant=OuterRef("user"))),
        has_commented=Exists(Comment.objects.filter(author=OuterRef("user"), is_deleted=False)),
    )
