import factory
from allauth.account.models import EmailAddress
from django.utils import timezone
from factory.django import DjangoModelFactory

from participants.models import User
from participants.roles import MODERATOR, ORGANISER, role_group
from topics.models import Consideration, Recommendation, Source, Topic


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"deelnemer{n}@example.org")
    first_name = "Anne"
    last_name = factory.Sequence(lambda n: f"de Vries {n}")
    password = factory.django.Password("een-lang-wachtwoord-2026")


class ParticipantFactory(UserFactory):
    """A participant who can contribute: verified e-mail, organisation, sector."""

    organisation = factory.Sequence(lambda n: f"Organisatie {n}")
    sector = "gemeente"
    privacy_accepted_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class ModeratorFactory(ParticipantFactory):
    is_staff = True

    @factory.post_generation
    def groups(obj, create, extracted, **kwargs):
        if create:
            obj.groups.add(role_group(MODERATOR))


class OrganiserFactory(ParticipantFactory):
    is_staff = True

    @factory.post_generation
    def groups(obj, create, extracted, **kwargs):
        if create:
            obj.groups.add(role_group(ORGANISER))


def _free_topic_number():
    """The lowest topic number (1-10) not in the database yet, so a factory topic never takes a loaded one's."""
    taken = set(Topic.objects.values_list("number", flat=True))
    free = [number for number in range(1, 11) if number not in taken]
    if not free:
        raise ValueError("All ten topic numbers are taken; reuse a topic instead of making an eleventh.")
    return free[0]


class TopicFactory(DjangoModelFactory):
    class Meta:
        model = Topic

    number = factory.LazyFunction(_free_topic_number)
    slug = factory.Sequence(lambda n: f"onderwerp-{n}")
    title = factory.Sequence(lambda n: f"Onderwerp {n}")
    heading = factory.LazyAttribute(lambda o: o.title.upper())
    introduction = "Een inleiding op het onderwerp."
    question = "Wat vindt u ervan?"
    ordering = factory.LazyAttribute(lambda o: o.number)


class _ItemFactory(DjangoModelFactory):
    """A workshop item of a topic: a consideration or a recommendation."""

    class Meta:
        abstract = True

    topic = factory.SubFactory(TopicFactory)
    position = factory.Sequence(lambda n: n + 1)
    source = Source.WORKSHOP


class ConsiderationFactory(_ItemFactory):
    class Meta:
        model = Consideration

    text = factory.Sequence(lambda n: f"Overweging {n}")


class RecommendationFactory(_ItemFactory):
    class Meta:
        model = Recommendation

    text = factory.Sequence(lambda n: f"Advies {n}")


class EventFactory(DjangoModelFactory):
    class Meta:
        model = "invitations.Event"

    slug = factory.Sequence(lambda n: f"najaarsbijeenkomst-{n}")
    title = factory.Sequence(lambda n: f"Najaarsbijeenkomst {n}")
    description = "We bespreken de adviezen van 26 juni."
    starts_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=30))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timezone.timedelta(hours=4))
    rsvp_deadline = factory.LazyAttribute(lambda o: o.starts_at - timezone.timedelta(days=7))
    location = "Ministerie van IenW"
    address = "Rijnstraat 8, Den Haag"
    accessibility = "Drempelvrij, ringleiding in de zaal."
    capacity = 60


class InvitationFactory(DjangoModelFactory):
    class Meta:
        model = "invitations.Invitation"

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Jan Jansen {n}")
    email = factory.Sequence(lambda n: f"genodigde{n}@example.org")
    organisation = "Gemeente Utrecht"
    sector = "gemeente"
    language = "nl"


def publish_baseline():
    """Stamp votes and priorities made directly in tests with their voter's sector, and publish them all.

    Does what the migration that introduced the published cells did for existing
    data: the live state becomes the published one at once. Tests of the rule
    that publication waits for enough changed people use the services instead.
    """
    from django.db.models import OuterRef, Subquery

    from feedback.models import Priority, Vote
    from feedback.results.publication import publish_all

    for model in (Vote, Priority):
        user = User.objects.filter(pk=OuterRef("participant_id"))
        model.objects.filter(sector="").update(
            sector=Subquery(user.values("sector")[:1]),
            participates_as=Subquery(user.values("participates_as")[:1]),
        )
    publish_all(minimum=1)


def votes_by_sector(recommendation, spec, prefix):
    """Votes on ``recommendation`` from new people, published: ``spec`` maps a sector to (agree, neutral,
    disagree) counts; ``prefix`` keeps their e-mail addresses apart from other calls'."""
    from feedback.models import Vote

    users = User.objects.bulk_create(
        [
            User(email=f"{prefix}-{sector}-{choice}-{i}@example.org", sector=sector)
            for sector, counts in spec.items()
            for choice, n in zip(("agree", "neutral", "disagree"), counts, strict=True)
            for i in range(n)
        ]
    )
    Vote.objects.bulk_create(
        [Vote(participant=u, recommendation=recommendation, choice=u.email.split("-")[2]) for u in users]
    )
    publish_baseline()


SIGNUP_PASSWORD = "een-heel-lang-wachtwoord-77"


def signup_form(**changes):
    """A complete, valid sign-up form for a new participant (nieuw@example.org), with ``changes`` applied."""
    return {
        "email": "nieuw@example.org",
        "first_name": "Fatima",
        "last_name": "El Amrani",
        "organisation": "Provincie Utrecht",
        "sector": "provincie",
        "participates_as": "organisation",
        "display_mode": "name_organisation",
        "password1": SIGNUP_PASSWORD,
        "password2": SIGNUP_PASSWORD,
        "privacy": "on",
        **changes,
    }
