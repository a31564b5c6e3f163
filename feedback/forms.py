import uuid

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django import forms
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from topics.models import Phase

from .models import Comment, Proposal, Report, ReportReason, Stance

# In the vote's order: agree, neutral, disagree.
STANCE_CHOICES = [("", _("No choice")), *((s.value, s.label) for s in (Stance.FOR, Stance.NEUTRAL, Stance.AGAINST))]


class CommentForm(forms.Form):
    """A comment or reply. The hidden token makes a double submission store one comment."""

    text = forms.CharField(
        label=_("Your comment"),
        max_length=Comment.MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "data-counter": Comment.MAX_LENGTH}),
        help_text=_("Plain text, at most 2000 characters. Links become clickable."),
        error_messages={
            "required": _("Write your comment first."),
            "max_length": _("A comment can be at most %(limit_value)d characters; yours has %(show_value)d."),
        },
    )
    stance = forms.ChoiceField(
        label=_("Your position on the recommendation"),
        choices=STANCE_CHOICES,
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Optional. It is shown next to your comment."),
    )
    # A CharField, not a UUIDField: a mangled token must not cost the participant their text.
    # The service ignores a token that is not a UUID (and then recognises a repeat by its text).
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, stance=True, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("token", uuid.uuid4())
        super().__init__(*args, **kwargs)
        if not stance:
            del self.fields["stance"]


class ReplyForm(CommentForm):
    def __init__(self, *args, **kwargs):
        kwargs["stance"] = False
        super().__init__(*args, **kwargs)
        self.fields["text"].label = _("Your reply")


class CommentEditForm(CommentForm):
    def __init__(self, *args, comment, **kwargs):
        kwargs.setdefault("initial", {}).update({"text": comment.text, "stance": comment.stance})
        super().__init__(*args, stance=comment.parent_id is None and comment.recommendation_id is not None, **kwargs)
        del self.fields["token"]


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why do you report this comment?"),
        choices=ReportReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a reason."), "invalid_choice": _("Choose a reason from the list.")},
    )
    explanation = forms.CharField(
        label=_("Explanation (optional)"),
        max_length=Report.EXPLANATION_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "data-counter": Report.EXPLANATION_MAX_LENGTH}),
        help_text=_("At most 1000 characters."),
    )
    notify_outcome = forms.BooleanField(label=_("E-mail me what the moderators decide"), required=False, initial=True)


class ProposalForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_proposal_%s")  # the topic page also holds a comment form with "text"
        super().__init__(*args, **kwargs)

    class Meta:
        model = Proposal
        fields = ["text", "explanation"]
        labels = {"text": _("Your proposed recommendation"), "explanation": _("Explanation (optional)")}
        help_texts = {
            "text": _("At most 600 characters. A moderator reads it before it is shown."),
            "explanation": _("Why is this recommendation missing? At most 2000 characters."),
        }
        widgets = {
            "text": forms.Textarea(attrs={"rows": 3, "data-counter": Proposal.TEXT_MAX_LENGTH}),
            "explanation": forms.Textarea(attrs={"rows": 3, "data-counter": Proposal.EXPLANATION_MAX_LENGTH}),
        }
        error_messages = {
            "text": {
                "required": _("Write the recommendation you propose."),
                "max_length": _("A proposal can be at most %(limit_value)d characters; yours has %(show_value)d."),
            }
        }


_THREAD = "__thread__"
_NONCE = "__nonce__"
_blank_forms = {}


def blank_form_html(form):
    """``form|crispy`` for an empty form (no data, no errors), rendered once per worker and language.

    An empty form of a class looks the same for everyone: only its token
    differs, and that is put back into the remembered copy. A bound form (with
    the visitor's text and errors) or one with other initial values (an edit
    form) is rendered as usual.
    """
    if form.is_bound or set(form.initial) - {"token"} or form.prefix:
        return as_crispy_form(form)
    token = form.initial.get("token")
    key = (type(form), tuple(form.fields), form.auto_id, get_language(), token is not None)
    html = _blank_forms.get(key)
    if html is None:
        html = str(as_crispy_form(form))
        if token is not None:
            html = html.replace(str(token), _NONCE)
        if len(_blank_forms) < 64:  # a handful of form kinds; never grows with the data
            _blank_forms[key] = html
    if token is not None:
        html = html.replace(_NONCE, str(token))
    return mark_safe(html)  # noqa: S308 - crispy's escaped output with our own uuid put in


def attach_reply_forms(page, *, topic, user):
    """The fields of a reply form (``reply_form_html``) on each visible thread of ``page``.

    Only where the reader may comment on ``topic``: anonymous readers,
    participants who may not contribute and closed topics get none (the
    template still asks ``feedback.reply`` per thread). The form is rendered through
    crispy once per page, not once per thread (that was a third of a topic
    page's time); each thread gets its own field ids and its own token, as if
    rendered separately.
    """
    if topic.phase != Phase.OPEN or not (user.is_authenticated and user.has_perm("feedback.comment", topic)):
        return
    threads = [thread for thread in page.object_list if thread.is_visible]
    if not threads:
        return
    html = str(blank_form_html(ReplyForm(auto_id=f"id_reply{_THREAD}_%s", initial={"token": _NONCE})))
    for thread in threads:
        own = html.replace(_THREAD, str(thread.pk)).replace(_NONCE, str(uuid.uuid4()))
        thread.reply_form_html = mark_safe(own)  # noqa: S308 - crispy's escaped output, ids and a uuid put in
