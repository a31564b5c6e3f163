from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    """Where an item comes from: the 26 June 2024 workshop or a participant later."""

    WORKSHOP = "workshop", _("Workshop 26 June 2024")
    PARTICIPANT = "participant", _("Proposed by a participant")


class Phase(models.TextChoices):
    """Where a topic is in the consultation, from its opening and closing time."""

    UPCOMING = "upcoming", _("upcoming")
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")

    # Templates cannot name the enum; they ask the phase itself (``phase.is_open``).
    @property
    def is_upcoming(self):
        return self == Phase.UPCOMING

    @property
    def is_open(self):
        return self == Phase.OPEN

    @property
    def is_closed(self):
        return self == Phase.CLOSED


class TopicQuerySet(models.QuerySet):
    def with_counts(self):
        """Annotate the number of considerations, the workshop's recommendations and approved proposals (one query).

        ``recommendation_count`` is the workshop's own; participants' proposals are ``proposed_count``.
        """
        published = Q(recommendations__is_published=True)
        return self.annotate(
            consideration_count=Count("considerations", distinct=True),
            recommendation_count=Count(
                "recommendations", filter=published & Q(recommendations__source=Source.WORKSHOP), distinct=True
            ),
            proposed_count=Count(
                "recommendations", filter=published & Q(recommendations__source=Source.PARTICIPANT), distinct=True
            ),
        )

    def open(self, *, at=None):
        at = at or timezone.now()
        return self.filter(Q(opens_at__isnull=True) | Q(opens_at__lte=at)).filter(
            Q(closes_at__isnull=True) | Q(closes_at__gt=at)
        )


class Topic(models.Model):
    """One of the ten topics the workshop worked on, in the workshop's order."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200, help_text=_("Short title as in the list of ten topics."))
    heading = models.CharField(_("heading"), max_length=300, help_text=_("Full heading as in the retrospective."))
    introduction = models.TextField(_("introduction"), help_text=_("From the 'ONDERWERP' block."))
    question = models.TextField(_("question"), blank=True, help_text=_("The question the topic poses."))
    ordering = models.PositiveSmallIntegerField(_("ordering"), default=0)
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    seed_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TopicQuerySet.as_manager()

    # Fields filled from the data file; the loader updates them only while
    # nobody changed them since the last load (see topics.services).
    SEED_FIELDS = ("number", "title", "heading", "introduction", "question")

    class Meta:
        ordering = ["ordering", "number"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        constraints = [
            models.CheckConstraint(condition=Q(number__gte=1) & Q(number__lte=10), name="topics_topic_number_1_to_10"),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True) | Q(closes_at__isnull=True) | Q(closes_at__gt=models.F("opens_at")),
                name="topics_topic_closes_after_opens",
                violation_error_message=_("The closing time must be after the opening time."),
            ),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"

    def get_absolute_url(self):
        return reverse("topics:detail", kwargs={"slug": self.slug})

    @property
    def phase(self) -> Phase:
        """The topic's phase now, from opens_at/closes_at."""
        now = timezone.now()
        if self.opens_at and now < self.opens_at:
            return Phase.UPCOMING
        if self.closes_at and now >= self.closes_at:
            return Phase.CLOSED
        return Phase.OPEN


class Item(models.Model):
    """Shared fields of considerations and recommendations."""

    position = models.PositiveSmallIntegerField(_("position"))
    text = models.TextField(_("text"))
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.WORKSHOP)
    seed_key = models.CharField(
        max_length=20,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text="Stable key of a workshop item in the data file, e.g. '3-r-2'.",
    )
    seed_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    SEED_FIELDS = ("text",)

    class Meta:
        abstract = True
        ordering = ["topic__ordering", "topic__number", "position"]

    def __str__(self):
        return f"{self.topic.number}.{self.position} {self.text[:60]}"


class Consideration(Item):
    """A bullet under "Overwegende dat..." ("Considering that...")."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="considerations", verbose_name=_("topic"))

    class Meta(Item.Meta):
        verbose_name = _("consideration")
        verbose_name_plural = _("considerations")
        constraints = [
            models.UniqueConstraint(fields=["topic", "position"], name="topics_consideration_unique_position"),
            models.CheckConstraint(condition=Q(source__in=Source.values), name="topics_consideration_source_valid"),
        ]


class Recommendation(Item):
    """A bullet under "Adviseren wij..." ("We recommend..."), or one proposed later."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="recommendations", verbose_name=_("topic"))
    is_published = models.BooleanField(
        _("published"), default=True, help_text=_("Unpublished items are not shown on the site.")
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposed_recommendations",
        verbose_name=_("proposed by"),
    )

    class Meta(Item.Meta):
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        constraints = [
            models.UniqueConstraint(fields=["topic", "position"], name="topics_recommendation_unique_position"),
            models.CheckConstraint(condition=Q(source__in=Source.values), name="topics_recommendation_source_valid"),
        ]


class SiteText(models.Model):
    """The retrospective's general texts (the day, the follow-up, contact), shown on home and about."""

    key = models.SlugField(_("key"), max_length=50, unique=True)
    text = models.TextField(_("text"))
    seed_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    SEED_FIELDS = ("text",)

    class Meta:
        ordering = ["key"]
        verbose_name = _("site text")
        verbose_name_plural = _("site texts")

    def __str__(self):
        return self.key


class TextRevision(models.Model):
    """A moderator's correction of an item's text: what it said before, what it says now, when, by whom and why.

    The site shows "Text changed on <date>" with the previous text, so a
    workshop text is never changed silently. A change of meaning is made by
    adding a new recommendation, not by a revision.
    """

    consideration = models.ForeignKey(
        Consideration,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="revisions",
        verbose_name=_("consideration"),
    )
    recommendation = models.ForeignKey(
        Recommendation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="revisions",
        verbose_name=_("recommendation"),
    )
    old_text = models.TextField(_("previous text"))
    new_text = models.TextField(_("new text"))
    reason = models.TextField(_("reason"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("text correction")
        verbose_name_plural = _("text corrections")
        constraints = [
            models.CheckConstraint(
                condition=(Q(consideration__isnull=False) & Q(recommendation__isnull=True))
                | (Q(consideration__isnull=True) & Q(recommendation__isnull=False)),
                name="topics_textrevision_one_item",
            ),
        ]

    def __str__(self):
        return f"{self.changed_at:%Y-%m-%d} {self.old_text[:40]} → {self.new_text[:40]}"
