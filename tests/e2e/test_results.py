"""Results in the browser: visibility after voting, closed topics, charts, the briefing workbook, axe in nl and en."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from feedback.models import Vote
from tests.e2e.axe import assert_accessible
from tests.factories import ModeratorFactory, ParticipantFactory, votes_by_sector


@pytest.fixture
def voted(content):
    """Topic 7 open with votes on its first two recommendations; topic 1 closed with votes."""
    now = timezone.now()
    open_topic, closed_topic = content[6], content[0]
    open_topic.opens_at, open_topic.closes_at = now - timedelta(days=5), now + timedelta(days=30)
    open_topic.save()
    closed_topic.opens_at, closed_topic.closes_at = now - timedelta(days=30), now - timedelta(days=1)
    closed_topic.save()
    recs = list(open_topic.recommendations.order_by("position"))
    # kennis (1) counts nowhere; three voters without a sector count in the total.
    votes_by_sector(
        recs[0], {"gemeente": (4, 1, 0), "bedrijfsleven": (3, 0, 1), "kennis": (1, 0, 0), "": (3, 0, 0)}, "o1"
    )
    votes_by_sector(recs[1], {"gemeente": (4, 0, 1), "bedrijfsleven": (0, 1, 4)}, "o2")
    closed_recs = list(closed_topic.recommendations.order_by("position"))
    votes_by_sector(closed_recs[0], {"gemeente": (4, 1, 0), "natuur_milieu": (1, 0, 4)}, "c1")
    return {"open": open_topic, "closed": closed_topic, "recs": recs, "closed_recs": closed_recs}


def test_participant_sees_results_only_after_voting(page, voted, login):
    topic, recs = voted["open"], voted["recs"]
    participant = ParticipantFactory()
    login(page, participant)
    page.goto(f"/onderwerpen/{topic.slug}/resultaten/")
    expect(page.get_by_role("heading", name="Resultaten die u nog niet ziet")).to_be_visible()
    expect(page.locator(f"#result-{recs[0].pk}")).to_have_count(0)
    page.goto(f"/onderwerpen/{topic.slug}/resultaten/{recs[0].pk}/")
    expect(page.locator("svg.results-chart__svg")).to_have_count(0)
    expect(page.get_by_role("link", name="Geef uw mening")).to_be_visible()

    # The voting UI is built in parallel: the vote is stored through the model.
    Vote.objects.create(participant=participant, recommendation=recs[0], choice="agree")
    page.goto(f"/onderwerpen/{topic.slug}/resultaten/")
    row = page.locator(f"#result-{recs[0].pk}")
    expect(row).to_be_visible()
    expect(row).to_contain_text("Breed gedragen")
    expect(page.locator(f"#result-{recs[1].pk}")).to_have_count(0)
    row.get_by_role("link").click()
    expect(page.get_by_role("img", name="Verdeling van de stemmen per sector")).to_be_visible()
    expect(page.locator(".results-chart__svg")).to_contain_text("te weinig stemmen")
    assert_accessible(page)


def test_closed_topic_shows_results_to_everyone(page, voted):
    topic, rec = voted["closed"], voted["closed_recs"][0]
    page.goto(f"/onderwerpen/{topic.slug}/resultaten/")
    expect(page.locator(f"#result-{rec.pk}")).to_contain_text("Verdeeld")  # gemeente agrees, natuur_milieu not
    expect(page.locator(".results-table")).to_be_visible()
    # Sorting: every key, and nonsense, renders.
    ranking_sort = page.get_by_role("navigation", name="Sorteer de volgorde")
    ranking_sort.get_by_role("link", name="Meest verdeeld").click()
    expect(ranking_sort.get_by_role("link", name="Meest verdeeld")).to_have_attribute("aria-current", "true")
    page.goto(f"/onderwerpen/{topic.slug}/resultaten/?sort=onzin")
    expect(ranking_sort.get_by_role("link", name="Steun", exact=True)).to_have_attribute("aria-current", "true")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Open data (CSV)").click()
    text = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    assert text.startswith("topic,recommendation_id,")
    assert f"{topic.slug},{rec.pk}," in text
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download deze cijfers voor Excel (CSV)").click()
    text = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    assert text.startswith("Onderwerp;Nummer advies;Advies;")


@pytest.mark.parametrize("language", ["nl", "en"])
def test_results_pages_pass_axe(page, voted, language):
    prefix = "" if language == "nl" else "/en"
    topic, rec = voted["closed"], voted["closed_recs"][0]
    for path in [
        "/resultaten/",
        f"/onderwerpen/{topic.slug}/resultaten/",
        f"/onderwerpen/{topic.slug}/resultaten/?sort=divisive",
        f"/onderwerpen/{topic.slug}/resultaten/{rec.pk}/",
        f"/onderwerpen/{voted['open'].slug}/resultaten/",
        f"/onderwerpen/{voted['open'].slug}/resultaten/{voted['recs'][0].pk}/",
    ]:
        page.goto(prefix + path)
        expect(page.locator("html")).to_have_attribute("lang", language)
        if page.locator("details.results-explain").count():
            page.locator("details.results-explain summary").first.click()  # open the explanation too
        assert_accessible(page)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_moderator_chart_of_open_topic_and_briefing_pages_pass_axe(page, voted, login, language):
    prefix = "" if language == "nl" else "/en"
    login(page, ModeratorFactory())
    for path in [
        f"/onderwerpen/{voted['open'].slug}/resultaten/{voted['recs'][1].pk}/",
        "/resultaten/briefing/",
        f"/resultaten/briefing/{voted['open'].slug}/",
    ]:
        page.goto(prefix + path)
        assert_accessible(page)


def test_moderator_downloads_the_briefing_workbook(page, voted, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    login(page, ModeratorFactory())
    page.goto("/admin/")
    page.get_by_role("link", name="Pagina's om te printen en de werkmap (Excel)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Briefing voor de najaarsbijeenkomst")
    page.get_by_role("button", name="Maak werkmap").click()
    expect(page.get_by_role("status")).to_have_text("De werkmap is klaar.")
    expect(page.locator("progress")).to_have_attribute("value", "100")
    assert_accessible(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download werkmap").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    workbook = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    assert len(workbook.sheetnames) == 11
    assert workbook.sheetnames[-1] == "Reacties"
    sheet = workbook.worksheets[6]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    first = next(r for r in rows if isinstance(r[0], int) and r[1] == voted["recs"][0].position)
    assert first[4:8] == [12, 10, 1, 1]  # voters, agree, neutral, disagree
    assert first[10] == "Breed gedragen"


def test_participant_cannot_open_the_briefing(page, voted, login):
    login(page, ParticipantFactory())
    response = page.goto("/resultaten/briefing/")
    assert response.status == 403


def test_results_work_without_javascript(browser, live_server, voted):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    rec = voted["closed_recs"][0]
    page.goto(f"/onderwerpen/{voted['closed'].slug}/resultaten/{rec.pk}/")
    expect(page.get_by_role("img", name="Verdeling van de stemmen per sector")).to_be_visible()
    expect(page.get_by_role("table")).to_have_count(1)  # the data table, visually hidden
    context.close()
