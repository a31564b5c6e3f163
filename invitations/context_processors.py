from django.db.models import Q
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

# Pages that announce the coming event to those it concerns.
ANNOUNCED_ON = {"topics:home", "topics:detail"}


def announcement(request):
    """The visitor's invitation to the next event, for the home page and topic pages (one query, only when shown)."""
    match = getattr(request, "resolver_match", None)
    user = getattr(request, "user", None)
    if match is None or match.view_name not in ANNOUNCED_ON or user is None or not user.is_authenticated:
        return {}

    def load():
        from allauth.account.models import EmailAddress

        from .models import Event, Invitation, State

        verified = EmailAddress.objects.filter(user=user, verified=True).values("email")
        invitation = (
            Invitation.objects.filter(Q(user=user) | Q(email__in=verified, user__isnull=True))
            .filter(event__ends_at__gte=timezone.now())
            .exclude(state__in=[State.CONCEPT, State.EXPIRED])
            .select_related("event")
            .order_by("event__starts_at")
            .first()
        )
        if invitation is not None:
            return invitation
        # Not invited: the next event that participants may register for, if this visitor may.
        event = (
            Event.objects.filter(open_to_participants=True, rsvp_deadline__gte=timezone.now())
            .order_by("starts_at")
            .first()
        )
        if event is not None and user.has_perm("invitations.register", event):
            return Invitation(event=event, state="")
        return None

    return {"event_invitation": SimpleLazyObject(load)}
