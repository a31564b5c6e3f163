"""Results per stakeholder sector: THE one selector behind every figure.

The results pages, the open-data API, the CSV downloads and the briefing
(printable page and XLSX workbook) all read their numbers from
``topic_results`` / ``overview_results`` here, so they cannot disagree.
The formulas are documented for the public in ``docs/results.md``.

Aggregation happens in SQL: one GROUP BY over the votes (joined to the voter's
sector) and one over the priorities, for a whole topic or for all topics at
once. The number of queries does not depend on the number of votes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from participants.rules import is_moderator, is_organiser
from participants.sectors import Sector
from topics.models import Phase, Recommendation

from .models import Choice, Priority, Vote
from .selectors import ALL, can_see_results, results_visibility

CHOICES = (Choice.AGREE, Choice.NEUTRAL, Choice.DISAGREE)
TOTAL = "total"


class Consensus:
    """The consensus labels; the code is stable (API, CSV), the label is for people."""

    BROAD = "broadly_supported"
    DIVIDED = "divided"
    UNCLEAR = "unclear"
    TOO_FEW = "too_few_votes"

    LABELS = {
        BROAD: _("Broadly supported"),
        DIVIDED: _("Divided"),
        UNCLEAR: _("No clear picture"),
        TOO_FEW: _("Too few votes"),
    }


class Sort:
    SUPPORT = "support"
    PRIORITY = "priority"
    CONSENSUS = "consensus"
    DIVISIVE = "divisive"
    DEFAULT = SUPPORT
    LABELS = {
        SUPPORT: _("Support"),
        PRIORITY: _("Priority"),
        CONSENSUS: _("Consensus"),
        DIVISIVE: _("Most divisive"),
    }

    @classmethod
    def clean(cls, value):
        """A known sort key, or the default for anything else (never an error)."""
        return value if value in cls.LABELS else cls.DEFAULT


def thresholds():
    return {
        "min_sector_voters": settings.RESULTS_MIN_SECTOR_VOTERS,
        "min_total_voters": settings.RESULTS_MIN_TOTAL_VOTERS,
        "min_sectors": settings.RESULTS_MIN_SECTORS,
        "majority": settings.RESULTS_MAJORITY,
    }


# --- Figures ---------------------------------------------------------------------------


def _percentages(counts):
    """Whole percentages that add up to 100 (largest remainder), or None without votes."""
    total = sum(counts)
    if not total:
        return None
    exact = [c * 100 / total for c in counts]
    floors = [math.floor(x) for x in exact]
    rest = 100 - sum(floors)
    # Hand the remaining points to the largest remainders; ties go to the earlier position.
    order = sorted(range(len(counts)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:rest]:
        floors[i] += 1
    return floors


@dataclass
class GroupResult:
    """The figures of one group of voters: everybody ("total") or one sector.

    For a sector below the minimum number of voters (``enough`` False) every
    figure is ``None``: it is shown as "te weinig stemmen", never as numbers.
    """

    code: str
    label: str
    enough: bool
    voters: int | None = None
    agree: int | None = None
    neutral: int | None = None
    disagree: int | None = None
    priority: int | None = None
    shares: dict | None = None  # {"agree": 0.6667, ...} within the group, 4 decimals
    percentages: dict | None = None  # whole percentages adding up to 100

    @classmethod
    def build(cls, *, code, label, counts, priority, minimum):
        voters = sum(counts[c] for c in CHOICES)
        if voters < minimum:
            return cls(code=code, label=label, enough=False)
        values = [counts[c] for c in CHOICES]
        shares = {c.value: round(counts[c] / voters, 4) for c in CHOICES} if voters else None
        pct = _percentages(values)
        return cls(
            code=code,
            label=label,
            enough=True,
            voters=voters,
            agree=counts[Choice.AGREE],
            neutral=counts[Choice.NEUTRAL],
            disagree=counts[Choice.DISAGREE],
            priority=priority,
            shares=shares,
            percentages=dict(zip([c.value for c in CHOICES], pct, strict=True)) if pct else None,
        )

    def figures(self):
        """The group's figures in the column order of the CSV and the workbook:
        voters, agree, neutral, disagree, priority, then the three shares (None when hidden)."""
        shares = self.shares or {}
        return [
            self.voters,
            self.agree,
            self.neutral,
            self.disagree,
            self.priority,
            shares.get("agree"),
            shares.get("neutral"),
            shares.get("disagree"),
        ]

    def as_dict(self):
        """The open-data shape (API, CSV, XLSX)."""
        return {
            "enough_votes": self.enough,
            "voters": self.voters,
            "agree": self.agree,
            "neutral": self.neutral,
            "disagree": self.disagree,
            "priority": self.priority,
            "shares": self.shares,
        }


@dataclass
class RecommendationResult:
    """One recommendation's results, or only its identity when not (yet) visible to the reader."""

    recommendation: Recommendation
    visible: bool
    total: GroupResult | None = None
    sectors: list[GroupResult] = field(default_factory=list)
    consensus: str | None = None
    score: float | None = None
    divisiveness: float | None = None
    support: float | None = None
    rank: int | None = None

    @property
    def id(self):
        return self.recommendation.pk

    @property
    def topic(self):
        return self.recommendation.topic

    @property
    def consensus_label(self):
        return Consensus.LABELS.get(self.consensus, "")

    @property
    def by_sector(self):
        return {group.code: group for group in self.sectors}

    @property
    def sectors_with_enough(self):
        return [group for group in self.sectors if group.enough]

    def as_dict(self):
        """The open-data shape: ``{id, text, source, totals, by_sector, consensus}`` (docs/results.md)."""
        rec = self.recommendation
        data = {
            "id": rec.pk,
            "position": rec.position,
            "text": rec.text,
            "source": rec.source,
            "visible": self.visible,
            "totals": None,
            "by_sector": None,
            "consensus": None,
        }
        if self.visible:
            data["totals"] = {
                "voters": self.total.voters,
                "agree": self.total.agree,
                "neutral": self.total.neutral,
                "disagree": self.total.disagree,
                "priority": self.total.priority,
                "shares": self.total.shares,
            }
            data["by_sector"] = {group.code: group.as_dict() for group in self.sectors}
            data["consensus"] = {
                "label": self.consensus,
                "label_text": str(self.consensus_label),
                "score": self.score,
                "divisiveness": self.divisiveness,
                "support": self.support,
            }
        return data


def consensus_of(sectors, *, total_voters):
    """(label, score, divisiveness, support) from the sector groups of one recommendation.

    Only sectors with enough voters take part. With k such sectors, and per
    sector s its agree count a_s, disagree count d_s and voters n_s:

    - score = geometric mean over s of (a_s + 1) / (n_s + 2): Pol.is's
      group-informed consensus, normalised for the number of sectors so that
      recommendations stay comparable; high only when every sector agrees;
    - divisiveness = population standard deviation over s of the net support
      (a_s - d_s) / n_s: 0 when all sectors think alike, 1 when half the
      sectors fully agree and the other half fully disagree; None below 2 sectors;
    - support = mean over s of a_s / n_s: every sector weighs the same.
    """
    enough = [g for g in sectors if g.enough]
    if not enough:
        return Consensus.TOO_FEW, None, None, None
    k = len(enough)
    score = math.exp(sum(math.log((g.agree + 1) / (g.voters + 2)) for g in enough) / k)
    support = sum(g.agree / g.voters for g in enough) / k
    divisiveness = None
    if k >= 2:
        nets = [(g.agree - g.disagree) / g.voters for g in enough]
        mean = sum(nets) / k
        divisiveness = math.sqrt(sum((x - mean) ** 2 for x in nets) / k)
        divisiveness = round(divisiveness, 4)

    majority = settings.RESULTS_MAJORITY
    if total_voters < settings.RESULTS_MIN_TOTAL_VOTERS or k < settings.RESULTS_MIN_SECTORS:
        label = Consensus.TOO_FEW
    elif all(g.agree / g.voters > majority for g in enough):
        label = Consensus.BROAD
    elif any(g.agree / g.voters > majority for g in enough) and any(g.disagree / g.voters > majority for g in enough):
        label = Consensus.DIVIDED
    else:
        label = Consensus.UNCLEAR
    return label, round(score, 4), divisiveness, round(support, 4)


# --- Ranking ---------------------------------------------------------------------------

_LABEL_ORDER = {Consensus.BROAD: 0, Consensus.UNCLEAR: 1, Consensus.DIVIDED: 2, Consensus.TOO_FEW: 3}


def _missing_last(value):
    """Sort key part: known values first (descending), unknown (None) after."""
    return (value is None, -(value or 0))


def _sort_key(sort):
    def key(result):
        rec = result.recommendation
        tie = (-(result.total.agree or 0), rec.position, rec.pk)
        if sort == Sort.PRIORITY:
            return (-(result.total.priority or 0), *_missing_last(result.support), *tie)
        if sort == Sort.CONSENSUS:
            return (*_missing_last(result.score), *tie)
        if sort == Sort.DIVISIVE:
            return (*_missing_last(result.divisiveness), *tie)
        return (*_missing_last(result.support), *tie)

    return key


def rank(results, *, sort=Sort.DEFAULT):
    """Visible results in ranking order (with ``rank`` set), then the hidden ones in position order."""
    sort = Sort.clean(sort)
    visible = sorted((r for r in results if r.visible), key=_sort_key(sort))
    for number, result in enumerate(visible, start=1):
        result.rank = number
    hidden = sorted((r for r in results if not r.visible), key=lambda r: (r.recommendation.position, r.id))
    return visible + hidden


# --- The selector ----------------------------------------------------------------------


@dataclass
class TopicResults:
    topic: object
    sort: str
    recommendations: list[RecommendationResult]

    @property
    def visible(self):
        return [r for r in self.recommendations if r.visible]

    @property
    def hidden(self):
        return [r for r in self.recommendations if not r.visible]

    @property
    def count_broad(self):
        return sum(1 for r in self.visible if r.consensus == Consensus.BROAD)

    @property
    def count_divided(self):
        return sum(1 for r in self.visible if r.consensus == Consensus.DIVIDED)

    def get(self, recommendation_id):
        return next((r for r in self.recommendations if r.id == recommendation_id), None)


def _sector_labels():
    return [(code, label) for code, label in Sector.choices]


def _compute(recommendations, vote_rows, priority_rows, visible_ids):
    """Build RecommendationResult objects from the GROUP BY rows (pure Python, no queries)."""
    votes = {}  # rec id -> sector -> choice -> n
    for row in vote_rows:
        votes.setdefault(row["recommendation_id"], {}).setdefault(row["participant__sector"] or "", {})[
            row["choice"]
        ] = row["n"]
    priorities = {}  # rec id -> sector -> n
    for row in priority_rows:
        priorities.setdefault(row["recommendation_id"], {})[row["participant__sector"] or ""] = row["n"]

    minimum = settings.RESULTS_MIN_SECTOR_VOTERS
    results = []
    for rec in recommendations:
        if not (visible_ids == ALL or rec.pk in visible_ids):
            results.append(RecommendationResult(recommendation=rec, visible=False))
            continue
        rec_votes = votes.get(rec.pk, {})
        rec_priorities = priorities.get(rec.pk, {})
        # Votes of participants without a declared sector count in the total only.
        total_counts = {c: sum(s.get(c, 0) for s in rec_votes.values()) for c in CHOICES}
        total = GroupResult.build(
            code=TOTAL,
            label=_("All participants"),
            counts=total_counts,
            priority=sum(rec_priorities.values()),
            minimum=0,
        )
        sectors = [
            GroupResult.build(
                code=code,
                label=label,
                counts={c: rec_votes.get(code, {}).get(c, 0) for c in CHOICES},
                priority=rec_priorities.get(code, 0),
                minimum=minimum,
            )
            for code, label in _sector_labels()
        ]
        sectors = protect_residual(sectors, total_voters=total.voters, minimum=minimum)
        label, score, divisiveness, support = consensus_of(sectors, total_voters=total.voters)
        results.append(
            RecommendationResult(
                recommendation=rec,
                visible=True,
                total=total,
                sectors=sectors,
                consensus=label,
                score=score,
                divisiveness=divisiveness,
                support=support,
            )
        )
    return results


def _hidden(group):
    return GroupResult(code=group.code, label=group.label, enough=False)


def protect_residual(sectors, *, total_voters, minimum):
    """Hide one more sector when the total would give away the votes of one or two people.

    The total counts everybody; the sectors shown count their own voters. The
    difference (the "residual": voters in small sectors and voters without a
    sector) can be worked out by subtraction. When that residual is 1 or 2
    people (fewer than ``minimum``), the subtraction would show how they voted,
    so the smallest sector shown is hidden as well (complementary suppression;
    ties: the first in sector order). Then the residual is at least ``minimum``.
    The consensus is computed over the sectors that remain shown, so it gives
    nothing away either.
    """
    shown = [g for g in sectors if g.enough]
    residual = total_voters - sum(g.voters for g in shown)
    if not shown or not 0 < residual < minimum:
        return sectors
    smallest = min(shown, key=lambda g: g.voters)  # min() keeps the first of equals
    return [_hidden(g) if g is smallest else g for g in sectors]


def _vote_rows(**filters):
    return (
        Vote.objects.filter(recommendation__is_published=True, **filters)
        .order_by()
        .values("recommendation_id", "participant__sector", "choice")
        .annotate(n=Count("id"))
    )


def _priority_rows(**filters):
    return (
        Priority.objects.filter(recommendation__is_published=True, **filters)
        .order_by()
        .values("recommendation_id", "participant__sector")
        .annotate(n=Count("id"))
    )


def topic_results(*, topic, user=None, visibility=None, sort=Sort.DEFAULT):
    """Every figure of one topic's published recommendations, ranked by ``sort``.

    Visibility follows the voting rule (``feedback.selectors.results_visibility``):
    pass the reader as ``user``, or ``visibility=ALL`` for the briefing. Results
    the reader may not see yet carry no figures at all. Four queries at most
    (visibility, recommendations, votes, priorities), whatever the number of votes.
    """
    if visibility is None:
        visibility = results_visibility(user=user, topic=topic)
    recommendations = list(
        Recommendation.objects.filter(topic=topic, is_published=True).select_related("topic").order_by("position")
    )
    if visibility != ALL and not visibility:
        vote_rows = priority_rows = []  # nothing visible: spare the aggregation
    else:
        vote_rows = _vote_rows(recommendation__topic=topic)
        priority_rows = _priority_rows(recommendation__topic=topic)
    results = _compute(recommendations, vote_rows, priority_rows, visibility)
    sort = Sort.clean(sort)
    return TopicResults(topic=topic, sort=sort, recommendations=rank(results, sort=sort))


# --- Across all topics -----------------------------------------------------------------


@dataclass
class OverviewResults:
    topics: list  # [(topic, TopicResults)]
    participation: list[GroupResult]  # distinct voters per sector (counts only in .voters)
    participants_total: int

    @property
    def all_visible(self):
        return [r for _topic, results in self.topics for r in results.visible]

    def top_consensus(self, limit=5):
        ranked = [r for r in self.all_visible if r.score is not None and r.consensus != Consensus.TOO_FEW]
        return sorted(ranked, key=_sort_key(Sort.CONSENSUS))[:limit]

    def most_divisive(self, limit=5):
        ranked = [r for r in self.all_visible if r.divisiveness is not None and r.consensus != Consensus.TOO_FEW]
        return sorted(ranked, key=_sort_key(Sort.DIVISIVE))[:limit]


def _visibility_by_topic(user, topics):
    """``results_visibility`` for many topics in one query at most (same rule, same predicates)."""
    privileged = is_moderator(user) or is_organiser(user)
    voted = None
    visibility = {}
    for topic in topics:
        if privileged or topic.phase == Phase.CLOSED:
            visibility[topic.pk] = ALL
            continue
        if not (user and user.is_authenticated):
            visibility[topic.pk] = frozenset()
            continue
        if voted is None:
            voted = {}
            for topic_id, rec_id in Vote.objects.filter(participant=user).values_list(
                "recommendation__topic_id", "recommendation_id"
            ):
                voted.setdefault(topic_id, set()).add(rec_id)
        visibility[topic.pk] = frozenset(voted.get(topic.pk, ()))
    return visibility


def overview_results(*, user=None, sort=Sort.DEFAULT):
    """All ten topics' results plus participation per sector, in a fixed number of queries.

    Pass the reader as ``user`` to apply the visibility rule per topic, or leave
    it out for everything (briefing). Participation counts distinct participants
    who gave a position on any recommendation, per sector (below the minimum:
    no number).
    """
    from topics.models import Topic

    topics = list(Topic.objects.order_by("ordering", "number"))
    by_topic = _visibility_by_topic(user, topics) if user is not None else dict.fromkeys((t.pk for t in topics), ALL)
    recommendations = list(
        Recommendation.objects.filter(is_published=True).select_related("topic").order_by("topic_id", "position")
    )
    vote_rows = list(_vote_rows())
    priority_rows = list(_priority_rows())
    visible_ids = {
        rec.pk for rec in recommendations if by_topic.get(rec.topic_id) == ALL or rec.pk in by_topic[rec.topic_id]
    }
    results = _compute(recommendations, vote_rows, priority_rows, visible_ids)
    grouped = {}
    for result in results:
        grouped.setdefault(result.recommendation.topic_id, []).append(result)
    sort = Sort.clean(sort)
    topic_results_list = [
        (topic, TopicResults(topic=topic, sort=sort, recommendations=rank(grouped.get(topic.pk, []), sort=sort)))
        for topic in topics
    ]

    participation_rows = dict(
        Vote.objects.filter(recommendation__is_published=True)
        .order_by()
        .values("participant__sector")
        .annotate(n=Count("participant", distinct=True))
        .values_list("participant__sector", "n")
    )
    minimum = settings.RESULTS_MIN_SECTOR_VOTERS
    participation = []
    for code, label in _sector_labels():
        n = participation_rows.get(code, 0)
        participation.append(
            GroupResult(code=code, label=label, enough=n >= minimum, voters=n if n >= minimum else None)
        )
    participants_total = sum(participation_rows.values())
    return OverviewResults(
        topics=topic_results_list,
        participation=protect_residual(participation, total_voters=participants_total, minimum=minimum),
        participants_total=participants_total,
    )


# --- Open data rows (CSV, XLSX) --------------------------------------------------------

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe.

    Also when the formula character follows spaces or line breaks, since some
    spreadsheet programs trim those before they look at the cell.
    """
    if isinstance(value, str) and (value.startswith(FORMULA_PREFIXES) or value.lstrip().startswith(FORMULA_PREFIXES)):
        return "'" + value
    return value


OPEN_DATA_COLUMNS = [
    "topic",
    "recommendation_id",
    "position",
    "recommendation",
    "source",
    "group",
    "enough_votes",
    "voters",
    "agree",
    "neutral",
    "disagree",
    "priority",
    "share_agree",
    "share_neutral",
    "share_disagree",
    "consensus_label",
    "consensus_score",
    "divisiveness",
    "support",
    "rank",
]


def open_data_rows(results):
    """One row per visible recommendation per group ("total", then each sector), values unformatted.

    Columns are ``OPEN_DATA_COLUMNS``; text is neutralised against formula
    injection. Small sectors have empty figures, exactly as in the API.
    """
    for result in results:
        if not result.visible:
            continue
        rec = result.recommendation
        for group in [result.total, *result.sectors]:
            yield [
                neutralise(rec.topic.slug),
                rec.pk,
                rec.position,
                neutralise(rec.text),
                rec.source,
                group.code,
                group.enough,
                *group.figures(),
                result.consensus,
                result.score,
                result.divisiveness,
                result.support,
                result.rank,
            ]


__all__ = [
    "ALL",
    "TOTAL",
    "Consensus",
    "GroupResult",
    "OverviewResults",
    "RecommendationResult",
    "Sort",
    "TopicResults",
    "can_see_results",
    "consensus_of",
    "overview_results",
    "protect_residual",
    "rank",
    "thresholds",
    "topic_results",
]
