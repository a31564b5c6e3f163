"""Stamp existing votes and priorities with their voter's sector as it is now, and publish that state.

Before this migration the results grouped by the live profile, so the current
sector is what those votes were being counted under. The first published state
is the current one: those figures were already public (each cell is still
shown only from RESULTS_MIN_SECTOR_VOTERS voters).
"""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def forwards(apps, schema_editor):
    User = apps.get_model("participants", "User")
    Vote = apps.get_model("feedback", "Vote")
    Priority = apps.get_model("feedback", "Priority")
    PublishedPosition = apps.get_model("feedback", "PublishedPosition")
    PublishedVoter = apps.get_model("feedback", "PublishedVoter")
    for model in (Vote, Priority):
        user = User.objects.filter(pk=OuterRef("participant_id"))
        model.objects.update(
            sector=Subquery(user.values("sector")[:1]),
            participates_as=Subquery(user.values("participates_as")[:1]),
        )
    positions = {}
    for vote in Vote.objects.values("recommendation_id", "participant_id", "sector", "choice").iterator():
        key = (vote["recommendation_id"], vote["participant_id"], vote["sector"])
        positions[key] = [vote["choice"], False]
    for priority in Priority.objects.values("recommendation_id", "participant_id", "sector").iterator():
        key = (priority["recommendation_id"], priority["participant_id"], priority["sector"])
        positions.setdefault(key, ["", False])[1] = True
    PublishedPosition.objects.bulk_create(
        [
            PublishedPosition(
                recommendation_id=rec, participant_id=participant, sector=sector, choice=choice, prioritised=prio
            )
            for (rec, participant, sector), (choice, prio) in positions.items()
        ],
        batch_size=1000,
    )
    voters = (
        Vote.objects.filter(recommendation__is_published=True)
        .order_by()
        .values_list("participant_id", "sector")
        .distinct()
    )
    PublishedVoter.objects.bulk_create(
        [PublishedVoter(participant_id=p, sector=s) for p, s in voters], batch_size=1000
    )


def backwards(apps, schema_editor):
    apps.get_model("feedback", "PublishedPosition").objects.all().delete()
    apps.get_model("feedback", "PublishedVoter").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0009_stamp_sector_and_published_cells"),
        ("participants", "0006_sector_confirmed_and_changes"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
