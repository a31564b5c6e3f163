"""allauth hooks: who may sign up, what sign-up stores, where login lands, how mails read."""

from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.ratelimit import respond_429
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import translate_url
from django.utils.translation import gettext as _

from .models import PortalSettings
from .services import participant_register


def _on_site(value, host):
    """A link the request built (http(s)://<host>/...) rebuilt on SITE_URL; anything else unchanged."""
    if not isinstance(value, str):
        return value
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or parts.netloc != host:
        return value
    return settings.SITE_URL + parts._replace(scheme="", netloc="").geturl()


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        """allauth's mails greet and sign as the portal, with links on SITE_URL.

        Without django.contrib.sites allauth names the site after the request's
        host ("127.0.0.1:8101") and builds links from it; the portal's mails
        all use SITE_NAME and SITE_URL instead.
        """
        request = context.get("request") or self.request
        host = request.get_host() if request is not None else None
        context = {name: _on_site(value, host) for name, value in context.items()}
        context.update(
            {
                "current_site": SimpleNamespace(name=settings.SITE_NAME, domain=urlsplit(settings.SITE_URL).netloc),
                "SITE_NAME": settings.SITE_NAME,
                "SITE_URL": settings.SITE_URL,
            }
        )
        super().send_mail(template_prefix, email, context)

    def is_open_for_signup(self, request):
        """Closed while staff set sign-up to "invitation only" (PortalSettings in the admin).

        Still open for a visitor whose address a personal link has already
        proven (allauth's stashed verified e-mail): that is how an invitation
        leads to an account.
        """
        if PortalSettings.load().signup_mode == PortalSettings.SignupMode.OPEN:
            return True
        return bool(request is not None and request.session.get("account_verified_email"))

    def clean_email(self, email):
        """By invitation only, an account is made only for the address the invitation proved."""
        email = super().clean_email(email)
        request = context.request
        stashed = request.session.get("account_verified_email") if request is not None else None
        if (
            stashed
            and not request.user.is_authenticated
            and PortalSettings.load().signup_mode == PortalSettings.SignupMode.INVITATION_ONLY
            and email.lower() != stashed.lower()
        ):
            raise ValidationError(_("Sign-up is by invitation only: use the address your invitation was sent to."))
        return email

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        return participant_register(user=user, privacy_accepted=form.cleaned_data["privacy"], **form.profile_data())

    def validation_error(self, code, *args):
        """Too many (failed) logins or code requests answer HTTP 429 with the site's page, like every other limit.

        allauth reports these limits as a form error (HTTP 200); a person who hit
        a limit should get the same clear page and status as for the other limits.
        """
        if code == "too_many_login_attempts" and context.request is not None:
            raise ImmediateHttpResponse(respond_429(context.request))
        return super().validation_error(code, *args)

    def get_login_redirect_url(self, request):
        """Land in the participant's own language (Dutch at /, English at /en/)."""
        url = super().get_login_redirect_url(request)
        language = getattr(request.user, "language", "")
        return translate_url(url, language) if language else url
