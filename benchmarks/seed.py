"""A synthetic national consultation on top of the NMP content, for benchmarks and demos.

Deterministic: the same ``seed`` and size give the same rows (apart from
database ids and the dates, which are relative to now). Written with bulk
inserts so the national size loads in seconds on PostgreSQL.

Opinions depend on the participant's sector: for each recommendation the
generator picks a pattern (broad agreement, division between sectors, doubt),
so the results pages show consensus and division both.
"""

import contextlib
import random
import time
from dataclasses import dataclass
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from feedback.models import Choice, Comment, HideReason, Priority, Proposal, PublishedPosition, Stance, Vote
from feedback.results.publication import publish_all
from invitations.models import Event, Invitation, State
from invitations.sending import _token, token_hash
from participants.models import DisplayMode, ParticipatesAs, User
from participants.sectors import Sector
from topics.models import Recommendation, Source, Topic

# Every generated account has an address in this reserved domain (RFC 2606),
# so seeded rows can be told from real ones and no mail can ever reach a person.
DEMO_DOMAIN = "demo.nmp.invalid"
# All generated participants share this password (hashed once, not 5,000 times).
DEMO_PASSWORD = "demo-deelnemer-wachtwoord-2026"
BATCH = 2000


@dataclass(frozen=True)
class Size:
    participants: int
    votes: int
    priorities: int
    comments: int
    hot_comments: int  # top-level comments on the one very busy recommendation
    proposals: int
    invitations: int  # on the autumn session's roster and an earlier meeting's


SIZES = {
    "quick": Size(
        participants=300, votes=4_000, priorities=600, comments=600, hot_comments=60, proposals=20, invitations=300
    ),
    "national": Size(
        participants=5_000,
        votes=100_000,
        priorities=15_000,
        comments=10_000,
        hot_comments=500,
        proposals=300,
        invitations=5_000,
    ),
}

# Share of participants per sector: municipalities and businesses come in
# numbers, water authorities and knowledge institutions in handfuls.
SECTOR_WEIGHTS = {
    Sector.GEMEENTE: 22,
    Sector.BEDRIJFSLEVEN: 17,
    Sector.BEWONER: 14,
    Sector.NATUUR_MILIEU: 12,
    Sector.PROVINCIE: 8,
    Sector.RIJKSOVERHEID: 7,
    Sector.UITVOERING: 7,
    Sector.KENNIS: 6,
    Sector.WATERSCHAP: 4,
    Sector.OVERIG: 3,
}

FIRST_NAMES = ["Anne", "Bas", "Carla", "Daan", "Eva", "Fatima", "Gerrit", "Hanneke", "Ibrahim", "Joost", "Karin",
               "Lars", "Mila", "Noah", "Olga", "Pieter", "Quinten", "Roos", "Sanne", "Tim", "Ute", "Vera", "Wouter",
               "Yara", "Zeynep"]  # fmt: skip
LAST_NAMES = ["de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos",
              "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra", "Yilmaz",
              "El Amrani"]  # fmt: skip
ORGANISATIONS = {
    Sector.GEMEENTE: ["Gemeente Utrecht", "Gemeente Zwolle", "Gemeente Tilburg", "Gemeente Leeuwarden"],
    Sector.BEDRIJFSLEVEN: ["VNO-NCW", "Bouwend Nederland", "Tata Steel", "LTO Nederland"],
    Sector.BEWONER: ["", "Bewonersgroep Schone Lucht", "Buurtvereniging De Horst"],
    Sector.NATUUR_MILIEU: ["Natuur & Milieu", "Milieudefensie", "Natuurmonumenten"],
    Sector.PROVINCIE: ["Provincie Gelderland", "Provincie Noord-Brabant", "Provincie Groningen"],
    Sector.RIJKSOVERHEID: ["Ministerie van IenW", "Ministerie van LVVN", "Rijkswaterstaat"],
    Sector.UITVOERING: ["Omgevingsdienst Noordzeekanaalgebied", "Omgevingsdienst Regio Utrecht"],
    Sector.KENNIS: ["RIVM", "PBL", "Universiteit Utrecht", "TNO"],
    Sector.WATERSCHAP: ["Waterschap Vallei en Veluwe", "Hoogheemraadschap Rijnland"],
    Sector.OVERIG: ["", "Stichting Gezonde Leefomgeving"],
}

OPENINGS = ["Ik vind dit een goed advies.", "Dit gaat te ver voor onze regio.", "Eens, maar de uitvoering is lastig.",
            "Hier mist de rol van gemeenten.", "Goed dat dit genoemd wordt.", "De kosten zijn niet duidelijk.",
            "Wij zien dit al in de praktijk.", "Dit vraagt meer tijd dan nu gedacht."]  # fmt: skip
MIDDLES = ["Het bedrijfsleven moet hierbij betrokken worden.", "Kijk ook naar de gezondheid van bewoners.",
           "Zonder geld uit het Rijk lukt dit niet.", "De waterschappen kunnen hier een rol in spelen.",
           "Meten is weten: zorg voor goede monitoring.", "Dit past bij de Omgevingswet.",
           "Let op de gevolgen voor kleine bedrijven.", "Begin met een proef in een paar provincies."]  # fmt: skip
LINKS = ["Zie https://www.rivm.nl/ voor de cijfers.", "Meer op www.pbl.nl over dit onderwerp.",
         "Ons standpunt staat op https://example.org/standpunt."]  # fmt: skip
REPLIES = ["Dat zie ik anders.", "Goed punt, eens.", "Hoe zien jullie de financiering?", "Bij ons werkt dit al.",
           "Kun je een voorbeeld geven?", "Dank voor de toelichting."]  # fmt: skip
PROPOSAL_TEXTS = ["Maak een landelijk meldpunt voor geurhinder.", "Geef scholen geld voor schone lucht in klaslokalen.",
                  "Stel een norm voor ultrafijnstof rond luchthavens.", "Betrek jongeren bij de uitvoering.",
                  "Publiceer alle meetgegevens als open data."]  # fmt: skip

# Chance of agree / neutral / disagree for a sector, per opinion pattern.
SUPPORT = (0.78, 0.12, 0.10)
OPPOSE = (0.15, 0.15, 0.70)
DOUBT = (0.35, 0.40, 0.25)


class SeedRefused(Exception):
    """The database holds real participants (or earlier demo data) and --force was not given."""


@contextlib.contextmanager
def _keep_given_dates(*fields):
    """Let bulk_create store the dates we give instead of "now" (auto_now/auto_now_add)."""
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for field, _now, _add in saved:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, now, add in saved:
            field.auto_now, field.auto_now_add = now, add


def _weighted_sample(rng, items, weights, k):
    """k distinct items, more likely the heavier ones (Efraimidis-Spirakis)."""
    keyed = sorted(((rng.random() ** (1.0 / w), i) for i, w in enumerate(weights)), reverse=True)
    return [items[i] for _key, i in keyed[:k]]


def demo_users():
    return User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}")


def real_participants():
    return User.objects.exclude(email__endswith=f"@{DEMO_DOMAIN}")


# The generated meetings' slugs start with this, so they can be told from real ones.
DEMO_EVENT_PREFIX = "demo-"


def demo_events():
    return Event.objects.filter(slug__startswith=DEMO_EVENT_PREFIX)


def _clear_demo_data():
    """Remove earlier demo rows, cheapest tables first; the users' cascades remove the rest."""
    users = demo_users()
    demo_events().delete()
    Vote.objects.filter(participant__in=users).delete()
    Priority.objects.filter(participant__in=users).delete()
    Comment.objects.filter(author__in=users, parent__isnull=False).delete()
    Comment.objects.filter(author__in=users).delete()
    Recommendation.objects.filter(proposed_by__in=users).delete()
    Proposal.objects.filter(author__in=users).delete()
    users.delete()


def _stamp(user):
    """Who the participant spoke for when casting, stored on each vote and priority (see results.publication)."""
    return {"sector": user.sector, "participates_as": user.participates_as, "sector_confirmed": False}


class Generator:
    def __init__(self, *, seed, size, now=None, log=print):
        self.rng = random.Random(seed)
        self.size = SIZES[size] if isinstance(size, str) else size
        self.now = now or timezone.now()
        self.start = self.now - timedelta(days=30)
        self.log = log
        self.counts = {}

    def _when(self, after=None):
        """A moment in the consultation so far, after ``after`` if given."""
        low = after or self.start
        span = max(1.0, (self.now - low).total_seconds())
        return low + timedelta(seconds=self.rng.random() * span)

    def _step(self, name, started):
        self.log(f"  {name}: {self.counts.get(name, 0)} in {time.monotonic() - started:.1f} s")

    def run(self):
        steps = [
            self.phases,
            self.participants,
            self.proposals,
            self.votes,
            self.priorities,
            self.comments,
            self.invitations,
            self.publish,
        ]
        with transaction.atomic():
            for step in steps:
                started = time.monotonic()
                name = step()
                self._step(name, started)
        return self.counts

    # --- steps -------------------------------------------------------------------

    def phases(self):
        """All topics open for a month, except the last one, which closed yesterday (its results are public)."""
        topics = list(Topic.objects.order_by("number"))
        if not topics:
            raise SeedRefused("There are no topics: run `manage.py load_nmp_content` first.")
        for topic in topics:
            topic.opens_at = self.start
            topic.closes_at = self.now + timedelta(days=30)
        topics[-1].opens_at = self.start - timedelta(days=30)
        topics[-1].closes_at = self.now - timedelta(days=1)
        Topic.objects.bulk_update(topics, ["opens_at", "closes_at"])
        self.topics = topics
        self.counts["topics"] = len(topics)
        return "topics"

    def participants(self):
        rng = self.rng
        password = make_password(DEMO_PASSWORD)
        sectors = list(SECTOR_WEIGHTS)
        weights = list(SECTOR_WEIGHTS.values())
        users = []
        for n in range(self.size.participants):
            sector = rng.choices(sectors, weights)[0]
            personal = sector == Sector.BEWONER or rng.random() < 0.1
            joined = self._when()
            users.append(
                User(
                    email=f"deelnemer{n}@{DEMO_DOMAIN}",
                    password=password,
                    first_name=rng.choice(FIRST_NAMES),
                    last_name=rng.choice(LAST_NAMES),
                    organisation="" if personal else rng.choice(ORGANISATIONS[sector]),
                    sector=sector,
                    participates_as=ParticipatesAs.PERSONAL if personal else ParticipatesAs.ORGANISATION,
                    display_mode=DisplayMode.SECTOR_ONLY if rng.random() < 0.3 else DisplayMode.NAME_ORGANISATION,
                    privacy_accepted_at=joined,
                    date_joined=joined,
                    notify_replies=rng.random() < 0.8,
                )
            )
        self.users = User.objects.bulk_create(users, batch_size=BATCH)
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in self.users], batch_size=BATCH
        )
        self.counts["participants"] = len(self.users)
        return "participants"

    def proposals(self):
        """Proposals in every state; the approved ones became recommendations, voted on like the workshop's."""
        rng = self.rng
        open_topics = self.topics[:-1]
        next_position = dict(
            Recommendation.objects.values("topic").annotate(m=Max("position")).values_list("topic", "m")
        )
        proposals = []
        new_recommendations = []
        moderator_note = "Dit staat al in een ander advies van dit onderwerp."
        for n in range(self.size.proposals):
            topic = rng.choice(open_topics)
            author = rng.choice(self.users)
            status = rng.choices(
                [Proposal.Status.PENDING, Proposal.Status.APPROVED, Proposal.Status.REJECTED], [70, 10, 20]
            )[0]
            text = f"{rng.choice(PROPOSAL_TEXTS)} ({n + 1})"
            proposal = Proposal(
                topic=topic,
                author=author,
                text=text,
                explanation=rng.choice(MIDDLES),
                status=status,
                moderator_note=moderator_note if status == Proposal.Status.REJECTED else "",
                decided_at=self.now if status != Proposal.Status.PENDING else None,
                created_at=self._when(),
            )
            if status == Proposal.Status.APPROVED:
                next_position[topic.pk] = next_position.get(topic.pk, 0) + 1
                recommendation = Recommendation(
                    topic=topic, position=next_position[topic.pk], text=text, source=Source.PARTICIPANT,
                    proposed_by=author,
                )  # fmt: skip
                new_recommendations.append(recommendation)
                proposal.recommendation = recommendation
            proposals.append(proposal)
        Recommendation.objects.bulk_create(new_recommendations, batch_size=BATCH)
        with _keep_given_dates(Proposal._meta.get_field("created_at")):
            Proposal.objects.bulk_create(proposals, batch_size=BATCH)
        self.counts["proposals"] = len(proposals)
        self.counts["participant recommendations"] = len(new_recommendations)
        return "proposals"

    def votes(self):
        rng = self.rng
        recommendations = list(
            Recommendation.objects.filter(is_published=True, topic__in=self.topics).order_by(
                "topic__number", "position"
            )
        )
        self.recommendations = recommendations
        sectors = list(SECTOR_WEIGHTS)
        # One opinion pattern per recommendation: agreed by all, divided between sectors, or in doubt.
        opinion = {}
        for rec in recommendations:
            pattern = rng.choices(["consensus", "divided", "doubt"], [50, 35, 15])[0]
            if pattern == "consensus":
                opinion[rec.pk] = dict.fromkeys(sectors, SUPPORT)
            elif pattern == "doubt":
                opinion[rec.pk] = dict.fromkeys(sectors, DOUBT)
            else:
                against = set(rng.sample(sectors, rng.randint(3, 5)))
                opinion[rec.pk] = {s: OPPOSE if s in against else SUPPORT for s in sectors}
        # Popular recommendations get more votes; busy participants vote on many.
        popularity = [rng.uniform(0.3, 3.0) for _ in recommendations]
        activity = [rng.paretovariate(1.6) for _ in self.users]
        total_activity = sum(activity)
        target = self.size.votes
        cap = len(recommendations)
        wanted = [max(1, min(cap, round(target * a / total_activity))) for a in activity]
        # Hand out what rounding and the cap left over, one vote at a time, to those with room.
        shortfall = target - sum(wanted)
        order = list(range(len(wanted)))
        while shortfall != 0:
            rng.shuffle(order)
            for i in order:
                if shortfall > 0 and wanted[i] < cap:
                    wanted[i] += 1
                    shortfall -= 1
                elif shortfall < 0 and wanted[i] > 1:
                    wanted[i] -= 1
                    shortfall += 1
                if shortfall == 0:
                    break
        choices = [Choice.AGREE, Choice.NEUTRAL, Choice.DISAGREE]
        votes = []
        self.voted = {}
        for user, k in zip(self.users, wanted, strict=True):
            picked = _weighted_sample(rng, recommendations, popularity, k)
            self.voted[user.pk] = {}
            for rec in picked:
                choice = rng.choices(choices, opinion[rec.pk][user.sector])[0]
                when = self._when(user.date_joined)
                votes.append(
                    Vote(
                        participant=user,
                        recommendation=rec,
                        choice=choice,
                        created_at=when,
                        updated_at=when,
                        **_stamp(user),
                    )
                )
                self.voted[user.pk][rec.pk] = choice
        fields = [Vote._meta.get_field("created_at"), Vote._meta.get_field("updated_at")]
        with _keep_given_dates(*fields):
            Vote.objects.bulk_create(votes, batch_size=BATCH)
        self.counts["votes"] = len(votes)
        return "votes"

    def priorities(self):
        """Up to three dots per participant per topic, on recommendations they agreed with when they can."""
        rng = self.rng
        by_topic = {}
        for rec in self.recommendations:
            by_topic.setdefault(rec.topic_id, []).append(rec)
        priorities = []
        target = self.size.priorities
        topics_of = {}
        for user in self.users:
            voted = self.voted[user.pk]
            topics_of[user.pk] = sorted({rec.topic_id for rec in self.recommendations if rec.pk in voted})
        # Round after round every participant puts dots on one more of the topics they voted in.
        while len(priorities) < target and any(topics_of.values()):
            users = [u for u in self.users if topics_of[u.pk]]
            rng.shuffle(users)
            for user in users:
                if len(priorities) >= target:
                    break
                topic_id = topics_of[user.pk].pop(rng.randrange(len(topics_of[user.pk])))
                voted = self.voted[user.pk]
                agreed = [r for r in by_topic[topic_id] if voted.get(r.pk) == Choice.AGREE]
                pool = agreed or by_topic[topic_id]
                for rec in rng.sample(pool, min(len(pool), rng.randint(1, Priority.MAX_PER_TOPIC))):
                    if len(priorities) < target:
                        priorities.append(
                            Priority(
                                participant=user,
                                recommendation=rec,
                                topic_id=topic_id,
                                created_at=self._when(),
                                **_stamp(user),
                            )
                        )
        with _keep_given_dates(Priority._meta.get_field("created_at")):
            Priority.objects.bulk_create(priorities, batch_size=BATCH)
        self.counts["priorities"] = len(priorities)
        return "priorities"

    def invitations(self):
        """The autumn session's roster with its answers, and an earlier meeting whose open invitations expired.

        Nine in ten invitations are for the coming session (deadline in three
        weeks): delivered and unanswered ("sent"), accepted up to the capacity,
        then the waiting list, declined, a few undeliverable ("failed") and a few
        still in concept. The rest belong to a meeting whose deadline has passed:
        those who never answered are "expired". Half the invitees have an account
        (a participant), the others only an address. Every delivered invitation
        has a working personal link: its nonce and token hash are stored as the
        send service stores them (``invitations.sending``), so the link can be
        made again with the site's SECRET_KEY.
        """
        rng = self.rng
        total = self.size.invitations
        current_count = total - total // 10
        current = Event(
            slug=f"{DEMO_EVENT_PREFIX}najaarssessie",
            title="Najaarssessie NMP (demo)",
            description="Wat doen we met de adviezen? Een middag met alle sectoren.",
            starts_at=self.now + timedelta(days=30),
            ends_at=self.now + timedelta(days=30, hours=4),
            location="Jaarbeurs Utrecht",
            address="Jaarbeursplein 6, 3521 AL Utrecht",
            capacity=max(1, current_count * 3 // 10),
            rsvp_deadline=self.now + timedelta(days=21),
            open_to_participants=True,
        )
        earlier = Event(
            slug=f"{DEMO_EVENT_PREFIX}voorjaarssessie",
            title="Voorjaarssessie NMP (demo)",
            starts_at=self.now - timedelta(days=60),
            ends_at=self.now - timedelta(days=60) + timedelta(hours=4),
            location="Beatrixgebouw Utrecht",
            capacity=max(1, (total - current_count) // 2),
            rsvp_deadline=self.now - timedelta(days=67),
        )
        events = Event.objects.bulk_create([current, earlier])
        states_now = [State.SENT, State.ACCEPTED, State.DECLINED, State.FAILED, State.CONCEPT]
        weights_now = [40, 40, 15, 2, 3]
        invitations = []
        accepted = dict.fromkeys((e.slug for e in events), 0)
        accounts = rng.sample(self.users, min(len(self.users), total // 2))
        for n in range(total):
            event = events[0] if n < current_count else events[1]
            user = accounts[n] if n < len(accounts) else None
            if event is events[0]:
                state = rng.choices(states_now, weights_now)[0]
            else:
                state = rng.choices([State.ACCEPTED, State.DECLINED, State.EXPIRED], [40, 20, 40])[0]
            if state == State.ACCEPTED:
                # Beyond the capacity a "Ja" goes on the waiting list, as rsvp_answer does.
                if accepted[event.slug] >= event.capacity:
                    state = State.WAITING
                else:
                    accepted[event.slug] += 1
            sector = user.sector if user else rng.choices(list(SECTOR_WEIGHTS), list(SECTOR_WEIGHTS.values()))[0]
            queued = event.rsvp_deadline - timedelta(days=rng.randint(10, 20))
            delivered = state not in (State.CONCEPT, State.FAILED)
            answered = state in (State.ACCEPTED, State.DECLINED, State.WAITING)
            answered_at = queued + timedelta(seconds=rng.random() * 7 * 86400) if answered else None
            invitations.append(
                Invitation(
                    event=event,
                    user=user,
                    name=user.get_full_name() if user else f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    email=user.email if user else f"genodigde{n}@{DEMO_DOMAIN}",
                    organisation=user.organisation if user else rng.choice(ORGANISATIONS[sector]),
                    sector=sector,
                    language="en" if rng.random() < 0.05 else "nl",
                    state=state,
                    token_nonce=f"demo{n:06d}{rng.getrandbits(40):010x}" if delivered else "",
                    queued_at=queued if state != State.CONCEPT else None,
                    sent_at=queued + timedelta(minutes=rng.randint(1, 30)) if delivered else None,
                    failed_at=queued + timedelta(minutes=5) if state == State.FAILED else None,
                    answered_at=answered_at,
                    waiting_since=answered_at if state == State.WAITING else None,
                    needs="Rolstoeltoegankelijk, graag." if state == State.ACCEPTED and rng.random() < 0.05 else "",
                )
            )
        invitations = Invitation.objects.bulk_create(invitations, batch_size=BATCH)
        # The token is an HMAC of the id and the nonce: known only now that the rows have ids.
        linked = [i for i in invitations if i.token_nonce]
        for invitation in linked:
            invitation.token_hash = token_hash(_token(invitation))
        Invitation.objects.bulk_update(linked, ["token_hash"], batch_size=BATCH)
        self.counts["invitations"] = len(invitations)
        for state in State:
            self.counts[f"invitations {state.value}"] = sum(1 for i in invitations if i.state == state)
        return "invitations"

    def publish(self):
        """The published figures, as the hourly beat task would leave them: pages show only these."""
        publish_all()
        self.counts["published positions"] = PublishedPosition.objects.count()
        return "publish"

    def _text(self, with_link_chance=0.08):
        rng = self.rng
        parts = [rng.choice(OPENINGS), rng.choice(MIDDLES)]
        if rng.random() < 0.5:
            parts.append(rng.choice(MIDDLES))
        if rng.random() < with_link_chance:
            parts.append(rng.choice(LINKS))
        return " ".join(parts)

    def _comment(self, *, topic_id, recommendation, author, created_at, parent=None):
        rng = self.rng
        stance = ""
        if recommendation is not None and parent is None:
            choice = self.voted.get(author.pk, {}).get(recommendation.pk)
            stance = {Choice.AGREE: Stance.FOR, Choice.DISAGREE: Stance.AGAINST, Choice.NEUTRAL: Stance.NEUTRAL}.get(
                choice, rng.choice(["", Stance.FOR, Stance.AGAINST])
            )
        roll = rng.random()
        return Comment(
            topic_id=topic_id,
            recommendation=recommendation,
            parent=parent,
            author=author,
            # A deleted comment keeps no text, as after comment_delete.
            text="" if roll < 0.02 else self._text() if parent is None else rng.choice(REPLIES),
            stance=stance,
            created_at=created_at,
            is_deleted=roll < 0.02,
            deleted_at=created_at if roll < 0.02 else None,
            is_hidden=0.02 <= roll < 0.03,
            hidden_reason_code=HideReason.PERSONAL_DATA if 0.02 <= roll < 0.03 else "",
            hidden_at=created_at if 0.02 <= roll < 0.03 else None,
            is_featured=parent is None and 0.03 <= roll < 0.035,
        )

    def comments(self):
        """Threads on recommendations and in the general discussions, a third of them with replies.

        One recommendation carries ``hot_comments`` threads: the page that must
        stay fast on its last page too.
        """
        rng = self.rng
        size = self.size
        open_recommendations = [r for r in self.recommendations if r.topic_id != self.topics[-1].pk]
        hot = open_recommendations[0]
        replies_share = 0.3
        top_level_total = size.comments - round(size.comments * replies_share)
        others = max(0, top_level_total - size.hot_comments)
        popularity = [rng.uniform(0.3, 3.0) for _ in open_recommendations]
        top = []
        for n in range(size.hot_comments + others):
            author = rng.choice(self.users)
            if n < size.hot_comments:
                topic_id, rec = hot.topic_id, hot
            elif rng.random() < 0.15:
                topic_id, rec = rng.choice(self.topics).pk, None
            else:
                rec = rng.choices(open_recommendations, popularity)[0]
                topic_id = rec.topic_id
            top.append(self._comment(topic_id=topic_id, recommendation=rec, author=author, created_at=self._when()))
        fields = [Comment._meta.get_field("created_at")]
        with _keep_given_dates(*fields):
            top = Comment.objects.bulk_create(top, batch_size=BATCH)
            replies = []
            visible = [c for c in top if not (c.is_deleted or c.is_hidden)]
            for _ in range(size.comments - len(top)):
                parent = rng.choice(visible)
                replies.append(
                    self._comment(
                        topic_id=parent.topic_id,
                        recommendation=parent.recommendation,
                        author=rng.choice(self.users),
                        created_at=self._when(parent.created_at),
                        parent=parent,
                    )
                )
            Comment.objects.bulk_create(replies, batch_size=BATCH)
        self.counts["comments"] = len(top) + len(replies)
        self.counts["replies"] = len(replies)
        self.counts["busiest recommendation"] = hot.pk
        return "comments"


def seed_demo(*, seed=1, size="quick", force=False, log=print):
    """Fill the database with a synthetic consultation; returns the row counts.

    Refuses when the database has real accounts or earlier demo data, unless
    ``force``: then earlier demo data is replaced and real accounts are left
    as they are.
    """
    if not force:
        if real_participants().exists():
            raise SeedRefused(
                "This database has real accounts: seed_demo adds thousands of made-up participants. "
                "Use --force if you really mean it."
            )
        if demo_users().exists() or demo_events().exists():
            raise SeedRefused("This database already has demo data. Use --force to replace it.")
    started = time.monotonic()
    if force:
        _clear_demo_data()
    counts = Generator(seed=seed, size=size, log=log).run()
    log(f"Seeded {size} size in {time.monotonic() - started:.1f} s on {connection.vendor}.")
    return counts
