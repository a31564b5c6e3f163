"""What participants do with the NMP content: votes, priorities, comments, reports, proposals."""

import functools

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import connections, models, router
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from topics.models import Recommendation, Topic


class Choice(models.TextChoices):
    AGREE = "agree", _("Agree")
    NEUTRAL = "neutral", _("Neutral")
    DISAGREE = "disagree", _("Disagree")


class CastStamp(models.Model):
    """Who the participant spoke for at the moment of casting a vote or a priority (``services._stamp``).

    Results group by this, never by the live profile, so changing sector later moves nothing.
    """

    sector = models.CharField(_("sector when cast"), max_length=20, blank=True, editable=False)
    participates_as = models.CharField(_("took part as"), max_length=20, blank=True, editable=False)
    sector_confirmed = models.BooleanField(_("sector confirmed by the organisers"), default=False, editable=False)

    class Meta:
        abstract = True


# What a vote cast again changes; the rest (who, on what, when first cast) stays.
VOTE_UPSERT_UPDATES = ("choice", "sector", "participates_as", "sector_confirmed", "updated_at")


@functools.cache
def _vote_upsert_sql(alias):
    """The ORM's ``INSERT ... ON CONFLICT (participant, recommendation) DO UPDATE ... RETURNING id`` for one
    vote, compiled once per process and database, with the fields its parameters stand for, in order."""
    from django.db.models.constants import OnConflict
    from django.db.models.sql import InsertQuery

    opts = Vote._meta
    fields = [f for f in opts.concrete_fields if not f.primary_key]
    query = InsertQuery(
        Vote,
        on_conflict=OnConflict.UPDATE,
        update_fields=[opts.get_field(name) for name in VOTE_UPSERT_UPDATES],
        unique_fields=[opts.get_field("participant"), opts.get_field("recommendation")],
    )
    stand_in = Vote(participant_id=0, recommendation_id=0, choice="", created_at=timezone.now())
    query.insert_values(fields, [stand_in])
    compiler = query.get_compiler(using=alias)
    compiler.returning_fields = [opts.pk]
    [(sql, params)] = compiler.as_sql()
    if len(params) != len(fields):  # the SQL must take exactly one parameter per field, in that order
        raise ImproperlyConfigured("Unexpected SQL for the vote upsert")
    return sql, fields


class VoteQuerySet(models.QuerySet):
    def upsert(self, vote):
        """Store ``vote`` in one statement: insert, or update the participant's row on this recommendation.

        ``bulk_create(update_conflicts=True)`` does the same with a transaction
        around it (BEGIN and COMMIT: two more round trips) and compiles the SQL on
        every call (0.4 ms of CPU); this is on every vote. Sets ``vote.pk``.
        """
        alias = self._db or router.db_for_write(self.model)
        connection = connections[alias]
        sql, fields = _vote_upsert_sql(alias)
        now = timezone.now()
        vote.updated_at = now
        if vote.created_at is None:
            vote.created_at = now
        params = [field.get_db_prep_save(getattr(vote, field.attname), connection) for field in fields]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            vote.pk = cursor.fetchone()[0]
        vote._state.adding, vote._state.db = False, alias
        return vote


class Vote(CastStamp):
    """A participant's position on one recommendation: one per participant, changeable while open."""

    # No index of their own: the unique constraint (participant first) and the (recommendation, choice) index
    # serve every lookup by either, and each index less is one write less per new vote.
    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="votes",
        verbose_name=_("participant"),
        db_index=False,
    )
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="votes", verbose_name=_("recommendation"), db_index=False
    )
    choice = models.CharField(_("position"), max_length=10, choices=Choice.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = VoteQuerySet.as_manager()

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["participant", "recommendation"], name="feedback_vote_one_per_participant"),
            models.CheckConstraint(condition=Q(choice__in=Choice.values), name="feedback_vote_choice_valid"),
        ]
        indexes = [models.Index(fields=["recommendation", "choice"], name="feedback_vote_rec_choice")]

    def __str__(self):
        return f"{self.participant_id} {self.choice} {self.recommendation_id}"


class Priority(CastStamp):
    """A "dot" on a recommendation: at most three per participant per topic (enforced in the service)."""

    # No index of its own: the unique constraint and the (participant, topic) index both start with it.
    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="priorities",
        verbose_name=_("participant"),
        db_index=False,
    )
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="priorities", verbose_name=_("recommendation")
    )
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+", verbose_name=_("topic"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    MAX_PER_TOPIC = 3

    class Meta:
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")
        constraints = [
            models.UniqueConstraint(fields=["participant", "recommendation"], name="feedback_priority_once"),
        ]
        indexes = [models.Index(fields=["participant", "topic"], name="feedback_priority_user_topic")]

    def __str__(self):
        return f"{self.participant_id} ★ {self.recommendation_id}"


class Stance(models.TextChoices):
    """A comment's position on its recommendation, in the same words as the vote."""

    FOR = "for", _("Agree")
    AGAINST = "against", _("Disagree")
    NEUTRAL = "neutral", _("Neutral")


class HideReason(models.TextChoices):
    """Why a moderator hid a comment; shown publicly in the placeholder."""

    OFF_TOPIC = "off_topic", _("Not about this topic")
    PERSONAL_ATTACK = "personal_attack", _("Personal attack")
    PERSONAL_DATA = "personal_data", _("Contains personal data")
    SPAM = "spam", _("Spam or advertising")
    OTHER = "other", _("Other reason")
    AUTHOR_BLOCKED = "author_blocked", _("The author was blocked")


class Comment(models.Model):
    """A comment on a recommendation, or on the topic in general (recommendation empty).

    Replies have a parent; there is one level of replies. Deleting by the author
    or hiding by a moderator keeps the row, so replies keep their context.
    """

    MAX_LENGTH = 2000

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="comments", verbose_name=_("topic"))
    recommendation = models.ForeignKey(
        Recommendation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name=_("recommendation"),
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies", verbose_name=_("reply to")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments", verbose_name=_("author")
    )
    text = models.TextField(_("text"), max_length=MAX_LENGTH)
    stance = models.CharField(_("stance"), max_length=10, choices=Stance.choices, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)
    is_deleted = models.BooleanField(_("deleted by the author"), default=False)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    is_hidden = models.BooleanField(_("hidden by a moderator"), default=False)
    hidden_reason_code = models.CharField(_("reason for hiding"), max_length=20, choices=HideReason.choices, blank=True)
    hidden_reason = models.TextField(_("explanation of the reason (shown publicly)"), blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hidden by"),
    )
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    # When the retention period of a hidden comment ended and its text was erased.
    text_erased_at = models.DateTimeField(_("text erased at"), null=True, blank=True)
    is_featured = models.BooleanField(_("featured"), default=False)
    # A random token from the form: a double click or a retry of the same form
    # finds the comment it already made instead of storing a second one.
    client_token = models.UUIDField(null=True, blank=True, editable=False)
    # Reply notifications to the author of this (top-level) comment: when the
    # last mail went out and the newest reply it covered (bundling, one an hour).
    reply_mail_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    reply_mail_last_reply_id = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        constraints = [
            models.CheckConstraint(condition=Q(stance__in=[*Stance.values, ""]), name="feedback_comment_stance_valid"),
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="feedback_comment_not_own_parent"),
            models.UniqueConstraint(fields=["author", "client_token"], name="feedback_comment_once_per_token"),
            models.CheckConstraint(
                condition=Q(hidden_reason_code__in=[*HideReason.values, ""]),
                name="feedback_comment_hidden_reason_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["recommendation", "parent", "created_at"], name="feedback_comment_rec_thread"),
            models.Index(fields=["topic", "recommendation", "parent"], name="feedback_comment_topic"),
            # The moderators' comment list (newest first, per topic or all) and the comments since
            # the last visit on the admin's start page.
            models.Index(fields=["topic", "created_at", "id"], name="feedback_comment_topic_new"),
            models.Index(fields=["created_at", "id"], name="feedback_comment_new"),
        ]

    def __str__(self):
        return self.text[:60]

    def get_absolute_url(self):
        """Where the comment is shown: its recommendation's page or the topic page, at the comment."""
        if self.recommendation_id:
            url = reverse(
                "feedback:recommendation_detail", kwargs={"slug": self.topic.slug, "pk": self.recommendation_id}
            )
        else:
            url = self.topic.get_absolute_url()
        return f"{url}#comment-{self.pk}"

    @property
    def is_visible(self):
        return not (self.is_deleted or self.is_hidden)

    @property
    def public_hidden_reason(self):
        """The reason shown in the placeholder: the label of the code, and the moderator's explanation."""
        parts = [str(self.get_hidden_reason_code_display()) if self.hidden_reason_code else "", self.hidden_reason]
        return ": ".join(part for part in parts if part)


class ReportReason(models.TextChoices):
    OFFENSIVE = "offensive", _("Offensive or discriminating")
    SPAM = "spam", _("Spam or advertising")
    PERSONAL_DATA = "personal_data", _("Contains personal data")
    OFF_TOPIC = "off_topic", _("Not about this topic")
    OTHER = "other", _("Something else")


class ReportOutcome(models.TextChoices):
    HIDDEN = "hidden", _("The comment was hidden")
    NO_ACTION = "no_action", _("No action: the comment stays")


class Report(models.Model):
    """A participant's report of a comment ("Meld"), for moderators."""

    Reason = ReportReason
    Outcome = ReportOutcome
    EXPLANATION_MAX_LENGTH = 1000

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports", verbose_name=_("comment"))
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports", verbose_name=_("reporter")
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    explanation = models.TextField(_("explanation"), max_length=EXPLANATION_MAX_LENGTH, blank=True)
    notify_outcome = models.BooleanField(_("e-mail me what the moderators decided"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=ReportOutcome.choices, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        # The open reports, oldest first (the moderators' start page and queue): a small part of all reports.
        indexes = [
            models.Index(
                fields=["created_at", "id"], condition=Q(resolved_at__isnull=True), name="feedback_report_open"
            )
        ]
        constraints = [
            models.UniqueConstraint(fields=["comment", "reporter"], name="feedback_report_once"),
            models.CheckConstraint(condition=Q(reason__in=ReportReason.values), name="feedback_report_reason_valid"),
            models.CheckConstraint(
                condition=Q(outcome__in=[*ReportOutcome.values, ""]), name="feedback_report_outcome_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_reason_display()}: {self.comment}"


class Proposal(models.Model):
    """A participant's proposal for a missing recommendation ("Stel een advies voor").

    Not public until a moderator approves it; approval creates a Recommendation
    with source "participant" that is voted on like the workshop's.
    """

    TEXT_MAX_LENGTH = 600
    EXPLANATION_MAX_LENGTH = 2000

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Not approved")
        DUPLICATE = "duplicate", _("Already in an existing recommendation")

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="proposals", verbose_name=_("topic"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="proposals", verbose_name=_("author")
    )
    text = models.TextField(_("recommendation"), max_length=TEXT_MAX_LENGTH)
    explanation = models.TextField(_("explanation"), max_length=EXPLANATION_MAX_LENGTH, blank=True)
    # What the proposer wrote, kept for moderators once a moderator corrected the text.
    original_text = models.TextField(_("original text"), blank=True)
    original_explanation = models.TextField(_("original explanation"), blank=True)
    corrected_at = models.DateTimeField(_("corrected at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    moderator_note = models.TextField(_("reason (shown to the proposer)"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    recommendation = models.OneToOneField(
        Recommendation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposal",
        verbose_name=_("published as"),
    )
    duplicate_of = models.ForeignKey(
        Recommendation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("duplicate of"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        # The proposals waiting for review, per topic (the moderators' start page and queue).
        indexes = [
            models.Index(
                fields=["topic", "created_at"], condition=Q(status="pending"), name="feedback_proposal_waiting"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "approved", "rejected", "duplicate"]),
                name="feedback_proposal_status_valid",
            ),
        ]

    def __str__(self):
        return self.text[:80]


class PublishedPosition(models.Model):
    """One participant's position as the published results count it, per results cell.

    A cell is (recommendation, sector, confirmed). The results read these rows,
    never the live votes; ``feedback.results.publication`` copies the live state
    of a cell here only when at least ``RESULTS_MIN_SECTOR_VOTERS`` people's
    positions in that cell differ from what is published (docs/results.md).
    """

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="+")
    participant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sector = models.CharField(max_length=20, blank=True)
    confirmed = models.BooleanField(default=False)
    choice = models.CharField(max_length=10, blank=True)  # empty: a priority without a position
    prioritised = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "participant", "sector", "confirmed"], name="feedback_published_once"
            ),
        ]
        indexes = [models.Index(fields=["recommendation", "sector", "confirmed"], name="feedback_published_cell")]

    def __str__(self):
        return f"{self.recommendation_id} {self.sector or '-'} {self.choice or '-'}"


class PublishedVoter(models.Model):
    """A participant counted in the published participation figures, per (sector, confirmed) cell."""

    participant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sector = models.CharField(max_length=20, blank=True)
    confirmed = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "sector", "confirmed"], name="feedback_published_voter_once"
            ),
        ]

    def __str__(self):
        return f"{self.participant_id} {self.sector or '-'}"


class OfficialResponse(models.Model):
    """The programme team's response to a recommendation or a comment, shown apart from participants' words."""

    TEXT_MAX_LENGTH = 4000

    recommendation = models.OneToOneField(
        Recommendation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="official_response",
        verbose_name=_("recommendation"),
    )
    comment = models.OneToOneField(
        Comment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="official_response",
        verbose_name=_("comment"),
    )
    text = models.TextField(_("text"), max_length=TEXT_MAX_LENGTH)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("response from the programme team")
        verbose_name_plural = _("responses from the programme team")
        constraints = [
            models.CheckConstraint(
                condition=(Q(recommendation__isnull=False) & Q(comment__isnull=True))
                | (Q(recommendation__isnull=True) & Q(comment__isnull=False)),
                name="feedback_officialresponse_one_target",
            ),
        ]

    def __str__(self):
        return self.text[:80]

    @property
    def target(self):
        return self.recommendation or self.comment


class ReplyMail(models.Model):
    """Which comments a queued or sent reply mail quotes: the mail is rendered from these rows.

    When someone quoted deletes their account, the mail is rendered again from
    the rows as they are then, so their name and words leave it precisely,
    without searching other people's mails for text.
    """

    email = models.OneToOneField("post_office.Email", on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="+")
    replies = models.ManyToManyField(Comment, related_name="+")

    def __str__(self):
        return f"{self.email_id} {self.thread_id}"


class AuditAction(models.TextChoices):
    COMMENT_HIDE = "comment_hide", _("Comment hidden")
    COMMENT_RESTORE = "comment_restore", _("Comment shown again")
    REPORTS_RESOLVE = "reports_resolve", _("Reports handled")
    COMMENT_FEATURE = "comment_feature", _("Comment featured")
    COMMENT_UNFEATURE = "comment_unfeature", _("Comment no longer featured")
    PROPOSAL_CORRECT = "proposal_correct", _("Proposal text corrected")
    PROPOSAL_APPROVE = "proposal_approve", _("Proposal approved")
    PROPOSAL_REJECT = "proposal_reject", _("Proposal not approved")
    PROPOSAL_DUPLICATE = "proposal_duplicate", _("Proposal marked as duplicate")
    OFFICIAL_RESPONSE_SET = "official_response_set", _("Response from the programme team")
    TOPIC_SCHEDULE = "topic_schedule", _("Topic dates changed")
    PARTICIPANT_BLOCK = "participant_block", _("Participant blocked")
    PARTICIPANT_UNBLOCK = "participant_unblock", _("Participant unblocked")
    ITEM_TEXT_CORRECT = "item_text_correct", _("Workshop text corrected")
    CONTENT_EDIT = "content_edit", _("Content changed")


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValidationError(_("The audit log cannot be changed."))

    def delete(self):
        raise ValidationError(_("The audit log cannot be changed."))


class AuditEntry(models.Model):
    """One moderation decision or content edit: who, when, what, on which object, before and after, and why.

    Append-only: the model refuses to save an existing row or delete one, the
    QuerySet refuses bulk updates and deletes, and on PostgreSQL a trigger
    refuses UPDATE and DELETE of the table whatever the client.
    States hold flags and ids, never the text of a comment, so erasing a text
    (deleted by its author, or at the end of the retention period) leaves no copy here.
    """

    Action = AuditAction

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("moderator"),
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    action = models.CharField(_("action"), max_length=30, choices=AuditAction.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(_("object id"), max_length=64)
    target_repr = models.CharField(_("object"), max_length=200)
    topic = models.ForeignKey(
        Topic, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("topic")
    )
    old_state = models.JSONField(_("before"), default=dict, blank=True)
    new_state = models.JSONField(_("after"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["content_type", "object_id"], name="feedback_audit_target")]
        constraints = [
            models.CheckConstraint(condition=Q(action__in=AuditAction.values), name="feedback_audit_action_valid"),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_action_display()}: {self.target_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(_("The audit log cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("The audit log cannot be changed."))


class DecisionMail(models.Model):
    """That the mail about an audit entry went to a recipient: a decision mails each person once, also on retries.

    ``email`` is the queued (later sent) mail itself, while post_office keeps
    it: when the comment a hide mail quotes is deleted or its text erased, the
    mail is found through this link and rendered again without the words.
    """

    entry = models.ForeignKey(AuditEntry, on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    email = models.ForeignKey("post_office.Email", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entry", "recipient"], name="feedback_decisionmail_once")]

    def __str__(self):
        return f"{self.entry_id} → {self.recipient_id}"


class ModerationDigest(models.Model):
    """The moderators' hourly digest (one row): up to when reports and proposals were covered."""

    covered_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"digest {self.sent_at}"

    @classmethod
    def load(cls):
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj


class TopicFollow(models.Model):
    """A participant follows a topic ("Volg dit onderwerp"): a daily mail with what is new there.

    ``last_digest_at`` is the moment up to which the follower has been told; the
    next digest covers only what came after it (or after following, the first time).
    """

    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows", verbose_name=_("participant")
    )
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="follows", verbose_name=_("topic"))
    created_at = models.DateTimeField(_("following since"), auto_now_add=True)
    last_digest_at = models.DateTimeField(_("last mail up to"), null=True, blank=True, editable=False)
    closing_mailed = models.BooleanField(_("closing announced"), default=False, editable=False)

    class Meta:
        ordering = ["topic__ordering", "topic__number"]
        verbose_name = _("followed topic")
        verbose_name_plural = _("followed topics")
        constraints = [
            models.UniqueConstraint(fields=["participant", "topic"], name="feedback_follow_once"),
        ]

    def __str__(self):
        return f"{self.participant_id} → {self.topic_id}"
