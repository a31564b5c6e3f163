"""Moving Proposal from topics to feedback keeps every row, the moderators' rights and the constraint."""

import pytest
from django.db import IntegrityError, connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("feedback", "0003_comment_token_and_reply_mail"),
    ("topics", "0001_initial"),
    ("participants", "0003_staff_groups"),
]
AFTER = [("feedback", "0004_proposal_from_topics"), ("topics", "0002_proposal_to_feedback")]


@pytest.fixture(autouse=True)
def _back_to_the_latest_state(transactional_db):
    # Browser tests flush the database (groups included) before this may run; start from what migrate makes.
    from participants.roles import roles_sync

    roles_sync()
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_existing_proposal_survives_the_move():
    old = _migrate(BEFORE)
    user = old.get_model("participants", "User").objects.create(email="a@example.org")
    topic = old.get_model("topics", "Topic").objects.create(
        number=1, slug="water", title="Water", heading="WATER", introduction="x"
    )
    proposal = old.get_model("topics", "Proposal").objects.create(
        topic=topic, author=user, text="Meer bomen", status="rejected", moderator_note="Staat er al"
    )
    moderator_rights = set(
        old.get_model("auth", "Group").objects.get(name="Moderator").permissions.values_list("codename", flat=True)
    )
    assert {"view_proposal", "change_proposal"} <= moderator_rights

    new = _migrate(AFTER)
    Proposal = new.get_model("feedback", "Proposal")
    moved = Proposal.objects.get(pk=proposal.pk)
    assert (moved.text, moved.status, moved.moderator_note, moved.topic_id, moved.author_id) == (
        "Meer bomen",
        "rejected",
        "Staat er al",
        topic.pk,
        user.pk,
    )
    assert Proposal._meta.db_table == "feedback_proposal"
    moderator = new.get_model("auth", "Group").objects.get(name="Moderator")
    assert set(
        moderator.permissions.filter(content_type__app_label="feedback", content_type__model="proposal").values_list(
            "codename", flat=True
        )
    ) == {"view_proposal", "change_proposal"}
    with pytest.raises(IntegrityError):
        Proposal.objects.create(topic_id=topic.pk, author_id=user.pk, text="x", status="maybe")


def test_the_move_can_be_undone():
    _migrate(AFTER)
    old = _migrate(BEFORE)
    Proposal = old.get_model("topics", "Proposal")
    assert Proposal._meta.db_table == "topics_proposal"
    assert not Proposal.objects.exists()


def test_text_of_comments_deleted_before_the_upgrade_is_erased():
    latest_users = ("participants", "0005_user_notify_moderation_digest")
    old = _migrate([("feedback", "0006_auditentry_append_only"), latest_users])
    user = old.get_model("participants", "User").objects.create(email="b@example.org")
    topic = old.get_model("topics", "Topic").objects.create(
        number=2, slug="lucht", title="Lucht", heading="LUCHT", introduction="x"
    )
    Comment = old.get_model("feedback", "Comment")
    gone = Comment.objects.create(topic=topic, author=user, text="Ingetrokken mening", is_deleted=True)
    kept = Comment.objects.create(topic=topic, author=user, text="Blijft staan")
    new = _migrate([("feedback", "0007_erase_deleted_comment_text"), latest_users])
    Comment = new.get_model("feedback", "Comment")
    assert Comment.objects.get(pk=gone.pk).text == ""
    assert Comment.objects.get(pk=kept.pk).text == "Blijft staan"


def test_hide_mails_kept_from_before_the_link_are_linked_only_when_exactly_one_fits():
    latest_users = ("participants", "0007_roles_see_sector_changes")
    old = _migrate([("feedback", "0012_topic_follow"), latest_users])
    User = old.get_model("participants", "User")
    author = User.objects.create(email="auteur@example.org")
    busy = User.objects.create(email="druk@example.org")
    reporter = User.objects.create(email="melder@example.org")
    topic = old.get_model("topics", "Topic").objects.create(
        number=3, slug="bodem", title="Bodem", heading="BODEM", introduction="x"
    )
    Comment = old.get_model("feedback", "Comment")
    comment_type, _created = old.get_model("contenttypes", "ContentType").objects.get_or_create(
        app_label="feedback", model="comment"
    )
    Email = old.get_model("post_office", "Email")
    DecisionMail = old.get_model("feedback", "DecisionMail")

    def hidden(user, *, mails):
        comment = Comment.objects.create(topic=topic, author=user, text="s", is_hidden=True)
        entry = old.get_model("feedback", "AuditEntry").objects.create(
            action="comment_hide", content_type=comment_type, object_id=str(comment.pk), target_repr="x"
        )
        rows = [DecisionMail.objects.create(entry=entry, recipient=user)]
        rows.append(DecisionMail.objects.create(entry=entry, recipient=reporter))
        for _ in range(mails):
            Email.objects.create(from_email="noreply@example.org", to=user.email, subject="Verborgen", message="s")
        Email.objects.create(from_email="noreply@example.org", to=reporter.email, subject="Uitkomst", message="s")
        return rows

    to_author, to_reporter = hidden(author, mails=1)
    # Two mails to the same person at that moment: which one quoted the comment is not certain.
    to_busy, _reporter = hidden(busy, mails=2)
    new = _migrate([("feedback", "0014_decisionmail_email"), latest_users])
    DecisionMail = new.get_model("feedback", "DecisionMail")
    linked = DecisionMail.objects.get(pk=to_author.pk).email
    assert author.email in linked.to and linked.subject == "Verborgen"
    assert DecisionMail.objects.get(pk=to_busy.pk).email is None
    # The reporters' mails never quote the comment: they need no link.
    assert DecisionMail.objects.get(pk=to_reporter.pk).email is None
