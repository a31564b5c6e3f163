"""Export rows: formula neutralising, and the CSV and workbook columns listed once."""

from feedback.results import exports


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
