"""Forms of the moderators' decisions in the admin: each reason is required at its field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from topics.models import Recommendation

from .models import Proposal


class HideReason(forms.Form):
    """Why a comment is hidden: a short list plus free text (both shown publicly and mailed to the author)."""

    REASONS = [
        ("off_topic", _("Not about this topic")),
        ("personal_attack", _("Personal attack")),
        ("personal_data", _("Contains personal data")),
        ("spam", _("Spam or advertising")),
        ("other", _("Other reason")),
    ]

    reason_code = forms.ChoiceField(label=_("Reason"), choices=[("", "---------"), *REASONS])
    reason_text = forms.CharField(
        label=_("Explanation"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown with the reason. Required for “Other reason”."),
    )

    def clean(self):
        data = super().clean()
        if data.get("reason_code") == "other" and not data.get("reason_text", "").strip():
            self.add_error("reason_text", _("Explain the reason. The author and the public see it."))
        return data

    def public_reason(self):
        """The reason as one text for the services that take a single reason."""
        label = dict(self.REASONS)[self.cleaned_data["reason_code"]]
        text = self.cleaned_data["reason_text"].strip()
        return f"{label}. {text}" if text else str(label)


class RejectReason(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The proposer gets this reason by mail. Keep it short and friendly."),
    )


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
