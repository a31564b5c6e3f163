"""The briefing: who may see it, the printable page, and the XLSX workbook made by the background task."""

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from feedback.models import Comment
from feedback.results import briefing, selectors
from feedback.results.tasks import build_briefing_workbook
from tests.auth import give_staff_mfa, staff_mfa_login
from tests.factories import ModeratorFactory, OrganiserFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def data(nmp_content, voters):
    topic = nmp_content.get(number=7)
    topic.opens_at, topic.closes_at = timezone.now() - timedelta(days=30), timezone.now() + timedelta(days=30)
    topic.save()
    first, second = topic.recommendations.order_by("position")[:2]
    # kennis (1) counts nowhere; three voters without a sector count in the total.
    voters(
        first,
        {"gemeente": (4, 1, 0), "bedrijfsleven": (3, 0, 1), "kennis": (1, 0, 0), "": (3, 0, 0)},
        priorities={"gemeente": 2},
    )
    voters(second, {"gemeente": (4, 0, 1), "bedrijfsleven": (0, 1, 4)})
    author = ParticipantFactory(first_name="Fenna", last_name="Voor")
    replier = ParticipantFactory()
    strong = Comment.objects.create(
        topic=topic, recommendation=first, author=author, text="Sterk argument", stance="for"
    )
    Comment.objects.create(topic=topic, recommendation=first, author=replier, text="Eens!", parent=strong)
    Comment.objects.create(topic=topic, recommendation=first, author=author, text="Zwak argument", stance="for")
    Comment.objects.create(
        topic=topic, recommendation=first, author=replier, text="=cmd|' /C calc'!A0", stance="against"
    )
    Comment.objects.create(
        topic=topic,
        recommendation=first,
        author=replier,
        text="Verborgen tekst",
        stance="against",
        is_hidden=True,
        hidden_reason="Persoonsgegevens",
    )
    Comment.objects.create(topic=topic, recommendation=first, author=replier, text="Weg", is_deleted=True)
    return {"topic": topic, "first": first, "second": second}


@pytest.mark.parametrize(
    ("factory", "status"),
    [(None, 302), (ParticipantFactory, 403), (ModeratorFactory, 200), (OrganiserFactory, 200)],
)
def test_briefing_is_for_moderators_and_organisers(client, data, factory, status):
    if factory:
        staff_mfa_login(client, factory())
    slug = data["topic"].slug
    assert client.get("/resultaten/briefing/").status_code == status
    assert client.get(f"/resultaten/briefing/{slug}/").status_code == status
    response = client.post("/resultaten/briefing/werkmap/")
    assert response.status_code == (302 if factory in (None, ModeratorFactory, OrganiserFactory) else 403)


@pytest.mark.parametrize("role", [ModeratorFactory, OrganiserFactory])
def test_briefing_needs_the_second_factor_in_this_session(client, data, role):
    user = role()
    client.force_login(user)  # password only, no authenticator app
    slug = data["topic"].slug
    for response in (
        client.get("/resultaten/briefing/"),
        client.get(f"/resultaten/briefing/{slug}/"),
        client.post("/resultaten/briefing/werkmap/"),
        client.get("/resultaten/briefing/werkmap/" + "0" * 32 + "/"),
    ):
        assert response.status_code == 403
        assert "Twee-stapsverificatie nodig" in response.content.decode()
    assert "Sterk argument" not in client.get(f"/resultaten/briefing/{slug}/").content.decode()
    # An app set up but not used at this login: still refused, with the way out.
    give_staff_mfa(user)
    response = client.get(f"/resultaten/briefing/{slug}/")
    assert response.status_code == 403 and response.context["state"] == "not_used"


def test_blocked_moderator_account_that_was_deleted_has_no_access(client, data):
    moderator = ModeratorFactory(deleted_at=timezone.now())
    client.force_login(moderator)
    assert client.get("/resultaten/briefing/").status_code == 403


def test_printable_page(client, data, django_assert_max_num_queries):
    staff_mfa_login(client, ModeratorFactory())
    slug = data["topic"].slug
    client.get(f"/resultaten/briefing/{slug}/")
    # session, user, authenticator app (second factor), groups, topic, recommendations,
    # published positions, comments, official responses, proposals
    with django_assert_max_num_queries(10):
        response = client.get(f"/resultaten/briefing/{slug}/")
    page = response.content.decode()
    assert "Sterk argument" in page and "Zwak argument" in page
    assert page.index("Sterk argument") < page.index("Zwak argument")  # a reply counts as support
    assert "Verborgen tekst" not in page and "Weg" not in page
    assert "=cmd|" in page  # HTML escapes, no neutralising needed on a web page
    assert "Breed gedragen" in page and "Verdeeld" in page
    assert "@media print" in Path("static/css/results.css").read_text()


def test_unknown_topic_or_job_is_404(client, data):
    staff_mfa_login(client, ModeratorFactory())
    assert client.get("/resultaten/briefing/bestaat-niet/").status_code == 404
    assert client.get("/resultaten/briefing/werkmap/" + "0" * 32 + "/").status_code == 404
    assert client.get("/resultaten/briefing/werkmap/" + "0" * 32 + "/download/").status_code == 404
    assert client.get("/resultaten/briefing/werkmap/../../etc/passwd/download/").status_code == 404


def _make_workbook(client, django_capture_on_commit_callbacks, include_hidden=False):
    post = {"include_hidden": "1"} if include_hidden else {}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/resultaten/briefing/werkmap/", post)
    assert response.status_code == 302
    job_url = response["Location"]
    job_id = re.search(r"([0-9a-f]{32})", job_url).group(1)
    status = client.get(job_url, {"format": "json"}).json()
    assert status["state"] == "done" and status["progress"] == 100
    page = client.get(job_url).content.decode()
    assert "De werkmap is klaar." in page
    download = client.get(status["download_url"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="briefing-najaarsbijeenkomst-')
    return load_workbook(io.BytesIO(b"".join(download.streaming_content))), job_id


def test_workbook_sheets_and_numbers_come_from_the_selector(client, data, django_capture_on_commit_callbacks):
    staff_mfa_login(client, ModeratorFactory())
    workbook, _job = _make_workbook(client, django_capture_on_commit_callbacks)
    assert len(workbook.sheetnames) == 11
    assert workbook.sheetnames[-1] == "Reacties"
    assert workbook.sheetnames[6].startswith("7. ")
    sheet = workbook.worksheets[6]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header_at = next(i for i, r in enumerate(rows) if r[0] == "Plaats")
    ranking = {r[1]: r for r in rows[header_at + 1 :] if r[0] is not None and isinstance(r[0], int)}
    selector = selectors.topic_results(topic=data["topic"], visibility=selectors.ALL)
    for result in selector.visible:
        row = ranking[result.recommendation.position]
        assert row[0] == result.rank
        assert row[4:9] == [
            result.total.voters,
            result.total.agree,
            result.total.neutral,
            result.total.disagree,
            result.total.priority,
        ]
        assert row[9] == result.support
        assert row[10] == str(result.consensus_label)
        assert row[11] == result.score
        assert row[12] == result.divisiveness
    first = ranking[data["first"].position]
    assert first[4:9] == [12, 10, 1, 1, 2]
    assert first[10] == "Breed gedragen"
    # Per sector: kennis (1 voter) has no figures.
    split = [r for r in rows if r[0] == data["first"].position and r[1] in ("Gemeente", "Kennisinstelling")]
    gemeente = next(r for r in split if r[1] == "Gemeente")
    assert gemeente[2:9] == ["Ja", 5, 4, 1, 0, 2, 0.8]
    kennis = next(r for r in split if r[1] == "Kennisinstelling")
    assert kennis[2] == "Nee" and kennis[3:] == [None] * (len(kennis) - 3)

    comments = [list(r) for r in workbook["Reacties"].iter_rows(values_only=True)]
    texts = [r[8] for r in comments[1:]]
    assert "Sterk argument" in texts and "Eens!" in texts
    assert "Verborgen tekst" not in texts and "Weg" not in texts
    assert "'=cmd|' /C calc'!A0" in texts  # neutralised
    assert all(not (isinstance(t, str) and t.startswith(("=", "+", "-", "@"))) for r in comments for t in r)
    assert "Verborgen door moderator" not in comments[0]


def test_workbook_with_hidden_comments_marks_them(client, data, django_capture_on_commit_callbacks):
    staff_mfa_login(client, OrganiserFactory())
    workbook, _job = _make_workbook(client, django_capture_on_commit_callbacks, include_hidden=True)
    comments = [list(r) for r in workbook["Reacties"].iter_rows(values_only=True)]
    assert comments[0][-1] == "Verborgen door moderator"
    hidden = next(r for r in comments if r[8] == "Verborgen tekst")
    assert hidden[-1] == "Verborgen: Persoonsgegevens"
    visible = next(r for r in comments if r[8] == "Sterk argument")
    assert visible[-1] in ("", None)


def test_task_is_safe_to_run_twice_and_reports_progress(data):
    seen = []
    job_id = "a" * 32
    original = briefing.job_set

    def spy(job, **changes):
        seen.append(changes.get("progress"))
        return original(job, **changes)

    briefing.job_set = spy
    try:
        build_briefing_workbook(job_id=job_id)
        build_briefing_workbook(job_id=job_id)
    finally:
        briefing.job_set = original
    assert briefing.job_get(job_id)["state"] == "done"
    progress = [p for p in seen if p is not None]
    assert progress == sorted(progress[: len(progress) // 2]) + sorted(progress[len(progress) // 2 :])
    assert 100 in progress
    with briefing.workbook_storage().open(briefing.workbook_name(job_id), "rb") as workbook:
        assert load_workbook(workbook).sheetnames[-1] == "Reacties"
    # Written twice under one name: the second replaced the first, nothing else was left behind.
    assert briefing.workbook_storage().listdir("")[1] == [briefing.workbook_name(job_id)]


def test_participant_cannot_download_a_finished_workbook(client, data, django_capture_on_commit_callbacks):
    staff_mfa_login(client, ModeratorFactory())
    _workbook, job_id = _make_workbook(client, django_capture_on_commit_callbacks)
    client.force_login(ParticipantFactory())
    assert client.get(f"/resultaten/briefing/werkmap/{job_id}/download/").status_code == 403
    client.logout()
    assert client.get(f"/resultaten/briefing/werkmap/{job_id}/download/").status_code == 302


def test_admin_index_links_to_the_briefing(client, data):
    staff_mfa_login(client, ModeratorFactory())
    assert "/resultaten/briefing/" in client.get("/admin/").content.decode()


def test_supported_comments_rule(data):
    ranked = briefing.supported_comments(topic=data["topic"])[data["first"].pk]
    assert [c.text for c in ranked["for"]] == ["Sterk argument", "Zwak argument"]
    assert [c.text for c in ranked["against"]] == ["=cmd|' /C calc'!A0"]


def _cells(html_row):
    """The text of every cell of one ranking table row, tags stripped, whitespace collapsed."""
    cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", html_row, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells]


def test_page_api_csv_and_workbook_show_the_same_figures(client, data, django_capture_on_commit_callbacks):
    """Every figure comes from one selector: the four outputs agree, number for number."""
    import csv

    staff_mfa_login(client, ModeratorFactory())
    slug = data["topic"].slug
    workbook, _job = _make_workbook(client, django_capture_on_commit_callbacks)
    api = {item["id"]: item for item in client.get(f"/api/topics/{slug}/results/").json() if item["visible"]}
    text = client.get(f"/onderwerpen/{slug}/resultaten.csv").content.decode("utf-8-sig")
    csv_rows = {(int(r["recommendation_id"]), r["group"]): r for r in csv.DictReader(io.StringIO(text))}
    page = client.get(f"/onderwerpen/{slug}/resultaten/").content.decode()
    sheet = [list(r) for r in workbook.worksheets[6].iter_rows(values_only=True)]
    header_at = next(i for i, r in enumerate(sheet) if r[0] == "Plaats")
    xlsx_ranking = {r[1]: r for r in sheet[header_at + 1 :] if isinstance(r[0], int)}
    split_at = next(i for i, r in enumerate(sheet) if r[0] == "Nummer advies" and r[1] == "Sector")
    xlsx_split = {(r[0], r[1]): r for r in sheet[split_at + 1 :] if isinstance(r[0], int) and isinstance(r[1], str)}
    selector = selectors.topic_results(topic=data["topic"], visibility=selectors.ALL)

    def blank(value):
        return "" if value is None else str(value)

    assert set(api) == {r.id for r in selector.visible}
    checked_votes = 0
    for result in selector.visible:
        item, total, position = api[result.id], result.total, result.recommendation.position
        figures = [total.voters, total.agree, total.neutral, total.disagree, total.priority]
        # API
        assert [item["totals"][k] for k in ("voters", "agree", "neutral", "disagree", "priority")] == figures
        assert (item["consensus"]["score"], item["consensus"]["support"]) == (result.score, result.support)
        # CSV
        row = csv_rows[(result.id, "total")]
        assert [row[k] for k in ("voters", "agree", "neutral", "disagree", "priority")] == [str(v) for v in figures]
        assert (row["consensus_score"], row["rank"]) == (blank(result.score), str(result.rank))
        # XLSX
        assert xlsx_ranking[position][0] == result.rank
        assert xlsx_ranking[position][4:9] == figures
        assert xlsx_ranking[position][11] == result.score
        # Page (ranking table): rank, voters, counts with percentages, priority, score
        html_row = re.search(rf'<tr id="result-{result.id}">(.*?)</tr>', page, flags=re.S).group(1)
        cells = _cells(html_row)
        assert cells[0] == str(result.rank)
        assert cells[2] == str(total.voters)
        if total.percentages:
            for cell, choice in zip(cells[3:6], ("agree", "neutral", "disagree"), strict=True):
                assert cell == f"{getattr(total, choice)} ({total.percentages[choice]}%)"
        assert cells[6] == str(total.priority)
        if result.score is not None:
            assert cells[9] == f"{result.score:.2f}".replace(".", ",")
        # Per sector, in the API, the CSV and the workbook (small sectors: no figures anywhere)
        for group in result.sectors:
            api_group, csv_row = item["by_sector"][group.code], csv_rows[(result.id, group.code)]
            xlsx_row = xlsx_split[(position, str(group.label))]
            counts = [group.voters, group.agree, group.neutral, group.disagree, group.priority]
            assert [api_group[k] for k in ("voters", "agree", "neutral", "disagree", "priority")] == counts
            assert [csv_row[k] for k in ("voters", "agree", "neutral", "disagree", "priority")] == [
                blank(v) for v in counts
            ]
            assert xlsx_row[3:8] == counts
            checked_votes += group.voters or 0
    assert checked_votes > 0  # the fixture has real figures, not only empty sectors


def test_official_response_in_the_briefing_page_and_workbook(client, data, django_capture_on_commit_callbacks):
    from feedback import moderation

    moderator = ModeratorFactory()
    moderation.official_response_set(target=data["first"], moderator=moderator, text="=We nemen dit mee.")
    staff_mfa_login(client, moderator)
    page = client.get(f"/resultaten/briefing/{data['topic'].slug}/").content.decode()
    assert "Reactie van het programmateam" in page and "=We nemen dit mee." in page
    workbook, _job = _make_workbook(client, django_capture_on_commit_callbacks)
    rows = [list(r) for r in workbook.worksheets[6].iter_rows(values_only=True)]
    start = next(i for i, row in enumerate(rows) if row[0] == "Reacties van het programmateam")
    answer = rows[start + 2]
    assert answer[0] == data["first"].position and answer[1] == "'=We nemen dit mee."
