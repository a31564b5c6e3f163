"""Exports of comments, votes and proposals from the admin (CSV and XLSX, django-import-export).

Every text cell that a spreadsheet would run as a formula is neutralised. E-mail addresses are only
in the file for those with ``feedback.export_emails`` (organisers and administrators; not moderators,
who work with public names). Comments deleted by their author are never exported; hidden comments
only when asked for, and then marked as hidden with the reason.
"""

import json

from django import forms
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources
from import_export.forms import ExportForm as BaseExportForm

from .models import AuditEntry, Comment, Proposal, Vote
from .results.exports import neutralise


class ExportForm(BaseExportForm):
    pass


class CommentExportForm(BaseExportForm):
    include_hidden = forms.BooleanField(
        label=_("Also include comments a moderator hid"),
        required=False,
        help_text=_("They are then marked as hidden, with the reason."),
    )


def _yes_no(value):
    return _("yes") if value else _("no")


class PortalResource(resources.ModelResource):
    """Formula-safe cells; the e-mail column only when ``include_emails``."""

    EMAIL_FIELD = "email"

    def __init__(self, include_emails=False, **kwargs):
        super().__init__(**kwargs)
        self.include_emails = include_emails

    def get_export_fields(self, selected_fields=None):
        export_fields = super().get_export_fields(selected_fields)
        if self.include_emails:
            return export_fields
        return [field for field in export_fields if self.get_field_name(field) != self.EMAIL_FIELD]

    def export_field(self, field, instance, **kwargs):
        value = super().export_field(field, instance, **kwargs)
        return neutralise(str(value)) if isinstance(value, str) else value


class AuthorColumns:
    """The ``author`` and ``sector`` columns of what a participant wrote: public name, sector label."""

    def dehydrate_author(self, obj):
        return str(obj.author.public_name)

    def dehydrate_sector(self, obj):
        return obj.author.get_sector_display()


class CommentResource(AuthorColumns, PortalResource):
    topic = fields.Field(attribute="topic__number", column_name=_("topic"))
    recommendation = fields.Field(column_name=_("recommendation"))
    reply_to = fields.Field(attribute="parent_id", column_name=_("reply to"))
    author = fields.Field(column_name=_("author"))
    sector = fields.Field(column_name=_("sector"))
    email = fields.Field(attribute="author__email", column_name=_("e-mail address"))
    stance = fields.Field(column_name=_("stance"))
    text = fields.Field(attribute="text", column_name=_("text"))
    created_at = fields.Field(attribute="created_at", column_name=_("created at"))
    hidden = fields.Field(column_name=_("hidden by a moderator"))
    hidden_reason = fields.Field(attribute="hidden_reason", column_name=_("reason for hiding"))
    featured = fields.Field(column_name=_("featured"))

    class Meta:
        model = Comment
        export_order = [
            "id",
            "topic",
            "recommendation",
            "reply_to",
            "author",
            "sector",
            "email",
            "stance",
            "text",
            "created_at",
            "hidden",
            "hidden_reason",
            "featured",
        ]
        fields = export_order

    def dehydrate_recommendation(self, comment):
        return f"{comment.topic.number}.{comment.recommendation.position}" if comment.recommendation_id else ""

    def dehydrate_stance(self, comment):
        return comment.get_stance_display()

    def dehydrate_hidden(self, comment):
        return _yes_no(comment.is_hidden)

    def dehydrate_featured(self, comment):
        return _yes_no(comment.is_featured)


class VoteResource(PortalResource):
    topic = fields.Field(attribute="recommendation__topic__number", column_name=_("topic"))
    recommendation = fields.Field(column_name=_("recommendation"))
    recommendation_text = fields.Field(attribute="recommendation__text", column_name=_("text"))
    choice = fields.Field(column_name=_("position"))
    participant = fields.Field(attribute="participant_id", column_name=_("participant"))
    sector = fields.Field(column_name=_("sector"))
    email = fields.Field(attribute="participant__email", column_name=_("e-mail address"))
    updated_at = fields.Field(attribute="updated_at", column_name=_("updated at"))

    class Meta:
        model = Vote
        export_order = [
            "id",
            "topic",
            "recommendation",
            "recommendation_text",
            "choice",
            "participant",
            "sector",
            "email",
            "updated_at",
        ]
        fields = export_order

    def dehydrate_recommendation(self, vote):
        return f"{vote.recommendation.topic.number}.{vote.recommendation.position}"

    def dehydrate_choice(self, vote):
        return vote.get_choice_display()

    def dehydrate_sector(self, vote):
        return vote.participant.get_sector_display()


class ProposalResource(AuthorColumns, PortalResource):
    topic = fields.Field(attribute="topic__number", column_name=_("topic"))
    text = fields.Field(attribute="text", column_name=_("recommendation"))
    explanation = fields.Field(attribute="explanation", column_name=_("explanation"))
    author = fields.Field(column_name=_("author"))
    sector = fields.Field(column_name=_("sector"))
    email = fields.Field(attribute="author__email", column_name=_("e-mail address"))
    status = fields.Field(column_name=_("status"))
    moderator_note = fields.Field(attribute="moderator_note", column_name=_("reason (shown to the proposer)"))
    created_at = fields.Field(attribute="created_at", column_name=_("created at"))
    decided_at = fields.Field(attribute="decided_at", column_name=_("decided at"))
    published_as = fields.Field(attribute="recommendation_id", column_name=_("published as"))

    class Meta:
        model = Proposal
        export_order = [
            "id",
            "topic",
            "text",
            "explanation",
            "author",
            "sector",
            "email",
            "status",
            "moderator_note",
            "created_at",
            "decided_at",
            "published_as",
        ]
        fields = export_order

    def dehydrate_status(self, proposal):
        return proposal.get_status_display()


class AuditEntryResource(PortalResource):
    created_at = fields.Field(attribute="created_at", column_name=_("when"))
    actor = fields.Field(column_name=_("moderator"))
    action = fields.Field(column_name=_("action"))
    target = fields.Field(attribute="target_repr", column_name=_("object"))
    topic = fields.Field(attribute="topic__number", column_name=_("topic"))
    old_state = fields.Field(attribute="old_state", column_name=_("before"))
    new_state = fields.Field(attribute="new_state", column_name=_("after"))
    reason = fields.Field(attribute="reason", column_name=_("reason"))

    class Meta:
        model = AuditEntry
        export_order = ["id", "created_at", "actor", "action", "target", "topic", "old_state", "new_state", "reason"]
        fields = export_order

    def dehydrate_actor(self, entry):
        return entry.actor.get_full_name() or entry.actor.email if entry.actor_id else ""

    def dehydrate_action(self, entry):
        return entry.get_action_display()

    def dehydrate_old_state(self, entry):
        return json.dumps(entry.old_state, ensure_ascii=False, sort_keys=True)

    def dehydrate_new_state(self, entry):
        return json.dumps(entry.new_state, ensure_ascii=False, sort_keys=True)
