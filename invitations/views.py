"""Invitee pages: the personal link, the event page, the calendar file and account creation."""

from allauth.account.views import SignupView
from allauth.core.ratelimit import respond_429
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from feedback import ratelimits
from feedback.ratelimits import contribution_limit

from . import selectors, services
from .forms import AnswerForm
from .ics import event_ics
from .models import Event


def _rate_limited(request) -> bool:
    """Personal links are guessed by trying many: count openings per client address per minute.

    allauth's client address is the real one behind the proxy (ALLAUTH_TRUSTED_PROXY_COUNT), so one
    guesser cannot lock out everyone who reaches the site through the same proxy.
    """
    return not ratelimits.hit(
        request, app="nmp.invitations", action="link", rates=f"{settings.INVITATIONS_LINK_RATE}/m/ip"
    )


def _invalid(request):
    # One page for tampered, unknown, replaced and expired links: nothing to learn from the difference.
    return render(request, "invitations/invitation_invalid.html", status=404)


def _answer_form(invitation):
    initial = {}
    if invitation.state in ("accepted", "waiting"):
        initial = {"attending": AnswerForm.YES, "needs": invitation.needs}
    elif invitation.state == "declined":
        initial = {"attending": AnswerForm.NO}
    return AnswerForm(initial=initial)


def _record_answer(request, invitation, form):
    try:
        invitation = services.rsvp_answer(
            invitation=invitation,
            attending=form.cleaned_data["attending"] == AnswerForm.YES,
            needs=form.cleaned_data["needs"],
            user=request.user,
        )
    except ValidationError as error:
        form.add_error(None, error)
        return None
    if invitation.state == "accepted":
        messages.success(request, _("Thank you. You have a place; we have sent you a confirmation by e-mail."))
    elif invitation.state == "waiting":
        messages.info(
            request,
            _(
                "Thank you. The meeting is full, so you are on the waiting list. "
                "We will mail you when a place comes free."
            ),
        )
    else:
        messages.success(request, _("Thank you for letting us know that you cannot come."))
    return invitation


@require_http_methods(["GET", "POST"])
@contribution_limit("rsvp")
def respond(request, token):
    """The page behind the personal link: details, "Ja" / "Nee", needs; account creation for newcomers."""
    if _rate_limited(request):
        return respond_429(request)
    invitation = services.invitation_by_token(token)
    if invitation is None:
        return _invalid(request)
    if not services.invitation_may_answer(invitation=invitation, user=request.user):
        return render(request, "invitations/invitation_other_account.html", {"invitation": invitation}, status=403)
    form = AnswerForm(request.POST) if request.method == "POST" else _answer_form(invitation)
    if request.method == "POST" and form.is_valid() and _record_answer(request, invitation, form):
        return redirect(request.path)
    has_account = request.user.is_authenticated or invitation.has_account
    return render(
        request,
        "invitations/invitation_respond.html",
        {"invitation": invitation, "event": invitation.event, "form": form, "has_account": has_account},
    )


@contribution_limit("rsvp")
def event_detail(request, slug):
    event = selectors.event_by_slug(slug)
    if event is None:
        raise Http404
    invitation = selectors.invitation_for_user(event=event, user=request.user)
    form = None
    if invitation is not None and invitation.state not in ("concept", "expired") and event.is_open_for_answers:
        if request.method == "POST":
            form = AnswerForm(request.POST)
            if form.is_valid() and _record_answer(request, invitation, form):
                return redirect(request.path)
        else:
            form = _answer_form(invitation)
    elif invitation is None and request.user.has_perm("invitations.register", event):
        form = AnswerForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.event_register(
                    event=event,
                    user=request.user,
                    attending=form.cleaned_data["attending"] == AnswerForm.YES,
                    needs=form.cleaned_data["needs"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect(request.path)
    elif request.method == "POST":
        raise PermissionDenied
    return render(request, "invitations/event_detail.html", {"event": event, "invitation": invitation, "form": form})


def event_calendar(request, slug):
    event = get_object_or_404(Event, slug=slug)
    response = HttpResponse(event_ics(event), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}.ics"'
    return response


class InvitationSignupView(SignupView):
    """allauth's sign-up, reached through a personal link: address filled in and verified, profile prefilled.

    The link proves the address, so allauth records it as verified (its
    "stashed verified e-mail"); the participants adapter keeps sign-up open
    for such a visitor even when sign-up is by invitation only.
    """

    def dispatch(self, request, *args, **kwargs):
        self.invitation = services.invitation_by_token(kwargs["token"])
        if self.invitation is None:
            return _invalid(request)
        if request.user.is_authenticated:
            return redirect("invitations:respond", token=kwargs["token"])
        if self.invitation.has_account:
            return redirect(reverse("account_login") + "?next=" + reverse("invitations:respond", kwargs=kwargs))
        from allauth.account.adapter import get_adapter

        get_adapter(request).stash_verified_email(request, self.invitation.email)
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        initial = super().get_initial()
        initial.update(
            {
                "email": self.invitation.email,
                "first_name": self.invitation.first_name,
                "last_name": self.invitation.last_name,
                "organisation": self.invitation.organisation,
                "sector": self.invitation.sector,
            }
        )
        return initial

    def get_success_url(self):
        return reverse("invitations:respond", kwargs={"token": self.kwargs["token"]})

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["invitation"] = self.invitation
        context["form"].fields["email"].widget.attrs["readonly"] = True
        return context


invitation_signup = InvitationSignupView.as_view(template_name="invitations/invitation_signup.html")
