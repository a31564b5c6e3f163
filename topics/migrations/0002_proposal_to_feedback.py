"""Proposal now lives in feedback (feedback.0004 took over its table); drop it from topics' state only."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("topics", "0001_initial"),
        ("feedback", "0004_proposal_from_topics"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="Proposal")]),
    ]
