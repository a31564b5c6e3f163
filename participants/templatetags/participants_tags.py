from django import template

from participants.models import PortalSettings

register = template.Library()


@register.simple_tag
def portal_settings():
    """The site-wide switches (sign-up mode and its message)."""
    return PortalSettings.load()


@register.simple_tag
def signup_by_invitation_only():
    """Whether sign-up is by invitation only: one small query, and no row is created just to read it."""
    mode = PortalSettings.objects.filter(pk=1).values_list("signup_mode", flat=True).first()
    return mode == PortalSettings.SignupMode.INVITATION_ONLY


@register.simple_tag
def contribution_counts(user):
    from participants.selectors import participant_contribution_counts

    return participant_contribution_counts(user=user)
