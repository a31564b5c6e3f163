"""Reading roster files and the import: previews, errors with line numbers, idempotence, bad files."""

import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from invitations import services
from invitations.models import Invitation
from invitations.roster import roster_read
from tests.factories import EventFactory, InvitationFactory

HEADER = "name,email,organisation,sector,note,language\n"


@pytest.fixture(autouse=True)
def _english():
    """Messages are matched in English here; the Dutch is checked by the i18n test and the pages."""
    with translation.override("en"):
        yield


def csv(text, encoding="utf-8"):
    return (HEADER + text).encode(encoding)


def read(text, encoding="utf-8", filename="genodigden.csv"):
    return roster_read(filename=filename, content=csv(text, encoding))


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "cp1252"], ids=["utf8", "utf8-bom", "windows-1252 (Dutch Excel)"]
)
def test_accepts_the_encodings_dutch_tools_write(encoding):
    rows = read("Renée Müller,renee@example.org,Provincie Zeeland,provincie,,nl\n", encoding)
    assert rows[0].data["name"] == "Renée Müller"
    assert rows[0].line == 2


def test_refuses_an_unknown_encoding():
    content = HEADER.encode() + b"J\x81n,jan@example.org,,,,\n"  # invalid UTF-8, undefined in Windows-1252
    with pytest.raises(ValidationError, match="encoding"):
        roster_read(filename="genodigden.csv", content=content)


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("genodigden.txt", b"name,email\n", "CSV file"),
        ("genodigden.csv", b"", "empty"),
        ("genodigden.csv", b"   \n", "empty"),
        ("genodigden.csv", b"name,email\n", "no rows"),
        ("genodigden.csv", b"naam,mail\nJan,jan@example.org\n", "Missing: name, email"),
        ("genodigden.xlsx", b"name,email\nJan,jan@example.org\n", "not an Excel"),
        ("genodigden.csv", b"PK\x03\x04rest-of-a-zip", "not a CSV"),
        ("genodigden.csv", b"x" * (5 * 1024 * 1024 + 1), "5 MB"),
    ],
)
def test_refuses_files_that_are_not_a_roster(filename, content, message):
    with pytest.raises(ValidationError, match=message):
        roster_read(filename=filename, content=content)


def test_refuses_more_than_ten_thousand_rows():
    body = "".join(f"Persoon {i},p{i}@example.org,,,,\n" for i in range(10_001))
    with pytest.raises(ValidationError, match="10,000"):
        read(body)


def test_ten_thousand_rows_are_fine():
    body = "".join(f"Persoon {i},p{i}@example.org,,,,\n" for i in range(10_000))
    assert len(read(body)) == 10_000


def test_formula_cells_are_neutralised_and_reported():
    rows = read('=HYPERLINK("http://x"),jan@example.org," @SUM(A1)",,+31,nl\n')
    data = rows[0].data
    assert data["name"].startswith("'=")
    assert data["organisation"].startswith("'")
    assert data["note"] == "'+31"
    assert rows[0].neutralised == ["name", "organisation", "note"]


def test_reads_an_excel_workbook():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["name", "email", "organisation", "sector", "note", "language"])
    sheet.append(["Piet Pieters", "Piet@Example.org", "Waterschap Aa", "Waterschap", None, "en"])
    buffer = io.BytesIO()
    book.save(buffer)
    rows = roster_read(filename="Genodigden.XLSX", content=buffer.getvalue())
    assert rows[0].data == {
        "name": "Piet Pieters",
        "email": "Piet@Example.org",
        "organisation": "Waterschap Aa",
        "sector": "Waterschap",
        "note": "",
        "language": "en",
    }


@pytest.mark.django_db
def test_preview_shows_new_update_unchanged_and_errors_with_line_and_reason():
    event = EventFactory()
    InvitationFactory(event=event, name="Bestaand Lid", email="bestaand@example.org", organisation="Oud", sector="")
    InvitationFactory(event=event, name="Gelijk Lid", email="gelijk@example.org", organisation="", sector="")
    rows = read(
        "Nieuw Lid,nieuw@example.org,Gemeente Delft,Gemeente,,\n"  # Dutch label of the sector
        "Bestaand Lid,BESTAAND@example.org ,Nieuw,,,\n"  # same address after normalising: an update
        "Gelijk Lid,gelijk@example.org,,,,nl\n"
        ",zonder-naam@example.org,,,,\n"
        "Fout Adres,geen-adres,,,,\n"
        "Vreemde Sector,sector@example.org,,astronauten,,\n"
        "Dubbel,nieuw@example.org,,,,\n"
    )
    preview = services.roster_preview(event=event, rows=rows)
    assert [(r.line, r.status) for r in preview.rows] == [
        (2, "new"),
        (3, "update"),
        (4, "unchanged"),
        (5, "error"),
        (6, "error"),
        (7, "error"),
        (8, "error"),
    ]
    reasons = {r.line: " ".join(r.reasons) for r in preview.errors}
    assert "Name is missing" in reasons[5]
    assert "not a valid e-mail address" in reasons[6]
    assert "Unknown sector “astronauten”" in reasons[7]
    assert "same e-mail address is on line 2" in reasons[8]
    assert preview.rows[0].data["sector"] == "gemeente"


@pytest.mark.django_db
def test_nothing_is_imported_while_the_file_has_errors():
    event = EventFactory()
    rows = read("Goed,goed@example.org,,,,\nFout,fout,,,,\n")
    with pytest.raises(ValidationError, match="Nothing was imported"):
        services.invitations_import(event=event, rows=rows)
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_valid_only_imports_the_valid_rows(django_user_model):
    event = EventFactory()
    organiser = django_user_model.objects.create_user("org@example.org")
    rows = read("Goed,Goed@Example.org,,,,en\nFout,fout,,,,\n")
    preview = services.invitations_import(event=event, rows=rows, valid_only=True, invited_by=organiser)
    assert preview.summary() == {"new": 1, "update": 0, "unchanged": 0, "error": 1}
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.language, invitation.state) == ("goed@example.org", "en", "concept")
    assert invitation.invited_by == organiser


@pytest.mark.django_db
def test_importing_the_same_file_twice_changes_nothing():
    event = EventFactory()
    rows = read("Anna,anna@example.org,RIVM,kennis,Graag uw komst,nl\nBram,bram@example.org,,,,\n")
    services.invitations_import(event=event, rows=rows)
    before = list(Invitation.objects.order_by("pk").values())
    again = services.invitations_import(event=event, rows=rows)
    assert again.summary() == {"new": 0, "update": 0, "unchanged": 2, "error": 0}
    assert list(Invitation.objects.order_by("pk").values()) == before


@pytest.mark.django_db
def test_an_update_keeps_state_answer_and_link():
    invitation = InvitationFactory(email="anna@example.org", state="accepted", needs="Vegetarisch", token_hash="x" * 64)
    services.invitations_import(event=invitation.event, rows=read("Anna Smit,anna@example.org,RIVM,kennis,,en\n"))
    invitation.refresh_from_db()
    assert (invitation.name, invitation.organisation, invitation.language) == ("Anna Smit", "RIVM", "en")
    assert (invitation.state, invitation.needs, invitation.token_hash) == ("accepted", "Vegetarisch", "x" * 64)


@pytest.mark.django_db
def test_an_invitee_who_already_has_an_account_is_linked_to_it():
    from tests.factories import ParticipantFactory

    account = ParticipantFactory(email="anna@example.org")
    ParticipantFactory(email="bram@example.org", verified=False)
    event = EventFactory()
    services.invitations_import(event=event, rows=read("Anna,ANNA@example.org,,,,\nBram,bram@example.org,,,,\n"))
    assert Invitation.objects.get(email="anna@example.org").user == account
    assert Invitation.objects.get(email="bram@example.org").user is None
