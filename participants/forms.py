from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.hashers import make_password
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import DisplayMode, ParticipatesAs, User
from .rules import is_moderator
from .sectors import Sector
from .services import PROFILE_FIELDS


class UserCreationForm(auth_forms.BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class UserChangeForm(auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


NAME_MAX = User._meta.get_field("first_name").max_length
ORGANISATION_MAX = User._meta.get_field("organisation").max_length


def _sector_field():
    return forms.ChoiceField(
        label=_("Sector"),
        choices=[("", _("Choose your sector")), *Sector.choices],
        help_text=_("Results are shown per sector. Choose the one that fits you best."),
    )


class _ProfileFieldsMixin:
    """Checks shared by sign-up and profile: an organisation when taking part on its behalf."""

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("participates_as") == ParticipatesAs.ORGANISATION
            and not (cleaned.get("organisation") or "").strip()
        ):
            self.add_error("organisation", _("Fill in your organisation, or choose to take part personally."))
        if cleaned.get("display_mode") == DisplayMode.NAME_ORGANISATION and not (
            (cleaned.get("first_name") or "").strip() or (cleaned.get("last_name") or "").strip()
        ):
            self.add_error("display_mode", _("Fill in your name to show it, or choose to show only your sector."))
        return cleaned


class SignupForm(_ProfileFieldsMixin, AllauthSignupForm):
    """allauth's sign-up (e-mail, password twice) plus who you are and consent to the privacy statement."""

    first_name = forms.CharField(label=_("First name"), max_length=NAME_MAX)
    last_name = forms.CharField(label=_("Last name"), max_length=NAME_MAX)
    organisation = forms.CharField(
        label=_("Organisation"),
        max_length=ORGANISATION_MAX,
        required=False,
        help_text=_("For example your ministry, province, municipality, company or association."),
    )
    participates_as = forms.ChoiceField(
        label=_("I take part"),
        choices=ParticipatesAs.choices,
        widget=forms.RadioSelect,
        initial=ParticipatesAs.ORGANISATION,
    )
    # The less public choice comes first and is the default: showing your name is an explicit step.
    display_mode = forms.ChoiceField(
        label=_("Show next to my contributions"),
        choices=[
            (DisplayMode.SECTOR_ONLY, _("Only my sector, for example “Participant from business”")),
            (
                DisplayMode.NAME_ORGANISATION,
                _("My name and organisation, for example “Anna de Vries (Municipality of Utrecht)”"),
            ),
        ],
        widget=forms.RadioSelect,
        initial=DisplayMode.SECTOR_ONLY,
        help_text=_(
            "Everyone who visits the site can read this next to your comments and proposals. "
            "You can change it later on your profile."
        ),
    )
    privacy = forms.BooleanField(label=_("I have read the privacy statement and I agree with it."), required=True)

    field_order = [
        "email",
        "first_name",
        "last_name",
        "organisation",
        "sector",
        "participates_as",
        "display_mode",
        "password1",
        "password2",
        "privacy",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"] = _sector_field()
        self.fields["email"].label = _("E-mail address")
        self.fields["email"].help_text = _("We send you a link to confirm this address.")
        self.fields["privacy"].help_text = format_html(
            '<a href="{}">{}</a>', reverse("privacy"), _("Read the privacy statement")
        )
        self.fields["privacy"].error_messages["required"] = _("You can only create an account if you agree.")
        for name in ("first_name", "last_name", "email"):
            self.fields[name].widget.attrs.pop("placeholder", None)
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"
        self.fields["organisation"].widget.attrs["autocomplete"] = "organization"
        self.order_fields(self.field_order)

    def profile_data(self):
        data = {name: self.cleaned_data[name] for name in self.field_order[1:7]}
        return data

    def try_save(self, request):
        if self.account_already_exists:
            # Creating an account hashes the password, which takes most of the time of a sign-up.
            # Hash it here too, so the answer for a known address takes as long as for a new one
            # and timing does not tell whether an address has an account.
            make_password(self.cleaned_data.get("password1"))
        return super().try_save(request)


class ProfileForm(_ProfileFieldsMixin, forms.ModelForm):
    language = forms.ChoiceField(
        label=_("Language"),
        choices=settings.LANGUAGES,
        widget=forms.RadioSelect,
        help_text=_("The language of the site and of our e-mails to you."),
    )

    class Meta:
        model = User
        fields = list(PROFILE_FIELDS)
        labels = {
            "first_name": _("First name"),
            "last_name": _("Last name"),
            "organisation": _("Organisation"),
            "participates_as": _("I take part"),
            "display_mode": _("Show next to my contributions"),
            "notify_replies": _("E-mail me when someone replies to my comment"),
            "notify_updates": _("E-mail me about the autumn session and the results"),
            "notify_moderation_digest": _("E-mail me new reports and proposals (at most one e-mail an hour)"),
        }
        widgets = {"participates_as": forms.RadioSelect, "display_mode": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"] = _sector_field()
        self.fields["first_name"].required = True
        self.fields["last_name"].required = True
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"
        self.fields["organisation"].widget.attrs["autocomplete"] = "organization"
        if not (self.instance.is_staff and is_moderator(self.instance)):
            # The digest is moderators' work mail (only staff can moderate: no query for participants).
            del self.fields["notify_moderation_digest"]


class AccountDeleteForm(forms.Form):
    KEEP = "keep"
    REMOVE = "remove"

    contributions = forms.ChoiceField(
        label=_("What happens to what you wrote and chose?"),
        choices=[
            (KEEP, _("Keep my votes, comments and proposals, shown as “Deleted participant”")),
            (REMOVE, _("Remove my votes, priorities, comments and proposals too")),
        ],
        widget=forms.RadioSelect,
        initial=KEEP,
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account is deleted for good. This cannot be undone."), required=True
    )

    @property
    def remove_contributions(self):
        return self.cleaned_data["contributions"] == self.REMOVE
