"""Staff hide reported comments in the admin; the public sees a placeholder with the reason."""

from feedback import services
from feedback.models import Comment
from tests.auth import staff_mfa_login
from tests.factories import ModeratorFactory


def test_reports_listed_and_hide_action_with_reason(client, participant, other, recommendation, topic):
    comment = services.comment_create(author=other, topic=topic, text="<img src=x onerror=alert(1)> schelden")
    reply = services.comment_create(author=participant, topic=topic, parent=comment, text="Dat vind ik niet netjes")
    services.report_create(comment=comment, reporter=participant, reason="offensive", explanation="Grof")
    moderator = ModeratorFactory(is_superuser=True)
    staff_mfa_login(client, moderator)
    listing = client.get("/admin/feedback/report/").content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt;" in listing and "<img src=x" not in listing

    # Step 1 asks for the reason; step 2 hides through the service.
    step = client.post("/admin/feedback/comment/", {"action": "hide_comments", "_selected_action": [comment.pk]})
    assert step.status_code == 200 and "Reden" in step.content.decode()
    client.post(
        "/admin/feedback/comment/",
        {
            "action": "hide_comments",
            "_selected_action": [comment.pk],
            "reason_code": "other",
            "reason_text": "Beledigend taalgebruik",
        },
    )
    comment.refresh_from_db()
    assert comment.is_hidden and comment.hidden_by == moderator
    client.logout()
    page = client.get(topic.get_absolute_url()).content.decode()
    assert "verborgen door een moderator." in page and "Beledigend taalgebruik" in page
    assert "schelden" not in page
    assert reply.text in page
    assert Comment.objects.get(pk=comment.pk).reports.get().resolved_by == moderator
