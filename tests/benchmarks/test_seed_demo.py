import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from benchmarks.seed import DEMO_DOMAIN, SIZES
from feedback.models import Choice, Comment, Priority, Proposal, Vote
from participants.models import User
from tests.factories import ParticipantFactory
from topics.models import Phase, Topic


def _seed(**options):
    call_command("seed_demo", "--size", "quick", verbosity=0, **options)


def _fingerprint():
    """What a participant would see of the data, independent of database ids."""
    votes = sorted(Vote.objects.values_list("participant__email", "recommendation__topic__number",
                                            "recommendation__position", "choice"))  # fmt: skip
    comments = sorted(
        (email, text, parent or "", hidden)
        for email, text, parent, hidden in Comment.objects.values_list(
            "author__email", "text", "parent__text", "is_hidden"
        )
    )
    return votes, comments


@pytest.mark.django_db
def test_quick_size_builds_a_consultation_with_the_promised_counts(nmp_content):
    _seed(seed=4)
    size = SIZES["quick"]
    assert User.objects.filter(email__endswith=DEMO_DOMAIN).count() == size.participants
    assert Vote.objects.count() == size.votes
    assert Priority.objects.count() == size.priorities
    assert Comment.objects.count() == size.comments
    assert Proposal.objects.count() == size.proposals
    # At most three priorities per participant per topic, as the service allows.
    assert not Priority.objects.values("participant", "topic").annotate(n=Count("pk")).filter(n__gt=3).exists()
    # One busy recommendation whose discussion spans several pages.
    busiest = Comment.objects.filter(parent__isnull=True).values("recommendation").annotate(n=Count("pk"))
    assert max(row["n"] for row in busiest) >= size.hot_comments
    # Replies sit in the discussion of their thread.
    replies = Comment.objects.filter(parent__isnull=False).select_related("parent")
    assert all(r.recommendation_id == r.parent.recommendation_id for r in replies)
    # Every sector took part, and the last topic is closed so its results are public.
    assert User.objects.values("sector").distinct().count() == 10
    assert [t.phase for t in Topic.objects.order_by("number")][-1] == Phase.CLOSED
    assert Topic.objects.filter(closes_at__gt=Topic.objects.order_by("-number")[0].closes_at).count() == 9


@pytest.mark.django_db
def test_opinions_show_both_consensus_and_division(nmp_content):
    _seed(seed=4)
    shares = []
    for rec_id in Vote.objects.values_list("recommendation", flat=True).distinct():
        votes = Vote.objects.filter(recommendation=rec_id)
        total = votes.count()
        if total >= 40:
            shares.append(votes.filter(choice=Choice.AGREE).count() / total)
    assert max(shares) > 0.7
    assert min(shares) < 0.55


@pytest.mark.django_db
def test_same_seed_gives_the_same_data_and_another_seed_does_not(nmp_content):
    _seed(seed=7)
    first = _fingerprint()
    _seed(seed=7, force=True)
    assert _fingerprint() == first
    _seed(seed=8, force=True)
    assert _fingerprint() != first


@pytest.mark.django_db
def test_refuses_a_database_with_real_participants_unless_forced(nmp_content):
    real = ParticipantFactory()
    Vote.objects.create(participant=real, recommendation=nmp_content[0].recommendations.first(), choice="agree")
    with pytest.raises(CommandError, match="real accounts"):
        _seed()
    assert not User.objects.filter(email__endswith=DEMO_DOMAIN).exists()
    _seed(force=True)
    assert User.objects.filter(email__endswith=DEMO_DOMAIN).count() == SIZES["quick"].participants
    # The real participant and their vote are left alone.
    assert Vote.objects.filter(participant=real).count() == 1


@pytest.mark.django_db
def test_refuses_to_seed_twice_without_force(nmp_content):
    _seed()
    with pytest.raises(CommandError, match="already has demo data"):
        _seed()


@pytest.mark.django_db
def test_needs_the_nmp_content_first():
    with pytest.raises(CommandError, match="load_nmp_content"):
        _seed()


@pytest.mark.django_db
def test_invitations_in_every_state_with_working_links(nmp_content):
    from invitations.models import Event, Invitation, State
    from invitations.sending import _token
    from invitations.services import invitation_by_token

    _seed(seed=3)
    size = SIZES["quick"]
    assert Invitation.objects.count() == size.invitations
    states = set(Invitation.objects.values_list("state", flat=True))
    assert {State.SENT, State.ACCEPTED, State.DECLINED, State.WAITING, State.EXPIRED} <= states
    coming = Event.objects.current()
    # Accepted up to the capacity, the rest of the "Ja" on the waiting list.
    assert Invitation.objects.filter(event=coming, state=State.ACCEPTED).count() == coming.capacity
    assert Invitation.objects.filter(event=coming, state=State.WAITING).exists()
    # Open invitations of the meeting whose deadline passed have expired; none of the coming one has.
    assert not Invitation.objects.filter(event=coming, state=State.EXPIRED).exists()
    # The personal link of a delivered invitation opens it, as after the send service.
    delivered = Invitation.objects.filter(event=coming, state=State.SENT).first()
    assert invitation_by_token(_token(delivered)) == delivered
    # Half the invitees are participants with an account.
    assert Invitation.objects.filter(user__isnull=False).count() == size.invitations // 2


@pytest.mark.django_db
def test_invitations_are_deterministic_and_replaced_with_force(nmp_content):
    from invitations.models import Invitation

    def fingerprint():
        return sorted(Invitation.objects.values_list("event__slug", "email", "name", "state", "token_nonce"))

    _seed(seed=5)
    first = fingerprint()
    _seed(seed=5, force=True)
    assert fingerprint() == first
    _seed(seed=6, force=True)
    assert fingerprint() != first
