"""The moderators' admin: queues that open on what is open, decisions on the detail page and in bulk, exports."""

import csv
import io
import re

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from feedback import moderation, services
from feedback.models import Comment, Proposal, Report, ReportOutcome
from tests.auth import staff_mfa_login
from tests.factories import ModeratorFactory, OrganiserFactory, ParticipantFactory


@pytest.fixture
def moderator(db, client):
    return staff_mfa_login(client, ModeratorFactory(first_name="Mo", last_name="Derator"))


def _report(comment, reporter, reason="offensive"):
    return services.report_create(comment=comment, reporter=reporter, reason=reason, explanation="Grof")


def test_report_queue_opens_on_open_reports_oldest_first(client, moderator, participant, other, topic):
    first = services.comment_create(author=other, topic=topic, text="Eerste grove reactie")
    second = services.comment_create(author=other, topic=topic, text="Tweede grove reactie")
    handled = services.comment_create(author=other, topic=topic, text="Al afgehandelde reactie")
    _report(first, participant)
    _report(second, participant)
    _report(handled, participant)
    moderation.comment_hide(comment=handled, moderator=moderator, reason_code="spam")

    page = client.get("/admin/feedback/report/").content.decode()
    assert "Eerste grove reactie" in page and "Tweede grove reactie" in page
    assert "Al afgehandelde reactie" not in page
    assert page.index("Eerste grove reactie") < page.index("Tweede grove reactie")
    assert f'href="{first.get_absolute_url()}"' in page  # where it appears on the site

    everything = client.get("/admin/feedback/report/?status=all").content.decode()
    assert "Al afgehandelde reactie" in everything


def test_report_queue_query_count_does_not_grow(client, moderator, participant, topic, django_assert_num_queries):
    def fill(n):
        for _ in range(n):
            author = ParticipantFactory()
            _report(services.comment_create(author=author, topic=topic, text=f"Reactie van {author.pk}"), participant)

    fill(2)
    client.get("/admin/feedback/report/")  # the session's first request writes its start time
    with CaptureQueriesContext(connection) as small:
        client.get("/admin/feedback/report/")
    fill(10)
    # Pinned: model permissions, the topics of the filter, the page with its comments, topics and authors,
    # and the counts of the paginator (the session and the user come from the cache).
    assert len(small.captured_queries) == 7
    with django_assert_num_queries(7):
        assert client.get("/admin/feedback/report/").status_code == 200


def test_comment_detail_shows_full_text_and_hides_with_reason(client, moderator, participant, other, topic, mailoutbox):
    long_text = "Begin van een lange reactie. " + "Nog meer tekst. " * 40 + "Het einde van de reactie."
    comment = services.comment_create(author=other, topic=topic, text=long_text)
    _report(comment, participant)
    url = f"/admin/feedback/comment/{comment.pk}/change/"
    page = client.get(url).content.decode()
    assert "Het einde van de reactie." in page  # not cut at 60 or 80 characters
    assert 'name="_save"' not in page  # no "Opslaan" buttons that do nothing

    # An empty reason is refused at the field, and nothing changes.
    refused = client.post(url, {"decision": "hide", "hide-reason_code": "", "hide-reason_text": ""})
    assert refused.status_code == 200
    assert "Dit veld is verplicht." in refused.content.decode()
    comment.refresh_from_db()
    assert not comment.is_hidden

    # "Other" needs an explanation.
    refused = client.post(url, {"decision": "hide", "hide-reason_code": "other", "hide-reason_text": " "})
    assert "Leg de reden uit." in refused.content.decode()

    done = client.post(url, {"decision": "hide", "hide-reason_code": "personal_attack", "hide-reason_text": "Schelden"})
    assert done.status_code == 302
    comment.refresh_from_db()
    assert comment.is_hidden and "Schelden" in comment.hidden_reason
    assert Report.objects.get(comment=comment).resolved_by == moderator
    messages = [str(m) for m in client.get(url).context["messages"]]
    assert "1 reactie verborgen." in messages

    client.post(url, {"decision": "restore"})
    comment.refresh_from_db()
    assert not comment.is_hidden


def test_bulk_hide_shows_what_will_change_then_hides_with_plural_message(client, moderator, other, topic):
    comments = [services.comment_create(author=other, topic=topic, text=f"Reactie nummer {i}") for i in range(2)]
    ids = [c.pk for c in comments]
    step = client.post("/admin/feedback/comment/", {"action": "hide_selected", "_selected_action": ids})
    html = step.content.decode()
    assert step.status_code == 200
    assert "Wat verandert er" in html and "Reactie nummer 0" in html and "Reactie nummer 1" in html
    assert not Comment.objects.filter(is_hidden=True).exists()  # nothing happens before the confirmation

    refused = client.post(
        "/admin/feedback/comment/",
        {"action": "hide_selected", "_selected_action": ids, "confirm": "1", "hide-reason_code": ""},
    )
    assert refused.status_code == 200 and "Dit veld is verplicht." in refused.content.decode()
    assert not Comment.objects.filter(is_hidden=True).exists()

    response = client.post(
        "/admin/feedback/comment/",
        {"action": "hide_selected", "_selected_action": ids, "confirm": "1", "hide-reason_code": "spam"},
        follow=True,
    )
    assert Comment.objects.filter(pk__in=ids, is_hidden=True).count() == 2
    assert "2 reacties verborgen." in [str(m) for m in response.context["messages"]]


def test_hide_from_the_report_queue_keeps_the_reports_selected(client, moderator, participant, other, topic):
    comment = services.comment_create(author=other, topic=topic, text="Gemelde reactie")
    report = _report(comment, participant)
    step = client.post("/admin/feedback/report/", {"action": "hide_reported", "_selected_action": [report.pk]})
    assert f'value="{report.pk}"' in step.content.decode() and "Gemelde reactie" in step.content.decode()
    client.post(
        "/admin/feedback/report/",
        {"action": "hide_reported", "_selected_action": [report.pk], "confirm": "1", "hide-reason_code": "spam"},
    )
    comment.refresh_from_db()
    assert comment.is_hidden


def test_report_detail_opens_the_comment_page(client, moderator, participant, other, topic):
    comment = services.comment_create(author=other, topic=topic, text="Gemelde reactie")
    report = _report(comment, participant)
    response = client.get(f"/admin/feedback/report/{report.pk}/change/")
    assert response.status_code == 302 and response.url == f"/admin/feedback/comment/{comment.pk}/change/"


def test_proposal_queue_opens_on_waiting_and_rejects_with_required_reason(client, moderator, participant, topic):
    waiting = services.proposal_submit(author=participant, topic=topic, text="Een voorstel dat wacht")
    decided = services.proposal_submit(author=participant, topic=topic, text="Een voorstel dat al besloten is")
    moderation.proposal_approve(proposal=decided, moderator=moderator)
    page = client.get("/admin/feedback/proposal/").content.decode()
    assert "Een voorstel dat wacht" in page and "Een voorstel dat al besloten is" not in page
    assert "Een voorstel dat al besloten is" in client.get("/admin/feedback/proposal/?status=all").content.decode()

    url = f"/admin/feedback/proposal/{waiting.pk}/change/"
    refused = client.post(url, {"decision": "reject", "reject-reason": ""})
    assert "Dit veld is verplicht." in refused.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == Proposal.Status.PENDING
    client.post(url, {"decision": "reject", "reject-reason": "Staat al in advies 3"})
    waiting.refresh_from_db()
    assert waiting.status == Proposal.Status.REJECTED and waiting.moderator_note == "Staat al in advies 3"


def test_bulk_approve_asks_confirmation(client, moderator, participant, topic):
    proposals = [services.proposal_submit(author=participant, topic=topic, text=f"Voorstel {i}") for i in range(2)]
    ids = [p.pk for p in proposals]
    step = client.post("/admin/feedback/proposal/", {"action": "approve_selected", "_selected_action": ids})
    assert "Voorstel 0" in step.content.decode() and "Wat verandert er" in step.content.decode()
    assert not Proposal.objects.filter(status=Proposal.Status.APPROVED).exists()
    response = client.post(
        "/admin/feedback/proposal/",
        {"action": "approve_selected", "_selected_action": ids, "confirm": "1"},
        follow=True,
    )
    assert Proposal.objects.filter(status=Proposal.Status.APPROVED).count() == 2
    assert "2 voorstellen goedgekeurd." in [str(m) for m in response.context["messages"]]


# --- Exports -------------------------------------------------------------------------------


def _export(client, model, fmt, **extra):
    response = client.post(f"/admin/feedback/{model}/export/", {"format": fmt, "resource": "0", **extra})
    assert response.status_code == 200, response.content[:500]
    return response


def _csv_rows(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_comment_export_with_and_without_hidden_comments(client, moderator, participant, other, topic):
    services.comment_create(author=other, topic=topic, text='=HYPERLINK("http://evil")')
    hidden = services.comment_create(author=other, topic=topic, text="Verborgen reactie")
    moderation.comment_hide(comment=hidden, moderator=moderator, reason_code="spam")
    deleted = services.comment_create(author=participant, topic=topic, text="Verwijderde reactie")
    services.comment_delete(comment=deleted, author=participant)

    rows = _csv_rows(_export(client, "comment", "0"))
    text = rows[0].index("tekst")
    texts = [row[text] for row in rows[1:]]
    assert texts == ['\'=HYPERLINK("http://evil")']  # neutralised, hidden and deleted left out
    assert other.email not in "".join(",".join(row) for row in rows)  # moderators get no e-mail addresses

    rows = _csv_rows(_export(client, "comment", "0", include_hidden="on"))
    by_text = {row[text]: row for row in rows[1:]}
    assert "Verborgen reactie" in by_text and "Verwijderde reactie" not in by_text
    header = rows[0]
    assert by_text["Verborgen reactie"][header.index("verborgen door een moderator")] == "ja"


def test_exports_in_xlsx_and_e_mail_addresses_only_for_organisers_and_administrators(
    client, participant, other, topic, recommendation
):
    services.comment_create(author=other, topic=topic, text="Een reactie")
    services.vote_cast(participant=other, recommendation=recommendation, choice="agree")
    services.proposal_submit(author=other, topic=topic, text="Een voorstel")
    administrator = ModeratorFactory(is_superuser=True)
    staff_mfa_login(client, administrator)
    for model in ["comment", "vote", "proposal"]:
        response = _export(client, model, "1")
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        cells = [str(cell.value) for row in sheet.iter_rows() for cell in row]
        assert other.email in cells, model

    staff_mfa_login(client, ModeratorFactory())
    for model in ["comment", "proposal"]:  # votes are not in the moderator's role
        sheet = openpyxl.load_workbook(io.BytesIO(_export(client, model, "1").content)).active
        assert other.email not in [str(cell.value) for row in sheet.iter_rows() for cell in row], model

    # Organisers may see addresses, but the input of participants is not theirs to export.
    staff_mfa_login(client, OrganiserFactory())
    assert client.post("/admin/feedback/comment/export/", {"format": "0", "resource": "0"}).status_code == 403


@pytest.mark.parametrize(
    "url", ["/admin/feedback/comment/", "/admin/feedback/proposal/", "/admin/feedback/auditentry/"]
)
def test_list_query_counts_do_not_grow(client, moderator, participant, topic, url):
    def fill(n):
        for _ in range(n):
            author = ParticipantFactory()
            comment = services.comment_create(author=author, topic=topic, text=f"Reactie van {author.pk}")
            _report(comment, participant)
            moderation.comment_hide(comment=comment, moderator=moderator, reason_code="spam")
            services.proposal_submit(author=author, topic=topic, text=f"Voorstel van {author.pk}")

    fill(2)
    client.get("/admin/")  # the session's first request writes its start time
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    fill(10)
    with CaptureQueriesContext(connection) as large:
        changed = client.get(url)
    assert len(large.captured_queries) == len(small.captured_queries) <= 12

    # Nothing changed since: where the rows are kept (the comments), what was counted with them is kept too,
    # so neither the count nor the page's objects are read again; the page is the same.
    with CaptureQueriesContext(connection) as again:
        repeated = client.get(url)
    kept = 2 if url == "/admin/feedback/comment/" else 0
    assert len(again.captured_queries) == len(large.captured_queries) - kept
    assert _without_tokens(repeated) == _without_tokens(changed)


def _without_tokens(response):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def test_attention_runs_a_fixed_number_of_queries(moderator, participant, topic, django_assert_num_queries):
    from nmp_portal.attention import attention

    for i in range(5):
        author = ParticipantFactory()
        _report(services.comment_create(author=author, topic=topic, text=f"Reactie {i}"), participant)
        services.proposal_submit(author=author, topic=topic, text=f"Voorstel {i}")
    # Open reports, proposals and new comments per topic; the topics; the oldest reports.
    with django_assert_num_queries(5):
        result = attention()
    assert (result.open_reports, result.proposals_waiting, result.new_comments) == (5, 5, 5)
    assert [row.topic for row in result.per_topic] == [topic]


def test_comment_list_filtered_counts_open_reports_in_flat_queries(
    client, moderator, participant, other, topic, django_assert_num_queries
):
    reported = services.comment_create(author=other, topic=topic, text="Reactie met twee meldingen")
    _report(reported, participant)
    _report(reported, ParticipantFactory())
    handled = services.comment_create(author=other, topic=topic, text="Reactie met een afgehandelde melding")
    _report(handled, participant)
    moderation.reports_resolve(comment=handled, moderator=moderator, outcome=ReportOutcome.NO_ACTION)
    url = f"/admin/feedback/comment/?is_hidden__exact=0&topic__id__exact={topic.pk}"
    client.get("/admin/")  # the session's first request writes its start time
    with CaptureQueriesContext(connection) as small:
        page = client.get(url).content.decode()
    rows = {row.split("</tr>")[0] for row in page.split("<tr")[1:]}
    two = next(row for row in rows if "Reactie met twee meldingen" in row)
    none = next(row for row in rows if "afgehandelde melding" in row)
    assert 'class="field-open_reports">2<' in two and 'class="field-open_reports">0<' in none
    for i in range(60):
        services.comment_create(author=ParticipantFactory(), topic=topic, text=f"Nog een reactie {i}")
    # Pinned: MFA, model permissions (2), the topics of the filter, the page's count, the page (the session
    # and the user come from the cache).
    assert len(small.captured_queries) == 6
    with django_assert_num_queries(6):
        assert client.get(url).status_code == 200
    assert "Nog een reactie 59" in client.get(url).content.decode()  # newest first
    by_reports = client.get(f"{url}&o=-5").content.decode()  # ordered by the open reports column, most first
    first_row = by_reports.split("<tbody>")[1].split("</tr>")[0]
    assert "Reactie met twee meldingen" in first_row
