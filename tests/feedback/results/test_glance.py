"""Results at a glance: the sector × recommendation overview, the overview's two lists, the CSV for Excel."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import RecommendationFactory, TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_topic():
    now = timezone.now()
    return TopicFactory(slug="gesloten", opens_at=now - timedelta(days=30), closes_at=now - timedelta(days=1))


@pytest.fixture
def figures(closed_topic, voters):
    broad = RecommendationFactory(topic=closed_topic, position=1, text="Breed advies")
    voters(broad, {"gemeente": (5, 0, 0), "bedrijfsleven": (4, 0, 1)})
    divided = RecommendationFactory(topic=closed_topic, position=2, text="Verdeeld advies")
    voters(divided, {"gemeente": (5, 0, 0), "bedrijfsleven": (0, 1, 4)})
    unclear = RecommendationFactory(topic=closed_topic, position=3, text="Onduidelijk advies")
    voters(unclear, {"gemeente": (3, 2, 0), "bedrijfsleven": (2, 3, 0)})
    return broad, divided, unclear


def _rows(html):
    table = html.split('class="table matrix"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]


def test_matrix_has_a_row_per_recommendation_and_a_cell_per_sector(client, figures):
    _broad, _divided, _unclear = figures
    html = client.get("/onderwerpen/gesloten/resultaten/?sort=consensus").content.decode()
    assert "Instemming per sector" in html
    rows = _rows(html)
    assert len(rows) == 3
    assert "Breed advies" in rows[0]
    cells = re.findall(r'<td class="matrix__cell matrix__cell--(\w+)">([^<]*)</td>', rows[0])
    assert len(cells) == 10  # one per sector
    by_text = [text for _step, text in cells]
    assert by_text[2] == "100%" and cells[2][0] == "4"  # gemeente
    assert by_text[5] == "80%" and cells[5][0] == "4"  # bedrijfsleven
    assert by_text[7] == "te weinig" and cells[7][0] == "few"  # kennis: nobody voted
    assert "Breed gedragen" in rows[0]


def test_matrix_rows_sort_by_divisiveness_with_a_link(client, figures):
    html = client.get("/onderwerpen/gesloten/resultaten/").content.decode()
    assert 'href="?sort=divisive#matrix"' in html and 'href="?sort=consensus#matrix"' in html
    rows = _rows(client.get("/onderwerpen/gesloten/resultaten/?sort=divisive").content.decode())
    assert "Verdeeld advies" in rows[0]
    divided_cells = re.findall(r'matrix__cell--\w+">([^<]*)<', rows[0])
    assert divided_cells[5] == "0%"  # bedrijfsleven agrees with nobody: a figure, not a blank


def test_overview_lists_only_broadly_supported_and_never_twice(client, figures):
    _broad, _divided, _unclear = figures
    html = client.get("/resultaten/").content.decode()
    consensus = html.split('id="consensus-heading"', 1)[1].split('id="divisive-heading"', 1)[0]
    divisive = html.split('id="divisive-heading"', 1)[1].split('id="topics-heading"', 1)[0]
    assert "Breed advies" in consensus
    assert "Verdeeld advies" not in consensus and "Onduidelijk advies" not in consensus
    assert "Verdeeld advies" in divisive and "Breed advies" not in divisive


def test_overview_says_so_when_nothing_is_broadly_supported(client, closed_topic, voters):
    rec = RecommendationFactory(topic=closed_topic, text="Verdeeld advies")
    voters(rec, {"gemeente": (5, 0, 0), "bedrijfsleven": (0, 0, 5)})
    html = client.get("/resultaten/").content.decode()
    consensus = html.split('id="consensus-heading"', 1)[1].split('id="divisive-heading"', 1)[0]
    assert "Nog geen enkel advies is breed gedragen" in consensus
    assert "Verdeeld advies" not in consensus


def test_csv_for_dutch_spreadsheets(client, figures):
    _broad, _divided, _unclear = figures
    response = client.get("/onderwerpen/gesloten/resultaten.csv?format=spreadsheet")
    assert response.status_code == 200
    assert response.content.startswith("\ufeff".encode())
    assert "excel" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    header = rows[0]
    assert header[:6] == ["Onderwerp", "Nummer advies", "Advies", "Bron", "Groep", "Genoeg stemmen"]
    assert {"Stemmers", "Eens", "Neutraal", "Oneens", "Aandeel eens", "Plaats"} <= set(header)
    records = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    total = next(r for r in records if r["Advies"] == "Breed advies" and r["Groep"] == "Alle deelnemers")
    assert total["Stemmers"] == "10" and total["Eens"] == "9"
    assert total["Aandeel eens"] == "0,9"  # decimal comma
    assert "26 juni 2024" in total["Bron"]
    municipality = next(r for r in records if r["Advies"] == "Breed advies" and r["Groep"] == "Gemeente")
    assert municipality["Genoeg stemmen"] == "Ja" and municipality["Aandeel eens"] == "1"
    knowledge = next(r for r in records if r["Advies"] == "Breed advies" and r["Groep"] == "Kennisinstelling")
    assert knowledge["Genoeg stemmen"] == "Nee" and knowledge["Eens"] == ""
    assert all("." not in r["Aandeel eens"] for r in records)


def test_the_open_data_csv_keeps_its_address_and_format(client, figures):
    response = client.get("/onderwerpen/gesloten/resultaten.csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0]["group"] == "total" and "." in rows[0]["share_agree"]
    html = client.get("/onderwerpen/gesloten/resultaten/").content.decode()
    assert "resultaten.csv?format=spreadsheet" in html and 'href="/onderwerpen/gesloten/resultaten.csv"' in html


def test_wide_tables_say_they_scroll(client, figures):
    html = client.get("/onderwerpen/gesloten/resultaten/").content.decode()
    assert html.count('class="scroll-hint"') == 2  # the overview matrix and the ranking
    assert 'role="region"' in html
