"""Reads of participants' input, each in a fixed number of queries."""

from participants.rules import is_moderator, is_organiser

from .models import Vote

ALL = "all"


def results_visibility(*, user, topic):
    """Which recommendations' results ``user`` may see on ``topic``.

    Returns ``ALL`` once the topic has closed, and always for moderators and
    organisers; otherwise the set of recommendation ids the user has given a
    position on (results stay hidden until you voted, to avoid herd effects).
    One query at most.
    """
    if topic.phase == "closed" or is_moderator(user) or is_organiser(user):
        return ALL
    if not (user and user.is_authenticated):
        return frozenset()
    return frozenset(
        Vote.objects.filter(participant=user, recommendation__topic=topic).values_list("recommendation_id", flat=True)
    )


def can_see_results(visibility, recommendation_id):
    return visibility == ALL or recommendation_id in visibility
