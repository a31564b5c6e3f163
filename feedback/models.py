"""What participants do with the NMP content: votes, priorities, comments, reports, proposals."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from topics.models import Recommendation, Topic


class Choice(models.TextChoices):
    AGREE = "agree", _("Agree")
    NEUTRAL = "neutral", _("Neutral")
    DISAGREE = "disagree", _("Disagree")


class Vote(models.Model):
    """A participant's position on one recommendation: one per participant, changeable while open."""

    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="votes", verbose_name=_("participant")
    )
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="votes", verbose_name=_("recommendation")
    )
    choice = models.CharField(_("position"), max_length=10, choices=Choice.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

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


class Priority(models.Model):
    """A "dot" on a recommendation: at most three per participant per topic (enforced in the service)."""

    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="priorities", verbose_name=_("participant")
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
    hidden_reason = models.TextField(_("reason for hiding (shown publicly)"), blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hidden by"),
    )
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
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
        ]
        indexes = [
            models.Index(fields=["recommendation", "parent", "created_at"], name="feedback_comment_rec_thread"),
            models.Index(fields=["topic", "recommendation", "parent"], name="feedback_comment_topic"),
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


class ReportReason(models.TextChoices):
    OFFENSIVE = "offensive", _("Offensive or discriminating")
    SPAM = "spam", _("Spam or advertising")
    PERSONAL_DATA = "personal_data", _("Contains personal data")
    OFF_TOPIC = "off_topic", _("Not about this topic")
    OTHER = "other", _("Something else")


class Report(models.Model):
    """A participant's report of a comment ("Meld"), for moderators."""

    Reason = ReportReason
    EXPLANATION_MAX_LENGTH = 1000

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports", verbose_name=_("comment"))
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports", verbose_name=_("reporter")
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    explanation = models.TextField(_("explanation"), max_length=EXPLANATION_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
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
        constraints = [
            models.UniqueConstraint(fields=["comment", "reporter"], name="feedback_report_once"),
            models.CheckConstraint(condition=Q(reason__in=ReportReason.values), name="feedback_report_reason_valid"),
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

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="proposals", verbose_name=_("topic"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="proposals", verbose_name=_("author")
    )
    text = models.TextField(_("recommendation"), max_length=TEXT_MAX_LENGTH)
    explanation = models.TextField(_("explanation"), max_length=EXPLANATION_MAX_LENGTH, blank=True)
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
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "approved", "rejected"]), name="feedback_proposal_status_valid"
            ),
        ]

    def __str__(self):
        return self.text[:80]


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
