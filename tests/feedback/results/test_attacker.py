"""An attacker with one ordinary account reads the results after every step of random activity.

Random voters in random sectors vote, change and withdraw votes, add and take
away priorities, hop between sectors (with the change limit switched off, the
worst case) and get their sector confirmed. After every step the attacker reads
the API twice (everybody, ``?confirmed=1``) and the participation figures, and
works out every cell (recommendation x sector x confirmed) by subtraction:
confirmed cell = confirmed view; unconfirmed cell = everybody minus confirmed;
no-sector cell = total minus the sectors shown. The test then checks, against
the true history it keeps itself:

- within one reading, every cell the attacker can work out holds no one or at
  least ``K`` voters (no subtraction between sectors or views isolates fewer);
- each published cell is the true state of that cell at some earlier step
  (nothing made up, and sector hopping after the vote moves nothing);
- between two readings, a cell whose figures changed differs in at least ``K``
  people's positions from the previous published state of that cell, so the
  difference between readings never covers fewer than ``K`` people;
- participation per sector obeys the same two rules.

Out of scope, as for any threshold: one person controlling ``K - 1`` accounts.
"""

from collections import defaultdict

import pytest
from django.core.cache import cache
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedback.models import PublishedPosition, PublishedVoter
from feedback.results import selectors
from feedback.services import priority_add, priority_remove, vote_cast, vote_withdraw
from participants.models import SectorChange
from participants.services import profile_update, sector_confirm
from tests.factories import ParticipantFactory, RecommendationFactory, TopicFactory

pytestmark = pytest.mark.django_db

K = 3
SECTORS = ["gemeente", "bedrijfsleven", ""]
CHOICES = ["agree", "neutral", "disagree"]
PEOPLE = 7
RECS = 2
FIELDS = ("voters", "agree", "neutral", "disagree", "priority")

step = st.one_of(
    st.tuples(st.just("vote"), st.integers(0, PEOPLE - 1), st.integers(0, RECS - 1), st.sampled_from(CHOICES)),
    st.tuples(st.just("withdraw"), st.integers(0, PEOPLE - 1), st.integers(0, RECS - 1)),
    st.tuples(st.just("priority"), st.integers(0, PEOPLE - 1), st.integers(0, RECS - 1)),
    st.tuples(st.just("unpriority"), st.integers(0, PEOPLE - 1), st.integers(0, RECS - 1)),
    st.tuples(st.just("sector"), st.integers(0, PEOPLE - 1), st.sampled_from(SECTORS)),
    st.tuples(st.just("confirm"), st.integers(0, PEOPLE - 1)),
)


def _tuple(group):
    if group is None or not group.get("enough_votes", True) or group.get("voters") is None:
        return (0,) * len(FIELDS)
    return tuple(group[f] or 0 for f in FIELDS)


def _minus(a, b):
    return tuple(x - y for x, y in zip(a, b, strict=True))


def _attacker_cells(everyone, confirmed):
    """{(rec id, sector, confirmed): figures} as the attacker works them out from the two API readings."""
    cells = {}
    for item_all, item_conf in zip(everyone, confirmed, strict=True):
        rec_id = item_all["id"]
        shown_all = (0,) * len(FIELDS)
        for sector in SECTORS[:-1]:
            total = _tuple(item_all["by_sector"][sector])
            conf = _tuple(item_conf["by_sector"][sector])
            cells[(rec_id, sector, True)] = conf
            cells[(rec_id, sector, False)] = _minus(total, conf)
            shown_all = tuple(x + y for x, y in zip(shown_all, total, strict=True))
        totals_all = tuple(item_all["totals"][f] or 0 for f in FIELDS)
        totals_conf = tuple(item_conf["totals"][f] or 0 for f in FIELDS)
        shown_conf = tuple(sum(cells[(rec_id, s, True)][i] for s in SECTORS[:-1]) for i in range(len(FIELDS)))
        cells[(rec_id, "", False)] = _minus(totals_all, shown_all)
        cells[(rec_id, "", True)] = _minus(totals_conf, shown_conf)
    return cells


def _figures(state):
    """The figures of one cell's state {person: (choice, prioritised)}."""
    voters = [c for c, _p in state.values() if c]
    if len(voters) < K:
        return (0,) * len(FIELDS)
    return (len(voters), *(voters.count(c) for c in CHOICES), sum(1 for _c, p in state.values() if p))


def _differ(a, b):
    return {p for p in a.keys() | b.keys() if a.get(p) != b.get(p)}


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=st.lists(step, min_size=1, max_size=18),
    sectors=st.lists(st.sampled_from(SECTORS), min_size=PEOPLE, max_size=PEOPLE),
)
def test_no_subtraction_isolates_fewer_than_the_threshold(client, settings, steps, sectors):
    settings.RESULTS_MIN_SECTOR_VOTERS = K
    settings.SECTOR_CHANGE_MIN_DAYS = 0
    with transaction.atomic():
        _play(client, steps, sectors)
        transaction.set_rollback(True)


def _play(client, steps, sectors):
    # Each example starts on a fresh site: its database is rolled back afterwards (and SQLite hands
    # out the same ids again), so the cache (results figures under the content generation) starts empty too.
    cache.clear()
    topic = TopicFactory()
    recs = [RecommendationFactory(topic=topic, position=i + 1) for i in range(RECS)]
    people = [ParticipantFactory(sector=s) for s in sectors]
    # Alone in their sector, the attacker's own votes never reach a published figure.
    attacker = ParticipantFactory(sector="overig")
    for rec in recs:
        vote_cast(participant=attacker, recommendation=rec, choice="neutral")  # so the results show while open
    client.force_login(attacker)

    profile = {i: [s, False] for i, s in enumerate(sectors)}
    votes, prios = {}, {}  # (person, rec) -> (sector, confirmed, choice) / (sector, confirmed)
    history = []  # per step: {cell: {person: (choice, prioritised)}}
    last_state = {}  # cell -> the published state behind the figures the attacker saw last
    last_seen = {}  # cell -> those figures
    member_history, last_members = [], {}  # participation: who counts per (sector, confirmed)

    def truth():
        cells = defaultdict(dict)
        for (p, r), (sector, conf, choice) in votes.items():
            cells[(recs[r].pk, sector, conf)][p] = (choice, False)
        for (p, r), (sector, conf) in prios.items():
            choice = cells[(recs[r].pk, sector, conf)].get(p, ("", False))[0]
            cells[(recs[r].pk, sector, conf)][p] = (choice, True)
        return cells

    for action in [("start",), *steps]:
        kind, person = action[0], (people[action[1]] if len(action) > 1 else None)
        if kind == "vote":
            r, choice = action[2], action[3]
            vote_cast(participant=person, recommendation=recs[r], choice=choice)
            votes[(action[1], r)] = (*profile[action[1]], choice)
        elif kind == "withdraw":
            vote_withdraw(participant=person, recommendation=recs[action[2]])
            votes.pop((action[1], action[2]), None)
        elif kind == "priority":
            priority_add(participant=person, recommendation=recs[action[2]])
            prios.setdefault((action[1], action[2]), tuple(profile[action[1]]))
        elif kind == "unpriority":
            priority_remove(participant=person, recommendation=recs[action[2]])
            prios.pop((action[1], action[2]), None)
        elif kind == "sector":
            person.refresh_from_db()
            profile_update(user=person, sector=action[2])
            if profile[action[1]][0] != action[2]:
                profile[action[1]] = [action[2], False]
        elif kind == "confirm":
            person.refresh_from_db()
            if profile[action[1]][0]:
                sector_confirm(user=person, by=None, source=SectorChange.Source.INVITATION)
                sector = profile[action[1]][0]
                profile[action[1]][1] = True
                for key, value in list(votes.items()):
                    if key[0] == action[1] and value[0] == sector:
                        votes[key] = (sector, True, value[2])
                for key, value in list(prios.items()):
                    if key[0] == action[1] and value[0] == sector:
                        prios[key] = (sector, True)
        history.append(truth())

        url = f"/api/topics/{topic.slug}/results/"
        seen = _attacker_cells(client.get(url).json(), client.get(url, {"confirmed": "1"}).json())
        now = len(history) - 1
        by_pk = {people[i].pk: i for i in range(PEOPLE)}
        for cell, figures in seen.items():
            # Between sectors and views: what subtraction yields holds no one or at least K voters.
            assert figures[0] == 0 or figures[0] >= K, (cell, figures)
            assert min(figures) >= 0, (cell, figures)
            # The implementation's record of what it published for this cell ...
            published = {
                by_pk[p.participant_id]: (p.choice, p.prioritised)
                for p in PublishedPosition.objects.filter(recommendation_id=cell[0], sector=cell[1], confirmed=cell[2])
            }
            # ... is a true past state of the cell, and it is exactly what the attacker reads.
            matches = [i for i in range(now + 1) if history[i].get(cell, {}) == published]
            assert matches, (cell, published)
            assert figures == _figures(published), (cell, figures, published)
            # Between readings: a change covers at least K people.
            if cell in last_seen and last_seen[cell] != figures:
                assert len(_differ(last_state[cell], published)) >= K, (cell, last_state[cell], published)
            if last_seen.get(cell) != figures:
                last_state[cell] = published
            last_seen[cell] = figures

        overview = selectors.overview_results(user=attacker)
        shown = {g.code: g.voters for g in overview.participation if g.enough}
        assert all(n >= K for n in shown.values())
        assert overview.participants_total - sum(shown.values()) in (0, *range(K, PEOPLE + 2))
        live_members = defaultdict(set)
        for (p, _r), (sector, conf, _choice) in votes.items():
            live_members[(sector, conf)].add(p)
        member_history.append(live_members)
        for cell in {*live_members, *last_members}:
            members = {
                by_pk[pk]
                for pk in PublishedVoter.objects.filter(sector=cell[0], confirmed=cell[1])
                .exclude(participant=attacker)
                .values_list("participant_id", flat=True)
            }
            assert any(h.get(cell, set()) == members for h in member_history), (cell, members)
            before = last_members.get(cell, set())
            assert members == before or len(members ^ before) >= K, (cell, before, members)
            last_members[cell] = members
