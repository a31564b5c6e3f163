"""The formulas behind every results figure, on plain numbers.

No database and no models: the selector (``selectors.py``) hands in the GROUP BY
rows and the recommendations, and gets back the figures. So each formula can be
checked by hand, without a database (``tests/feedback/results/test_statistics.py``).
The formulas are documented for the public in ``docs/results.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

# The vote codes (``feedback.models.Choice``), in the order every table shows them.
AGREE, NEUTRAL, DISAGREE = "agree", "neutral", "disagree"
CHOICES = (AGREE, NEUTRAL, DISAGREE)
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


@dataclass(frozen=True)
class Thresholds:
    """When a figure is shown and a label is given (the ``RESULTS_*`` settings)."""

    min_sector_voters: int
    min_total_voters: int
    min_sectors: int
    majority: float


# --- Figures ---------------------------------------------------------------------------


def percentages(counts):
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
        """The group's figures from ``counts`` ({choice code: number of votes}), hidden below ``minimum`` voters."""
        voters = sum(counts.get(c, 0) for c in CHOICES)
        if voters < minimum:
            return cls(code=code, label=label, enough=False)
        values = [counts.get(c, 0) for c in CHOICES]
        shares = {c: round(n / voters, 4) for c, n in zip(CHOICES, values, strict=True)} if voters else None
        pct = percentages(values)
        return cls(
            code=code,
            label=label,
            enough=True,
            voters=voters,
            agree=values[0],
            neutral=values[1],
            disagree=values[2],
            priority=priority,
            shares=shares,
            percentages=dict(zip(CHOICES, pct, strict=True)) if pct else None,
        )

    def hidden(self):
        """The same group with every figure hidden."""
        return GroupResult(code=self.code, label=self.label, enough=False)

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
    return [g.hidden() if g is smallest else g for g in sectors]


def consensus_of(sectors, *, total_voters, thresholds):
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
        divisiveness = round(math.sqrt(sum((x - mean) ** 2 for x in nets) / k), 4)

    majority = thresholds.majority
    if total_voters < thresholds.min_total_voters or k < thresholds.min_sectors:
        label = Consensus.TOO_FEW
    elif all(g.agree / g.voters > majority for g in enough):
        label = Consensus.BROAD
    elif any(g.agree / g.voters > majority for g in enough) and any(g.disagree / g.voters > majority for g in enough):
        label = Consensus.DIVIDED
    else:
        label = Consensus.UNCLEAR
    return label, round(score, 4), divisiveness, round(support, 4)


# --- Results of recommendations ----------------------------------------------------------


@dataclass
class RecommendationResult:
    """One recommendation's results, or only its identity when not (yet) visible to the reader."""

    recommendation: object  # a topics.models.Recommendation
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
            totals = self.total.as_dict()
            del totals["enough_votes"]  # the total is always shown
            data["totals"] = totals
            data["by_sector"] = {group.code: group.as_dict() for group in self.sectors}
            data["consensus"] = {
                "label": self.consensus,
                "label_text": str(self.consensus_label),
                "score": self.score,
                "divisiveness": self.divisiveness,
                "support": self.support,
            }
        return data


def counted_cells(rows, *, minimum, confirmed_only):
    """{rec id: {sector: {choice: n, "priority": n}}} over the cells that may be shown.

    A cell is (recommendation, sector, confirmed). It counts only when it holds
    at least ``minimum`` voters, so every figure is a sum of such cells and no
    subtraction between figures narrows down to fewer people. Cells of one
    sector (confirmed and not) are summed; ``confirmed_only`` keeps the confirmed ones.
    """
    raw = {}  # (rec, sector, confirmed) -> counts
    for row in rows:
        counts = raw.setdefault((row["recommendation_id"], row["sector"] or "", bool(row["confirmed"])), {})
        if row["choice"]:
            counts[row["choice"]] = counts.get(row["choice"], 0) + row["n"]
        if row["prioritised"]:
            counts["priority"] = counts.get("priority", 0) + row["n"]
    shown = {}
    for (rec_id, sector, confirmed), counts in raw.items():
        if confirmed_only and not confirmed:
            continue
        if sum(counts.get(c, 0) for c in CHOICES) < minimum:
            continue
        target = shown.setdefault(rec_id, {}).setdefault(sector, {})
        for key, n in counts.items():
            target[key] = target.get(key, 0) + n
    return shown


def recommendation_results(recommendations, *, rows, visible, sectors, thresholds, confirmed_only=False):
    """A ``RecommendationResult`` per recommendation, from the GROUP BY rows (no queries).

    ``rows``: dicts with ``recommendation_id``, ``sector`` (as recorded when cast;
    "" for none), ``confirmed``, ``choice`` ("" for a priority without a
    position), ``prioritised`` and ``n``: the published cells
    (``publication.py``). ``visible(recommendation)`` says whether the reader
    may see its figures; ``sectors`` is the list of (code, label) in the order
    they are shown; ``confirmed_only`` counts confirmed sectors only.
    """
    minimum = thresholds.min_sector_voters
    cells = counted_cells(rows, minimum=minimum, confirmed_only=confirmed_only)
    results = []
    for rec in recommendations:
        if not visible(rec):
            results.append(RecommendationResult(recommendation=rec, visible=False))
            continue
        rec_cells = cells.get(rec.pk, {})
        # The total is the sum of the shown cells; votes without a declared
        # sector count in it once there are enough of them.
        total = GroupResult.build(
            code=TOTAL,
            label=_("All participants"),
            counts={c: sum(s.get(c, 0) for s in rec_cells.values()) for c in CHOICES},
            priority=sum(s.get("priority", 0) for s in rec_cells.values()),
            minimum=0,
        )
        groups = [
            GroupResult.build(
                code=code,
                label=label,
                counts=rec_cells.get(code, {}),
                priority=rec_cells.get(code, {}).get("priority", 0),
                minimum=max(minimum, 1),
            )
            for code, label in sectors
        ]
        groups = protect_residual(groups, total_voters=total.voters, minimum=minimum)
        label, score, divisiveness, support = consensus_of(groups, total_voters=total.voters, thresholds=thresholds)
        results.append(
            RecommendationResult(
                recommendation=rec,
                visible=True,
                total=total,
                sectors=groups,
                consensus=label,
                score=score,
                divisiveness=divisiveness,
                support=support,
            )
        )
    return results


def participation(counts, *, sectors, minimum, confirmed_only=False):
    """Distinct voters per sector, protected like the figures.

    ``counts``: {(sector code or "", confirmed): n} from the published voters.
    A cell counts only from ``minimum`` voters (like ``_cells``). Returns
    (groups, total): a GroupResult per sector with only ``voters`` set (None
    when no cell of it counts), and the sum of the counted cells.
    """
    per_sector = {}
    for (code, confirmed), n in counts.items():
        if n < minimum or (confirmed_only and not confirmed):
            continue
        per_sector[code or ""] = per_sector.get(code or "", 0) + n
    total = sum(per_sector.values())
    groups = []
    for code, label in sectors:
        n = per_sector.get(code)
        groups.append(GroupResult(code=code, label=label, enough=n is not None, voters=n))
    return protect_residual(groups, total_voters=total, minimum=minimum), total


# --- Ranking ---------------------------------------------------------------------------


def _missing_last(value):
    """Sort key part: known values first (descending), unknown (None) after."""
    return (value is None, -(value or 0))


def sort_key(sort):
    """The ordering of visible results by ``sort``; ties: more agree votes, then position, then id."""

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
    visible = sorted((r for r in results if r.visible), key=sort_key(sort))
    for number, result in enumerate(visible, start=1):
        result.rank = number
    hidden = sorted((r for r in results if not r.visible), key=lambda r: (r.recommendation.position, r.id))
    return visible + hidden


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


@dataclass
class OverviewResults:
    topics: list  # [(topic, TopicResults)]
    participation: list[GroupResult]  # distinct voters per sector (counts only in .voters)
    participants_total: int

    @property
    def all_visible(self):
        return [r for _topic, results in self.topics for r in results.visible]

    def top_consensus(self, limit=5):
        """Recommendations labelled "Broadly supported", best consensus score first.

        The label decides, not the score alone: a high score without a majority
        in every sector is no consensus. ``most_divisive`` never lists a broadly
        supported recommendation, so the two lists never share an item.
        """
        ranked = [r for r in self.all_visible if r.consensus == Consensus.BROAD]
        return sorted(ranked, key=sort_key(Sort.CONSENSUS))[:limit]

    def most_divisive(self, limit=5):
        """Recommendations with a divisiveness figure that are not broadly supported, most divisive first."""
        ranked = [
            r
            for r in self.all_visible
            if r.divisiveness is not None and r.consensus not in (Consensus.TOO_FEW, Consensus.BROAD)
        ]
        return sorted(ranked, key=sort_key(Sort.DIVISIVE))[:limit]
