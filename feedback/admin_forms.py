"""Forms of the moderators' decisions in the admin: each reason is required at its field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from topics.models import Recommendation

from .models import OfficialResponse, Proposal
from .moderation import HIDE_REASON_CHOICES, REASON_MAX_LENGTH


def _reason_field(help_text, rows=3):
    """The required "Reason" of a decision that is mailed to the person it concerns."""
    return forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text=help_text,
    )


class HideReason(forms.Form):
    """Why a comment is hidden: a short list plus free text (both shown publicly and mailed to the author)."""

    reason_code = forms.ChoiceField(label=_("Reason"), choices=[("", "---------"), *HIDE_REASON_CHOICES])
    reason_text = forms.CharField(
        label=_("Explanation"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown with the reason. Required for “Other reason”."),
    )

    def clean(self):
        data = super().clean()
        if data.get("reason_code") == "other" and not data.get("reason_text", "").strip():
            self.add_error("reason_text", _("Explain the reason. The author and the public see it."))
        return data


class RejectReason(forms.Form):
    reason = _reason_field(_("The proposer gets this reason by mail. Keep it short and friendly."))


class ProposalCorrection(forms.Form):
    text = forms.CharField(
        label=_("Corrected text"), max_length=Proposal.TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 4})
    )
    explanation = forms.CharField(
        label=_("Explanation"),
        required=False,
        max_length=Proposal.EXPLANATION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=500,
        help_text=_("For example: typo. The original stays visible to moderators in the history."),
    )


class DuplicateOf(forms.Form):
    recommendation = forms.ModelChoiceField(
        label=_("Same as recommendation"), queryset=Recommendation.objects.none(), empty_label="---------"
    )

    def __init__(self, *args, topic, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recommendation"].queryset = Recommendation.objects.filter(topic=topic, is_published=True)
        self.fields["recommendation"].label_from_instance = lambda r: f"{r.topic.number}.{r.position} {r.text[:120]}"


class OfficialResponseForm(forms.Form):
    text = forms.CharField(
        label=_("Response from the programme team"),
        max_length=OfficialResponse.TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Shown apart from participants' words, and mailed to those who want updates."),
    )


class TextCorrection(forms.Form):
    text = forms.CharField(label=_("Corrected text"), widget=forms.Textarea(attrs={"rows": 4}))
    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=REASON_MAX_LENGTH,
        help_text=_(
            "Only to correct a mistake, such as a typo. The site shows “Text changed on <date>” with the previous "
            "text. A change of meaning is a new recommendation, not an edit: add it as a new one."
        ),
    )


class BlockReason(forms.Form):
    reason = _reason_field(_("The participant gets this reason by e-mail, with the contact address."))
    hide_comments = forms.BooleanField(label=_("Also hide their comments"), required=False)


class UnblockReason(forms.Form):
    reason = _reason_field(_("The participant gets this reason by e-mail."), rows=2)
