"""The rows of the CSV downloads and the briefing workbook, each column listed once.

Values stay unformatted (numbers as numbers, None for a hidden figure); text a
spreadsheet could run as a formula is neutralised.
"""

import csv
from datetime import datetime

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe.

    Also when the formula character follows spaces or line breaks, since some
    spreadsheet programs trim those before they look at the cell.
    """
    if isinstance(value, str) and (value.startswith(FORMULA_PREFIXES) or value.lstrip().startswith(FORMULA_PREFIXES)):
        return "'" + value
    return value


# A group's figures, in the order of the CSV and the workbook: (open-data column, workbook header, value).
GROUP_FIGURES = [
    ("voters", gettext_noop("Voters"), lambda group: group.voters),
    ("agree", gettext_noop("Agree"), lambda group: group.agree),
    ("neutral", gettext_noop("Neutral"), lambda group: group.neutral),
    ("disagree", gettext_noop("Disagree"), lambda group: group.disagree),
    ("priority", gettext_noop("Priority"), lambda group: group.priority),
    ("share_agree", gettext_noop("Share agree"), lambda group: (group.shares or {}).get("agree")),
    ("share_neutral", gettext_noop("Share neutral"), lambda group: (group.shares or {}).get("neutral")),
    ("share_disagree", gettext_noop("Share disagree"), lambda group: (group.shares or {}).get("disagree")),
]
COUNTS = 5  # voters, agree, neutral, disagree, priority: the part of GROUP_FIGURES the ranking shows


def group_figures(group, *, columns=GROUP_FIGURES):
    """The group's figures in column order (None when hidden)."""
    return [value(group) for _code, _header, value in columns]


# --- Open data (CSV) ---------------------------------------------------------------------

OPEN_DATA_COLUMNS = [
    "topic",
    "recommendation_id",
    "position",
    "recommendation",
    "source",
    "group",
    "enough_votes",
    *(code for code, _header, _value in GROUP_FIGURES),
    "consensus_label",
    "consensus_score",
    "divisiveness",
    "support",
    "rank",
]


def _visible_groups(results):
    """(result, recommendation, group) for each visible result: its total first, then each sector."""
    for result in results:
        if result.visible:
            for group in [result.total, *result.sectors]:
                yield result, result.recommendation, group


def open_data_rows(results):
    """One row per visible recommendation per group ("total", then each sector), values unformatted.

    Columns are ``OPEN_DATA_COLUMNS``; text is neutralised against formula
    injection. Small sectors have empty figures, exactly as in the API.
    """
    for result, rec, group in _visible_groups(results):
        yield [
            neutralise(rec.topic.slug),
            rec.pk,
            rec.position,
            neutralise(rec.text),
            rec.source,
            group.code,
            group.enough,
            *group_figures(group),
            result.consensus,
            result.score,
            result.divisiveness,
            result.support,
            result.rank,
        ]


def write_csv(stream, results):
    """The open-data CSV of ``results`` (a file-like ``stream``): a header row, then ``open_data_rows``."""
    writer = csv.writer(stream)
    writer.writerow(OPEN_DATA_COLUMNS)
    for row in open_data_rows(results):
        writer.writerow(["" if value is None else value for value in row])


# --- For Dutch spreadsheet programs (CSV) ------------------------------------------------

SPREADSHEET_LANGUAGE = "nl"


def decimal_comma(value):
    """A number as Dutch Excel reads it: decimal comma, no thousands separator; empty for None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".").replace(".", ",")
    return str(value)


def spreadsheet_header():
    return [
        _("Topic"),
        _("Recommendation number"),
        _("Recommendation"),
        _("Source"),
        _("Group"),
        _("Enough votes"),
        *(_(header) for _code, header, _value in GROUP_FIGURES),
        _("Consensus"),
        _("Consensus score"),
        _("Divisiveness"),
        _("Support (mean agree share per sector)"),
        _("Rank"),
    ]


def spreadsheet_rows(results):
    """The rows of ``open_data_rows`` for people: labels instead of codes, numbers with a decimal comma."""
    for result, rec, group in _visible_groups(results):
        yield [
            neutralise(rec.topic.title),
            rec.position,
            neutralise(rec.text),
            str(rec.get_source_display()),
            str(group.label),
            yes_no(group.enough),
            *(decimal_comma(value) for value in group_figures(group)),
            str(result.consensus_label),
            decimal_comma(result.score),
            decimal_comma(result.divisiveness),
            decimal_comma(result.support),
            decimal_comma(result.rank),
        ]


def write_spreadsheet_csv(stream, results):
    """The CSV that Dutch Excel opens as columns: ``;``-separated, decimal commas, Dutch names and labels.

    The caller writes the UTF-8 byte order mark first. Text is neutralised
    against formulas, as in the open-data CSV.
    """
    writer = csv.writer(stream, delimiter=";")
    with translation.override(SPREADSHEET_LANGUAGE):
        writer.writerow(spreadsheet_header())
        for row in spreadsheet_rows(results):
            writer.writerow(row)


# --- Briefing workbook -------------------------------------------------------------------


def workbook_cell(value):
    """A value as the workbook stores it: numbers, dates and empty cells as they are, anything else as neutral text."""
    if isinstance(value, datetime) or value is None or isinstance(value, bool | int | float):
        return value
    return neutralise(str(value))


def yes_no(value):
    return _("Yes") if value else _("No")


def ranking_header():
    return [
        _("Rank"),
        _("Recommendation number"),
        _("Recommendation"),
        _("Source"),
        *(_(header) for _code, header, _value in GROUP_FIGURES[:COUNTS]),
        _("Support (mean agree share per sector)"),
        _("Consensus"),
        _("Consensus score"),
        _("Divisiveness"),
    ]


def ranking_row(result):
    """One visible recommendation in the ranking: rank, identity, the total's counts, the consensus figures."""
    rec = result.recommendation
    return [
        result.rank,
        rec.position,
        rec.text,
        rec.get_source_display(),
        *group_figures(result.total, columns=GROUP_FIGURES[:COUNTS]),
        result.support,
        str(result.consensus_label),
        result.score,
        result.divisiveness,
    ]


def sector_header():
    return [
        _("Recommendation number"),
        _("Sector"),
        _("Enough votes"),
        *(_(header) for _code, header, _value in GROUP_FIGURES),
    ]


def sector_rows(result):
    """One row per sector of a visible recommendation; a small sector's figures are empty."""
    for group in result.sectors:
        yield [
            result.recommendation.position,
            str(group.label),
            yes_no(group.enough),
            *group_figures(group),
        ]
