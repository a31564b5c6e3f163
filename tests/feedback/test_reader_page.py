"""The logged-in topic page from one shared copy per kind of reader: every reader still gets exactly their own page.

The shared copy is made by whichever reader comes first; the parts that are
a reader's own (positions, priorities, results unlocked by a vote, progress,
following, the invitation, the links on their own comments, form tokens) are
filled in per request. The strongest check: for readers of every kind, in
both orders, the page from the shared copy equals the page rendered for them
in full (apart from the per-request tokens).
"""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from feedback import services
from feedback.models import Comment
from tests.factories import (
    EventFactory,
    InvitationFactory,
    ModeratorFactory,
    ParticipantFactory,
    RecommendationFactory,
    publish_baseline,
)
from topics import pagecache

from .conftest import make_voters

FOLLOWED = "U volgt dit onderwerp."
TOKENS = re.compile(r'(name="(?:csrfmiddlewaretoken|token)" value=")[^"]+(")')


@pytest.fixture
def page(topic):
    recommendations = [RecommendationFactory(topic=topic, position=i) for i in range(1, 4)]
    # Enough published votes that the split shows to whoever may see results.
    make_voters(recommendations[0], {"gemeente": (3, 1, 1), "waterschap": (1, 2, 0)})
    publish_baseline()
    return topic, recommendations


@pytest.fixture
def readers(page):
    topic, (first, second, _third) = page
    voter, follower, invited, author, newcomer = (ParticipantFactory() for _ in range(5))
    services.vote_cast(participant=voter, recommendation=first, choice="agree")
    services.priority_add(participant=voter, recommendation=second)
    services.topic_follow(participant=follower, topic=topic)
    InvitationFactory(user=invited, email=invited.email, state="accepted", event=EventFactory())
    comment = services.comment_create(author=author, topic=topic, text="Graag meer meetpunten.")
    services.comment_create(author=voter, topic=topic, text="Eens, en snel.", parent=comment)
    unverified = ParticipantFactory()
    unverified.emailaddress_set.update(verified=False)
    return {
        "voter": voter,
        "follower": follower,
        "invited": invited,
        "author": author,
        "newcomer": newcomer,
        "moderator": ModeratorFactory(),
        "unverified": unverified,
    }


def _client(user):
    client = Client()
    client.force_login(user)
    client.get("/")  # the session's first request stamps its start
    return client


RELATIVE_DATE = re.compile(r"(<time[^>]*>)[^<]*")


def _normal(html):
    """Without what differs per request anyway: tokens, and "5 seconden geleden" a second later."""
    return RELATIVE_DATE.sub(r"\1", TOKENS.sub(r"\1-\2", html))


def _full(client, url):
    """The page rendered in full for this reader: nothing shared is used or kept."""
    with (
        mock.patch.object(pagecache, "_get", return_value=None),
        mock.patch.object(pagecache, "_set"),
        mock.patch.object(pagecache, "_get_own", return_value=None),
        mock.patch.object(pagecache, "_set_own"),
    ):
        return client.get(url).content.decode()


@pytest.mark.parametrize("order", ["forwards", "backwards"])
def test_every_reader_gets_the_page_rendered_for_them(page, readers, order):
    topic, _recommendations = page
    url = topic.get_absolute_url()
    people = list(readers.items())
    if order == "backwards":
        people.reverse()
    clients = {name: _client(user) for name, user in people}
    with mock.patch.object(pagecache, "_filled", wraps=pagecache._filled) as filled:
        shared = {name: clients[name].get(url).content.decode() for name, _user in people}
    # Readers of the same kind (five participants) were served from one copy.
    assert filled.call_count >= 4
    for name, _user in people:
        assert _normal(shared[name]) == _normal(_full(clients[name], url)), name


def test_my_own_state_shows_on_the_shared_copy(page, readers):
    topic, (first, second, _third) = page
    url = topic.get_absolute_url()
    _client(readers["newcomer"]).get(url)  # someone else makes the copy
    html = _client(readers["voter"]).get(url).content.decode()
    block = html.split(f'id="recommendation-{first.pk}"')[1].split("</li>")[0]
    assert 'value="agree" class="btn btn-sm vote-btn vote-btn--agree" aria-pressed="true"' in block
    assert "Uw standpunt: Eens." in block
    assert "Nog geen resultaten" not in block and "results__counts" in block  # results unlocked by the vote
    second_block = html.split(f'id="recommendation-{second.pk}"')[1].split("</li>")[0]
    assert 'name="action" value="remove"' in second_block
    assert "U heeft 1 van de 3 prioriteiten gekozen." in html
    assert "U gaf uw mening over 1 van 3 adviezen." in html
    newcomer = _client(readers["newcomer"]).get(url).content.decode()
    assert 'aria-pressed="true"' not in newcomer
    assert "U ziet de uitslag nadat u zelf uw standpunt hebt gegeven." in newcomer


def test_a_vote_shows_on_my_next_page_at_once(page, readers):
    topic, (first, _second, _third) = page
    url = topic.get_absolute_url()
    client = _client(readers["newcomer"])
    client.get(url)
    services.vote_cast(participant=readers["newcomer"], recommendation=first, choice="disagree")
    html = client.get(url).content.decode()
    assert 'value="disagree" class="btn btn-sm vote-btn vote-btn--disagree" aria-pressed="true"' in html


def test_only_the_author_gets_edit_links_and_others_the_report_link(page, readers):
    topic, _recommendations = page
    url = topic.get_absolute_url()
    comment = Comment.objects.get(author=readers["author"])
    edit, report = f"/reacties/{comment.pk}/bewerken/", f"/reacties/{comment.pk}/melden/"
    others = _client(readers["newcomer"]).get(url).content.decode()  # makes the copy
    mine = _client(readers["author"]).get(url).content.decode()
    assert edit in mine and report not in mine
    assert report in others and edit not in others
    assert report in _client(readers["follower"]).get(url).content.decode()


def test_form_tokens_are_new_on_every_visit(page, readers):
    topic, _recommendations = page
    url = topic.get_absolute_url()
    client = _client(readers["newcomer"])
    client.get(url)
    tokens = [re.findall(r'name="token" value="([^"]+)"', client.get(url).content.decode()) for _ in range(2)]
    assert tokens[0] and tokens[1] and not set(tokens[0]) & set(tokens[1])
    assert len(set(tokens[0])) == len(tokens[0])


def test_the_shared_copy_costs_a_fixed_handful_of_queries(page, readers):
    topic, _recommendations = page
    url = topic.get_absolute_url()
    _client(readers["newcomer"]).get(url)
    client = _client(readers["voter"])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    # Pinned: the reader's facts (positions, priorities, following, addresses, permissions, and their
    # invitations to the coming events, by account or address: the events are kept per worker); the user
    # comes from the cache.
    assert len(queries) == 1, [q["sql"][:80] for q in queries.captured_queries]


def test_a_waiting_message_is_shown_and_not_kept(page, readers):
    topic, _recommendations = page
    url = topic.get_absolute_url()
    client = _client(readers["newcomer"])
    client.get(url)
    response = client.post(f"/onderwerpen/{topic.slug}/volgen/", {"action": "follow", "next": url}, follow=True)
    assert FOLLOWED in response.content.decode()
    assert FOLLOWED not in client.get(url).content.decode()
    assert FOLLOWED not in _client(readers["voter"]).get(url).content.decode()


def test_a_topic_that_closes_is_not_served_from_its_open_copy(page, readers):
    topic, _recommendations = page
    url = topic.get_absolute_url()
    client = _client(readers["newcomer"])
    assert 'name="choice" value="agree"' in client.get(url).content.decode()
    type(topic).objects.filter(pk=topic.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    pagecache.bump(pagecache.CONTENT)  # as the admin and the services do on a change of dates
    html = client.get(url).content.decode()
    assert 'name="choice" value="agree"' not in html


def test_without_the_cache_the_page_is_rendered_in_full(page, readers, settings):
    topic, _recommendations = page
    settings.CACHES = {
        "default": {
            "BACKEND": "nmp_portal.cache.DegradingRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    html = _client(readers["voter"]).get(topic.get_absolute_url()).content.decode()
    assert "U heeft 1 van de 3 prioriteiten gekozen." in html


def test_a_blocked_reader_gets_their_own_notice(page, readers):
    topic, _recommendations = page
    url = topic.get_absolute_url()
    _client(readers["newcomer"]).get(url)
    blocked = ParticipantFactory(is_blocked=True, blocked_reason="Herhaalde reclame.")
    html = _client(blocked).get(url).content.decode()
    assert "Herhaalde reclame." in html
    assert 'name="choice" value="agree"' not in html


# --- A reader's own copy: their next visit while nothing changed, without a query ------------------------


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        html = client.get(url).content.decode()
    return html, len(queries)


def _kept_for(client, url):
    """Visit until the reader's own copy is kept (the first visit makes the shared copy, the next fills it)."""
    for _ in range(2):
        client.get(url)
    html, count = _queries(client, url)
    assert count == 0, "the reader's own copy was not used"
    return html


def test_my_next_visit_is_my_own_page_without_a_query(page, readers):
    topic, _recommendations = page
    url = topic.get_absolute_url()
    clients = {name: _client(user) for name, user in readers.items()}
    for name, client in clients.items():
        if name != "unverified":  # a reader who may not take part yet: the same rules, another kind
            _kept_for(client, url)
    # Every reader still gets exactly their page: never another reader's copy.
    for name, client in clients.items():
        assert _normal(client.get(url).content.decode()) == _normal(_full(client, url)), name


def test_form_tokens_and_the_csrf_token_are_new_on_an_own_copy_too(page, readers):
    topic, _recommendations = page
    url = topic.get_absolute_url()
    client = _client(readers["voter"])
    first = _kept_for(client, url)
    second = client.get(url).content.decode()
    tokens = [re.findall(r'name="token" value="([^"]+)"', html) for html in (first, second)]
    assert tokens[0] and not set(tokens[0]) & set(tokens[1])
    assert client.cookies["csrftoken"].value  # the page's CSRF inputs carry the visitor's own token
    assert "__csrf_token__" not in second and "__form_token__" not in second


def _vote(reader, first, second):
    services.vote_cast(participant=reader, recommendation=first, choice="disagree")


def _withdraw(reader, first, second):
    services.vote_withdraw(participant=reader, recommendation=first)


def _priority(reader, first, second):
    services.priority_add(participant=reader, recommendation=first)


def _no_priority(reader, first, second):
    services.priority_remove(participant=reader, recommendation=second)


def _follow(reader, first, second):
    services.topic_follow(participant=reader, topic=first.topic)


def _unfollow(reader, first, second):
    services.topic_unfollow(participant=reader, topic=first.topic)


def _address_confirmed(reader, first, second):
    address = reader.emailaddress_set.get()
    address.verified = not address.verified
    address.save()


def _made_moderator(reader, first, second):
    from participants.roles import MODERATOR, role_group

    reader.groups.add(role_group(MODERATOR))


def _role_widened(reader, first, second):
    from django.contrib.auth.models import Permission

    from participants.roles import MODERATOR, role_group

    reader.groups.add(role_group(MODERATOR))
    reader.is_staff = True
    reader.save()
    role_group(MODERATOR).permissions.remove(Permission.objects.get(codename="view_comment"))


def _invited_in_bulk(reader, first, second):
    from invitations.context_processors import forget_coming_events
    from invitations.models import Invitation

    event = EventFactory(
        starts_at=timezone.now() + timedelta(days=2), ends_at=timezone.now() + timedelta(days=2, hours=3)
    )
    Invitation.objects.bulk_create([Invitation(event=event, name="Lezer", email=reader.email, state="sent")])
    forget_coming_events()  # each worker keeps the coming events for a few seconds


def _invitation_answered(reader, first, second):
    from invitations.models import Invitation

    Invitation.objects.filter(email=reader.email).update(state="declined")


def _event_renamed(reader, first, second):
    from invitations.context_processors import forget_coming_events
    from invitations.models import Event

    event = Event.objects.get(invitations__email=reader.email)
    event.title = "Najaarsbijeenkomst (nieuwe datum)"
    event.save()
    forget_coming_events()  # each worker keeps the coming events for a few seconds


def _blocked(reader, first, second):
    from participants.services import user_block

    user_block(user=reader, moderator=ModeratorFactory(), reason="Herhaalde reclame.")


CHANGES = {
    "voter": [_vote, _withdraw, _no_priority, _role_widened],
    "newcomer": [_vote, _priority, _follow, _made_moderator, _blocked],
    "follower": [_unfollow],
    "unverified": [_address_confirmed],
    "invited": [_invitation_answered, _event_renamed, _invited_in_bulk, _address_confirmed],
}


@pytest.mark.parametrize(
    ("who", "change"), [(who, change) for who, changes in CHANGES.items() for change in changes], ids=repr
)
def test_a_change_to_what_i_see_moves_my_own_copy_on(page, readers, who, change, django_capture_on_commit_callbacks):
    """Whatever changed my part of the page (my own doing, an organiser's, a moderator's, an admin's), my
    next page is the one rendered for me in full, never my kept copy."""
    topic, (first, second, _third) = page
    url = topic.get_absolute_url()
    reader = readers[who]
    client = _client(reader)
    if who != "unverified":
        before = _kept_for(client, url)
    else:
        client.get(url)
        before = client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the copies move on once the change commits
        change(reader, first, second)
    after = client.get(url).content.decode()
    assert _normal(after) != _normal(before), "nothing visible changed: the test proves nothing"
    assert _normal(after) == _normal(_full(client, url))


def test_someone_elses_vote_leaves_my_copy_until_the_figures_move(
    page, readers, publication_by_worker, django_capture_on_commit_callbacks
):
    from feedback.results.publication import publish_pending

    topic, (first, _second, _third) = page
    url = topic.get_absolute_url()
    client = _client(readers["voter"])
    _kept_for(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        services.vote_cast(participant=readers["newcomer"], recommendation=first, choice="disagree")
    assert _queries(client, url)[1] == 0  # nothing on my page changed yet
    publish_pending()
    pagecache.bump(pagecache.results_scope(topic.slug))  # as a publication step of this topic does
    html, count = _queries(client, url)
    assert count > 0
    assert _normal(html) == _normal(_full(client, url))


def test_an_own_copy_lives_no_longer_than_the_topic_stays_open(page, readers):
    topic, _recommendations = page
    type(topic).objects.filter(pk=topic.pk).update(closes_at=timezone.now() + timedelta(seconds=20))
    pagecache.bump(pagecache.CONTENT)
    url = topic.get_absolute_url()
    client = _client(readers["voter"])
    with mock.patch.object(pagecache, "_set_own", wraps=pagecache._set_own) as kept:
        client.get(url)
        client.get(url)
    (_key, _value, ttl), _kwargs = kept.call_args
    assert 0 < ttl <= 20


def test_without_the_user_cache_no_own_copy_is_kept(page, readers):
    topic, _recommendations = page
    url = topic.get_absolute_url()
    client = _client(readers["voter"])
    with (
        mock.patch("participants.backends.cached_user", side_effect=lambda pk, load: load(pk)),
        mock.patch.object(pagecache, "_set_own") as kept,
    ):
        for _ in range(3):
            client.get(url)
    assert not kept.called
