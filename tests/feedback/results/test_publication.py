"""Votes keep the sector they were cast with; published figures move only in steps of enough people."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from feedback.models import Priority, PublishedPosition, PublishedVoter, Vote
from feedback.results import selectors
from feedback.results.publication import publish_all
from feedback.services import priority_add, vote_cast, vote_withdraw
from participants.models import SectorChange
from participants.services import profile_update, sector_confirm
from tests.factories import ModeratorFactory, ParticipantFactory, RecommendationFactory, TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rec():
    return RecommendationFactory(topic=TopicFactory())


def figures(rec, **kwargs):
    return selectors.topic_results(topic=rec.topic, visibility=selectors.ALL, **kwargs).get(rec.pk)


def test_a_vote_records_the_sector_and_role_at_the_moment_it_is_cast(rec):
    person = ParticipantFactory(sector="gemeente", participates_as="personal")
    vote = vote_cast(participant=person, recommendation=rec, choice="agree")
    priority = priority_add(participant=person, recommendation=rec)
    assert (vote.sector, vote.participates_as, vote.sector_confirmed) == ("gemeente", "personal", False)
    assert (priority.sector, priority.participates_as) == ("gemeente", "personal")


def test_changing_sector_keeps_earlier_votes_under_the_old_sector_until_voting_again(rec, settings):
    settings.SECTOR_CHANGE_MIN_DAYS = 0
    voters = [ParticipantFactory(sector="gemeente") for _ in range(3)]
    for person in voters:
        vote_cast(participant=person, recommendation=rec, choice="agree")
    hopper = voters[0]
    profile_update(user=hopper, sector="bedrijfsleven")
    result = figures(rec)
    assert result.by_sector["gemeente"].voters == 3 and result.by_sector["bedrijfsleven"].enough is False
    # Voting again (even the same position) moves the vote to the new sector.
    vote_cast(participant=hopper, recommendation=rec, choice="agree")
    assert Vote.objects.get(participant=hopper).sector == "bedrijfsleven"


def test_the_published_figures_wait_for_enough_changed_people(rec):
    people = [ParticipantFactory(sector="gemeente") for _ in range(5)]
    for person in people[:2]:
        vote_cast(participant=person, recommendation=rec, choice="agree")
    assert figures(rec).total.voters == 0  # two people: nothing is published
    vote_cast(participant=people[2], recommendation=rec, choice="agree")
    assert figures(rec).by_sector["gemeente"].agree == 3
    # One more vote and one change: two people differ from what is published, so nothing moves.
    vote_cast(participant=people[3], recommendation=rec, choice="disagree")
    vote_cast(participant=people[0], recommendation=rec, choice="neutral")
    assert (figures(rec).total.voters, figures(rec).total.agree) == (3, 3)
    # A withdrawal is the third: all three changes appear at once.
    vote_withdraw(participant=people[1], recommendation=rec)
    total = figures(rec).total
    assert (total.voters, total.agree, total.neutral, total.disagree) == (3, 1, 1, 1)


def test_sector_changes_are_limited_and_logged(rec, settings):
    settings.SECTOR_CHANGE_MIN_DAYS = 30
    person = ParticipantFactory(sector="")
    profile_update(user=person, sector="gemeente")  # choosing a first sector is not limited
    profile_update(user=person, sector="kennis")
    with pytest.raises(ValidationError) as refused:
        profile_update(user=person, sector="bewoner")
    assert "30" in str(refused.value)
    person.refresh_from_db()
    assert person.sector == "kennis"
    log = list(
        SectorChange.objects.filter(user=person).order_by("changed_at", "pk").values_list("old_sector", "new_sector")
    )
    assert log == [("", "gemeente"), ("gemeente", "kennis")]
    SectorChange.objects.filter(user=person).update(changed_at=timezone.now() - timedelta(days=31))
    profile_update(user=person, sector="bewoner")
    person.refresh_from_db()
    assert person.sector == "bewoner"


def test_the_profile_page_explains_the_limit(client, settings):
    settings.SECTOR_CHANGE_MIN_DAYS = 30
    person = ParticipantFactory(sector="gemeente", first_name="Ada", last_name="L")
    client.force_login(person)
    fields = {"first_name": "Ada", "last_name": "L", "organisation": "X", "participates_as": "organisation"}
    fields |= {"display_mode": "name_organisation", "language": "nl"}
    assert client.post("/profiel/", {**fields, "sector": "kennis"}).status_code == 302
    response = client.post("/profiel/", {**fields, "sector": "bewoner"})
    assert response.status_code == 200
    assert "U hebt uw sector minder dan 30 dagen geleden veranderd." in response.content.decode()
    person.refresh_from_db()
    assert person.sector == "kennis"


def test_confirming_a_sector_counts_votes_cast_with_it_and_a_change_clears_it(rec, settings):
    settings.SECTOR_CHANGE_MIN_DAYS = 0
    people = [ParticipantFactory(sector="gemeente") for _ in range(3)]
    for person in people:
        vote_cast(participant=person, recommendation=rec, choice="agree")
    assert figures(rec, confirmed_only=True).total.voters == 0
    moderator = ModeratorFactory()
    for person in people:
        sector_confirm(user=person, by=moderator, source=SectorChange.Source.MODERATOR)
    assert Vote.objects.filter(sector_confirmed=True).count() == 3
    assert figures(rec, confirmed_only=True).by_sector["gemeente"].voters == 3
    profile_update(user=people[0], sector="kennis")
    people[0].refresh_from_db()
    assert not people[0].sector_confirmed
    # The earlier vote stays confirmed: it was cast with the sector the organisers confirmed.
    assert Vote.objects.get(participant=people[0]).sector_confirmed


def test_only_moderators_confirm_and_an_invitation_confirms_by_itself(rec):
    person = ParticipantFactory(sector="gemeente")
    with pytest.raises(PermissionDenied):
        sector_confirm(user=person, by=ParticipantFactory(), source=SectorChange.Source.MODERATOR)
    sector_confirm(user=person, by=None, source=SectorChange.Source.INVITATION)
    person.refresh_from_db()
    assert person.sector_confirmed and person.sector_confirmed_source == "invitation"
    assert SectorChange.objects.filter(user=person, source="invitation").count() == 1
    sector_confirm(user=person, by=None, source=SectorChange.Source.INVITATION)  # twice: no second entry
    assert SectorChange.objects.filter(user=person, source="invitation").count() == 1
    with pytest.raises(ValidationError):
        sector_confirm(user=ParticipantFactory(sector=""), by=None, source=SectorChange.Source.INVITATION)


def test_api_and_pages_filter_on_confirmed_sectors(client, rec):
    people = [ParticipantFactory(sector="gemeente") for _ in range(3)] + [
        ParticipantFactory(sector="kennis") for _ in range(3)
    ]
    for person in people[:3]:
        sector_confirm(user=person, by=None, source=SectorChange.Source.INVITATION)
    for person in people:
        vote_cast(participant=person, recommendation=rec, choice="agree")
    client.force_login(people[0])
    url = f"/api/topics/{rec.topic.slug}/results/"
    everyone = client.get(url).json()[0]
    confirmed = client.get(url, {"confirmed": "1"}).json()[0]
    assert everyone["totals"]["voters"] == 6 and confirmed["totals"]["voters"] == 3
    assert confirmed["by_sector"]["kennis"]["enough_votes"] is False
    page = client.get(f"/onderwerpen/{rec.topic.slug}/resultaten/", {"confirmed": "1"})
    assert page.status_code == 200 and page.context["confirmed_only"] is True
    assert client.get(f"/onderwerpen/{rec.topic.slug}/resultaten.csv", {"confirmed": "1"}).status_code == 200


def test_account_erase_leaves_the_figures_under_the_same_rule(rec):
    from participants.services import account_delete

    people = [ParticipantFactory(sector="gemeente") for _ in range(4)]
    for person in people:
        vote_cast(participant=person, recommendation=rec, choice="agree")
        priority_add(participant=person, recommendation=rec)
    assert figures(rec).total.voters == 3  # the fourth waits for two more
    account_delete(user=people[0], remove_contributions=True)
    assert not Vote.objects.filter(participant=people[0]).exists()
    assert not Priority.objects.filter(participant=people[0]).exists()
    # One erased and one waiting vote: still two people, so the published figures stay as they were.
    assert figures(rec).total.voters == 3
    assert PublishedPosition.objects.filter(recommendation=rec).count() == 3


def _published_state():
    positions = set(
        PublishedPosition.objects.values_list("recommendation_id", "participant_id", "sector", "confirmed", "choice")
    )
    return positions, set(PublishedVoter.objects.values_list("participant_id", "sector", "confirmed"))


def test_a_vote_compares_only_the_voters_cells_and_leaves_nothing_a_full_comparison_would_step(rec):
    """``publish(participants=...)`` (every vote, priority and withdrawal) steps exactly where a full comparison would."""
    other = RecommendationFactory(topic=rec.topic)
    people = [ParticipantFactory(sector=sector) for sector in ["gemeente"] * 5 + ["kennis"] * 4]
    choices = ["agree", "neutral", "disagree"]
    for round_ in range(3):
        for i, person in enumerate(people):
            target = rec if (i + round_) % 2 else other
            vote_cast(participant=person, recommendation=target, choice=choices[(i * round_) % 3])
            if i % 4 == round_:
                vote_withdraw(participant=person, recommendation=target)
            if round_ == 1 and i % 3 == 0:
                priority_add(participant=person, recommendation=target)
            before = _published_state()
            publish_all()
            assert _published_state() == before


def test_changes_made_around_the_services_are_published_by_the_next_full_comparison(rec):
    municipalities = [ParticipantFactory(sector="gemeente") for _ in range(6)]
    researchers = [ParticipantFactory(sector="kennis") for _ in range(2)]
    for person in municipalities:
        vote_cast(participant=person, recommendation=rec, choice="agree")
    assert figures(rec).by_sector["gemeente"].agree == 6
    # Deleted by hand (the admin): no service announces it, and the next vote compares only its own cells.
    Vote.objects.filter(participant__in=municipalities[:3]).delete()
    vote_cast(participant=researchers[0], recommendation=rec, choice="agree")
    assert figures(rec).by_sector["gemeente"].agree == 6
    cache.clear()  # FULL_CHECK_INTERVAL has passed: the next vote compares every cell
    vote_cast(participant=researchers[1], recommendation=rec, choice="agree")
    assert figures(rec).by_sector["gemeente"].agree == 3
