"""Move Proposal from topics to feedback without touching its rows.

The model joins feedback in the migration state on the existing table, then
the table and its check constraint get feedback's names, and the content type
follows, so the moderators' permissions and the admin log stay attached.
topics.0002 drops the old model from the state only.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def content_type_to_feedback(apps, schema_editor):
    _move_content_type(apps, old="topics", new="feedback")


def content_type_to_topics(apps, schema_editor):
    _move_content_type(apps, old="feedback", new="topics")


def _move_content_type(apps, *, old, new):
    ContentType = apps.get_model("contenttypes", "ContentType")
    moving = ContentType.objects.filter(app_label=old, model="proposal").first()
    if moving is None:
        return
    # A content type under the new label can only come from a post_migrate run
    # in between; its permissions were never granted, the old ones were.
    ContentType.objects.filter(app_label=new, model="proposal").delete()
    moving.app_label = new
    moving.save(update_fields=["app_label"])


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0003_comment_token_and_reply_mail"),
        ("topics", "0001_initial"),
        ("participants", "0003_staff_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Proposal",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("text", models.TextField(max_length=600, verbose_name="recommendation")),
                        ("explanation", models.TextField(blank=True, max_length=2000, verbose_name="explanation")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("pending", "Waiting for review"),
                                    ("approved", "Approved"),
                                    ("rejected", "Not approved"),
                                ],
                                default="pending",
                                max_length=20,
                                verbose_name="status",
                            ),
                        ),
                        ("moderator_note", models.TextField(blank=True, verbose_name="reason (shown to the proposer)")),
                        ("decided_at", models.DateTimeField(blank=True, null=True, verbose_name="decided at")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                        (
                            "author",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="proposals",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="author",
                            ),
                        ),
                        (
                            "decided_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="decided by",
                            ),
                        ),
                        (
                            "recommendation",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="proposal",
                                to="topics.recommendation",
                                verbose_name="published as",
                            ),
                        ),
                        (
                            "topic",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="proposals",
                                to="topics.topic",
                                verbose_name="topic",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "proposal",
                        "verbose_name_plural": "proposals",
                        "ordering": ["-created_at"],
                        "db_table": "topics_proposal",
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("status__in", ["pending", "approved", "rejected"])),
                                name="topics_proposal_status_valid",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="proposal", table=None),
        migrations.RemoveConstraint(model_name="proposal", name="topics_proposal_status_valid"),
        migrations.AddConstraint(
            model_name="proposal",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["pending", "approved", "rejected"])),
                name="feedback_proposal_status_valid",
            ),
        ),
        migrations.RunPython(content_type_to_feedback, content_type_to_topics),
    ]
