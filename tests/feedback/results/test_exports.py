"""Export rows: formula neutralising, and the CSV and workbook columns listed once."""

from feedback.results import exports
from feedback.results.statistics import GroupResult


def test_neutralise():
    assert exports.neutralise("=SUM(A1)") == "'=SUM(A1)"
    assert exports.neutralise("+31 6") == "'+31 6"
    assert exports.neutralise("-1") == "'-1"
    assert exports.neutralise("@cmd") == "'@cmd"
    assert exports.neutralise("Gewoon") == "Gewoon"
    assert exports.neutralise(-1) == -1
    # Leading whitespace does not hide a formula (some programs trim it).
    for sneaky in (" =1+1", "\t=1+1", "\n@SUM(A1)", "  -2+3", "\r+1", " \t=cmd|' /C calc'!A0"):
        assert exports.neutralise(sneaky) == "'" + sneaky
    assert exports.neutralise("Geen = formule") == "Geen = formule"
    assert exports.neutralise("") == ""


def test_csv_columns_are_the_published_ones():
    assert exports.OPEN_DATA_COLUMNS == [
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


def test_workbook_headers_follow_the_same_figures():
    assert exports.sector_header() == [
        "Nummer advies",
        "Sector",
        "Genoeg stemmen",
        "Stemmers",
        "Eens",
        "Neutraal",
        "Oneens",
        "Prioriteit",
        "Aandeel eens",
        "Aandeel neutraal",
        "Aandeel oneens",
    ]
    assert exports.ranking_header()[4:9] == exports.sector_header()[3:8]


def test_group_figures_in_column_order():
    group = GroupResult.build(
        code="gemeente", label="Gemeente", counts={"agree": 4, "neutral": 1}, priority=2, minimum=3
    )
    assert exports.group_figures(group) == [5, 4, 1, 0, 2, 0.8, 0.2, 0.0]
    hidden = GroupResult.build(code="kennis", label="Kennis", counts={"agree": 1}, priority=1, minimum=3)
    assert exports.group_figures(hidden) == [None] * 8


def test_workbook_cells_keep_numbers_and_neutralise_text():
    assert [exports.workbook_cell(v) for v in (1, 0.5, None, True, "=1+1", "Tekst")] == [
        1,
        0.5,
        None,
        True,
        "'=1+1",
        "Tekst",
    ]
