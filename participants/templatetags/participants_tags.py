from django import template

from participants.models import PortalSettings

register = template.Library()


@register.simple_tag
def portal_settings():
    """The site-wide switches (sign-up mode and its message)."""
    return PortalSettings.load()


@register.simple_tag
def signup_by_invitation_only():
    """Whether sign-up is by invitation only (the header's link; kept a few seconds per worker)."""
    from participants.selectors import signup_mode

    return signup_mode() == PortalSettings.SignupMode.INVITATION_ONLY


@register.simple_tag
def contribution_counts(user):
    from participants.selectors import participant_contribution_counts

    return participant_contribution_counts(user=user)
