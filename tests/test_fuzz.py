"""Hypothesis throws random input at every public form and the JSON API.

Random unicode, huge values, numbers and lists where text is expected, and
missing fields. Whatever comes in, the answer is 2xx, 3xx or 4xx, never a
server error, and a refusal (4xx, or the form shown again with its errors)
stores nothing.
"""

import pytest
from allauth.account.models import EmailAddress
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from post_office.models import Email

from feedback.models import Comment, Priority, Proposal, Report, Vote
from participants.models import SectorChange, User
from tests.factories import ParticipantFactory, RecommendationFactory, TopicFactory

pytestmark = pytest.mark.django_db

STORED = (Comment, Proposal, Report, Vote, Priority, User, EmailAddress, Email, SectorChange)

text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)
value = st.one_of(
    text,
    st.just("x" * 200_000),  # a huge body
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.lists(text, min_size=2, max_size=3),  # the same field sent several times
    st.sampled_from(["", " ", "\x00", "null", "[]", "{}", "agree", "for", "spam", "gemeente", "nl", "1", "-1"]),
)


def form(fields):
    """Each field either missing or a random value."""
    return st.fixed_dictionaries({}, optional=dict.fromkeys(fields, value))


# (name, method, how to build the URL from the world, fields, login as participant)
ENDPOINTS = [
    (
        "comment",
        "post",
        lambda w: reverse("feedback:comment_create", args=[w["topic"].slug]),
        ["text", "recommendation", "parent", "stance", "token"],
        True,
    ),
    ("comment_edit", "post", lambda w: reverse("feedback:comment_edit", args=[w["own"].pk]), ["text"], True),
    (
        "report",
        "post",
        lambda w: reverse("feedback:comment_report", args=[w["other"].pk]),
        ["reason", "explanation"],
        True,
    ),
    (
        "proposal",
        "post",
        lambda w: reverse("feedback:proposal_create", args=[w["topic"].slug]),
        ["text", "explanation"],
        True,
    ),
    ("vote", "post", lambda w: reverse("feedback:vote", args=[w["rec"].pk]), ["choice", "next"], True),
    ("priority", "post", lambda w: reverse("feedback:priority", args=[w["rec"].pk]), ["action", "next"], True),
    (
        "profile",
        "post",
        lambda w: reverse("participants:profile"),
        [
            "first_name",
            "last_name",
            "organisation",
            "sector",
            "participates_as",
            "display_mode",
            "language",
            "notify_replies",
            "notify_updates",
        ],
        True,
    ),
    (
        "delete_account",
        "post",
        lambda w: reverse("participants:delete_account"),
        ["password", "remove_contributions"],
        True,
    ),
    (
        "signup",
        "post",
        lambda w: reverse("account_signup"),
        ["email", "password1", "password2", "first_name", "last_name", "organisation", "sector", "privacy"],
        False,
    ),
    ("login", "post", lambda w: reverse("account_login"), ["login", "password", "remember"], False),
    ("reset", "post", lambda w: reverse("account_reset_password"), ["email"], False),
    ("set_language", "post", lambda w: reverse("set_language"), ["language", "next"], False),
    ("api_topics", "get", lambda w: "/api/topics/", ["page", "format"], False),
    ("api_topic", "get", lambda w: f"/api/topics/{w['topic'].slug}/", ["format"], False),
    ("api_results", "get", lambda w: f"/api/topics/{w['topic'].slug}/results/", ["sort", "confirmed"], False),
    ("results", "get", lambda w: f"/onderwerpen/{w['topic'].slug}/resultaten/", ["sort", "confirmed"], False),
]

# What success looks like per endpoint (anything else is a refusal and must store nothing).
SUCCESS = {"vote": {200, 302}, "priority": {200, 302}, "set_language": {302}}


def _counts():
    return {model.__name__: model.objects.count() for model in STORED}


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_random_input_never_breaks_a_form_or_the_api(client, endpoint, settings):
    settings.CONTRIBUTION_RATE_LIMITS = dict.fromkeys(settings.CONTRIBUTION_RATE_LIMITS, "100000/m/user")
    name, method, url_of, fields, logged_in = endpoint

    @settings_for_hypothesis
    @given(data=form(fields), as_json=st.booleans())
    def run(data, as_json):
        with transaction.atomic():
            topic = TopicFactory()
            rec = RecommendationFactory(topic=topic)
            participant = ParticipantFactory()
            own = Comment.objects.create(topic=topic, recommendation=rec, author=participant, text="Eigen")
            other = Comment.objects.create(topic=topic, recommendation=rec, author=ParticipantFactory(), text="Ander")
            world = {"topic": topic, "rec": rec, "own": own, "other": other}
            client.logout()
            if logged_in:
                client.force_login(participant)
            before = _counts()
            headers = {"HTTP_ACCEPT": "application/json", "HTTP_X_REQUESTED_WITH": "XMLHttpRequest"} if as_json else {}
            response = getattr(client, method)(url_of(world), data, **headers)
            assert response.status_code < 500, (name, data, response.status_code)
            if method == "post" and response.status_code not in SUCCESS.get(name, {302}):
                assert _counts() == before, (name, data, response.status_code)
            transaction.set_rollback(True)

    run()


settings_for_hypothesis = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
