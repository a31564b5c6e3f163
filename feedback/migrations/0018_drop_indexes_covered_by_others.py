"""Drop three single-column indexes that others already cover (each one less is one write less per new row).

``feedback_vote``: ``participant_id`` leads the one-per-participant unique constraint and ``recommendation_id``
the (recommendation, choice) index. ``feedback_priority``: ``participant_id`` leads its unique constraint and
the (participant, topic) index. Only the indexes go: Django's own AlterField would also drop and re-create the
foreign keys, which checks every row again under a lock.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

COVERED = [
    ("feedback_vote", "feedback_vote_participant_id_c3845a17", "participant_id"),
    ("feedback_vote", "feedback_vote_recommendation_id_b614fe92", "recommendation_id"),
    ("feedback_priority", "feedback_priority_participant_id_0a129b45", "participant_id"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0017_moderation_queue_indexes"),
        ("topics", "0003_textrevision"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{index}"',
                    reverse_sql=f'CREATE INDEX IF NOT EXISTS "{index}" ON "{table}" ("{column}")',
                )
                for table, index, column in COVERED
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="priority",
                    name="participant",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="priorities",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="participant",
                    ),
                ),
                migrations.AlterField(
                    model_name="vote",
                    name="participant",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="votes",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="participant",
                    ),
                ),
                migrations.AlterField(
                    model_name="vote",
                    name="recommendation",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="votes",
                        to="topics.recommendation",
                        verbose_name="recommendation",
                    ),
                ),
            ],
        )
    ]
