"""The benchmark's scenarios: which requests, as whom, and how many queries each costs.

Run by ``benchmarks.bench`` inside Django with the production settings
against the seeded bench database (``python -m benchmarks.scenarios OUTDIR``).
It logs participants and a moderator in (real sessions in the database, as
after a login), builds the request lists the load generator cycles through,
sends each scenario's request once through Django's test client to check the
answer (status, logged in or not) and to count its database queries, and
writes ``OUTDIR/scenarios.json`` plus one request file per scenario.

A scenario whose page does not exist (yet) is listed as skipped with the
reason; it is never replaced by another page.
"""

import json
import os
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import django

# Logged-in scenarios rotate through this many participants' sessions.
PARTICIPANT_SESSIONS = int(os.environ.get("BENCH_SESSIONS", "200"))
CSRF_TOKEN = "b" * 32  # any 32 characters of the allowed alphabet: cookie and header must match
# In a request body: replaced by a number unique to each request sent (by wrk.lua, and by ``measure``).
UNIQUE = "__N__"


@dataclass
class Request:
    method: str
    path: str
    headers: dict = field(default_factory=dict)
    body: str = ""


@dataclass
class Scenario:
    name: str
    label: str
    kind: str = "page"  # "page", "post", "floor" or "reference" (measured, not a target)
    requests: list = field(default_factory=list)
    expect_status: int = 200
    logged_in: bool = False
    skipped: str = ""
    # A template context variable that must be non-empty in the checked answer (so an empty
    # search or a start page without its attention block does not pass for the real thing).
    nonempty: str = ""
    queries: int | None = None
    statuses: list = field(default_factory=list)


def _cookie(session_key=None):
    from django.conf import settings

    parts = [f"{settings.CSRF_COOKIE_NAME}={CSRF_TOKEN}"]
    if session_key:
        parts.append(f"{settings.SESSION_COOKIE_NAME}={session_key}")
    return "; ".join(parts)


def _login(user, *, mfa=False):
    """A session as after a login (with the code from the authenticator app when ``mfa``)."""
    from django.test import Client

    client = Client()
    client.force_login(user, backend="participants.backends.ModelBackend")
    if mfa:
        session = client.session
        session["account_authentication_methods"] = [{"method": "password", "at": 0}, {"method": "mfa", "at": 0}]
        session["account_authentication_methods_user"] = str(user.pk)
        session.save()
    return client.session.session_key


def _moderator():
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from django.contrib.auth.models import Group

    from benchmarks.seed import DEMO_DOMAIN
    from participants.models import User

    user, _created = User.objects.get_or_create(
        email=f"moderator@{DEMO_DOMAIN}", defaults={"is_staff": True, "first_name": "Mo", "last_name": "Derator"}
    )
    user.groups.add(Group.objects.get_or_create(name="Moderator")[0])
    EmailAddress.objects.get_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    Authenticator.objects.get_or_create(user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "x"}})
    return user


def _first_url(names, **kwargs):
    """The path of the first URL name that exists, or None."""
    from django.urls import NoReverseMatch, reverse

    for name in names:
        try:
            return reverse(name, kwargs=kwargs or None)
        except NoReverseMatch:
            continue
    return None


def build():
    from django.db.models import Count, Q

    from benchmarks.seed import demo_users
    from feedback.models import Comment
    from feedback.selectors import COMMENTS_PER_PAGE
    from topics.models import Phase, Recommendation, Topic

    topics = list(Topic.objects.order_by("number"))
    open_topics = [t for t in topics if t.phase == Phase.OPEN]
    closed = next(t for t in topics if t.phase == Phase.CLOSED)
    hot = (
        Recommendation.objects.filter(is_published=True)
        .annotate(threads=Count("comments", filter=Q(comments__parent__isnull=True)))
        .order_by("-threads")
        .select_related("topic")
        .first()
    )
    threads = Comment.objects.filter(recommendation=hot, parent__isnull=True).count()
    last_page = max(1, -(-threads // COMMENTS_PER_PAGE))
    topic = hot.topic
    participants = list(demo_users().exclude(is_staff=True).order_by("pk")[:PARTICIPANT_SESSIONS])
    sessions = [_login(user) for user in participants]
    moderator = _login(_moderator(), mfa=True)
    open_recommendations = list(
        Recommendation.objects.filter(topic__in=open_topics, is_published=True).values_list("pk", flat=True)
    )

    def get(path, session=None):
        return Request("GET", path, {"Cookie": _cookie(session)})

    def logged_in(path):
        return [get(path, s) for s in sessions]

    topic_url = topic.get_absolute_url()
    hot_url = f"{topic_url}adviezen/{hot.pk}/"
    choices = ["agree", "disagree", "neutral"]
    votes = [
        Request(
            "POST",
            f"/adviezen/{rec}/stem/",
            {
                "Cookie": _cookie(session),
                "X-CSRFToken": CSRF_TOKEN,
                "Accept": "application/json",
                "Content-Type": "application/x-www-form-urlencoded",
            },
            f"choice={choices[(i + j + turn) % 3]}",
        )
        # Three passes, each giving every (participant, recommendation) another position than the pass
        # before: every vote the load generator sends changes something, for the publication too.
        for turn in range(3)
        for i, session in enumerate(sessions)
        for j, rec in enumerate(open_recommendations[i % 7 :: 7])
    ]
    comments = [
        Request(
            "POST",
            f"{open_topics[i % len(open_topics)].get_absolute_url()}reacties/",
            {
                "Cookie": _cookie(session),
                "X-CSRFToken": CSRF_TOKEN,
                "Content-Type": "application/x-www-form-urlencoded",
            },
            # UNIQUE becomes a number of its own in every request (wrk.lua, ``measure``): each request writes
            # a new comment, not the repeat of one sent moments ago (which the service answers without writing).
            f"text=Reactie+{UNIQUE}+van+deelnemer+{i}+uit+de+belastingtest%3A+graag+meer+aandacht+voor+de+uitvoering.",
        )
        for i, session in enumerate(sessions)
    ]

    scenarios = [
        Scenario("floor", "robots.txt (floor)", kind="floor", requests=[get("/robots.txt")]),
        # Not a target: what any logged-in request costs before its page does anything (session, user,
        # middleware), so the logged-in scenarios can be read against it too ("× logged-in floor").
        Scenario(
            "floor_logged_in",
            "robots.txt, logged in (reference)",
            kind="reference",
            requests=logged_in("/robots.txt"),
            logged_in=True,
        ),
        Scenario("home", "home", requests=[get("/")]),
        Scenario("topic_anonymous", "open topic, anonymous", requests=[get(topic_url)]),
        Scenario("topic_logged_in", "open topic, logged in", requests=logged_in(topic_url), logged_in=True),
        Scenario("recommendation_first", f"recommendation, {threads} threads, page 1", requests=[get(hot_url)]),
        Scenario(
            "recommendation_last",
            f"recommendation, {threads} threads, page {last_page}",
            requests=[get(f"{hot_url}?page={last_page}")],
        ),
        Scenario("results_overview", "results overview", requests=[get("/resultaten/")]),
        Scenario("topic_results", "closed topic results", requests=[get(f"{closed.get_absolute_url()}resultaten/")]),
        Scenario("results_api", "results API", requests=[get(f"/api/topics/{closed.slug}/results/")]),
        Scenario("results_csv", "results CSV", requests=[get(f"{closed.get_absolute_url()}resultaten.csv")]),
    ]
    # Search: a few queries of different shapes (a common word, a rarer one, two words), cycled.
    search = _first_url(["feedback:search"])
    queries = ["lucht", "water", "stikstof", "geluid", "schone+lucht", "gezondheid"]
    scenarios.append(
        Scenario("search", "search", requests=[get(f"{search}?q={q}") for q in queries], nonempty="page_obj")
        if search
        else Scenario("search", "search", skipped="no search page on this version")
    )
    # The admin's start page: what needs a moderator's attention (nmp_portal.attention).
    scenarios.append(
        Scenario(
            "moderator_start",
            "moderator start page",
            requests=[get("/admin/", moderator)],
            logged_in=True,
            nonempty="attention",
        )
    )
    scenarios.append(
        Scenario(
            "admin_comments",
            "admin comment list, filtered",
            requests=[get(f"/admin/feedback/comment/?is_hidden__exact=0&topic__id__exact={topic.pk}", moderator)],
            logged_in=True,
        )
    )
    scenarios += _invitation_scenarios(get)
    scenarios += [
        Scenario("vote", "vote (POST, logged in)", kind="post", requests=votes, logged_in=True),
        Scenario(
            "comment", "comment (POST, logged in)", kind="post", requests=comments, logged_in=True, expect_status=302
        ),
    ]
    return scenarios


def _invitation_scenarios(get):
    """The invitee's pages: the personal link (anonymous, many invitees) and the event page (logged in).

    Seeded invitations store only the hash of their link's token; the token is made
    again from the nonce with this site's SECRET_KEY, as the reminder mail does.
    """
    from django.apps import apps
    from django.urls import reverse

    if not apps.is_installed("invitations"):
        skipped = "no invitations app on this version"
        return [
            Scenario("invitation", "invitation page (personal link)", skipped=skipped),
            Scenario("event", "event page, invitee logged in", skipped=skipped),
        ]
    from invitations.models import Event, Invitation, State
    from invitations.sending import _token

    event = Event.objects.current()
    if event is None:
        skipped = "no upcoming event in the data set"
        return [
            Scenario("invitation", "invitation page (personal link)", skipped=skipped),
            Scenario("event", "event page, invitee logged in", skipped=skipped),
        ]
    answerable = Invitation.objects.filter(
        event=event, state__in=[State.SENT, State.ACCEPTED, State.DECLINED, State.WAITING]
    ).exclude(token_nonce="")
    # Invitees without an account: the link is how they reach the page.
    links = [_token(i) for i in answerable.filter(user__isnull=True).order_by("pk")[:PARTICIPANT_SESSIONS]]
    invitees = [
        i.user
        for i in answerable.filter(user__isnull=False)
        .select_related("user")
        .order_by("pk")[: min(50, PARTICIPANT_SESSIONS)]
    ]
    sessions = [_login(user) for user in invitees]
    return [
        Scenario(
            "invitation",
            "invitation page (personal link)",
            requests=[get(f"/uitnodiging/{token}/") for token in links],
            nonempty="invitation",
        ),
        Scenario(
            "event",
            "event page, invitee logged in",
            requests=[get(reverse("invitations:event", kwargs={"slug": event.slug}), s) for s in sessions],
            logged_in=True,
            nonempty="invitation",
        ),
    ]


def measure(scenario):
    """Send the first request twice through Django (warm caches).

    The first answer is checked for its content (a cached second answer has no template context),
    the second one counts the queries of a warm request.
    """
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    sample = scenario.requests[0]
    headers = {k: v for k, v in sample.headers.items() if k not in ("Cookie", "Content-Type")}
    for part in sample.headers.get("Cookie", "").split("; "):
        name, _eq, value = part.partition("=")
        client.cookies[name] = value

    def send():
        if sample.method == "POST":
            body = sample.body.replace(UNIQUE, str(time.time_ns()))
            return client.generic(
                "POST", sample.path, body, content_type=sample.headers["Content-Type"], headers=headers
            )
        return client.get(sample.path, headers=headers)

    first = send()  # rendered (a cached page's second answer has no template context to check)
    with CaptureQueriesContext(connection) as queries:
        response = send()
    scenario.queries = len(queries)
    scenario.statuses = [response.status_code]
    problems = []
    if response.status_code != scenario.expect_status:
        problems.append(f"answered {response.status_code}, expected {scenario.expect_status}")
    if scenario.logged_in and not response.wsgi_request.user.is_authenticated:
        problems.append("the session was not accepted")
    if scenario.nonempty and not (first.context and first.context.get(scenario.nonempty)):
        problems.append(f"the page has no {scenario.nonempty}")
    return problems


def _line(request):
    """One request for the Lua script: fields separated by tabs, headers as "Name: value"."""
    fields = [request.method, request.path, request.body, *(f"{k}: {v}" for k, v in request.headers.items())]
    return "\t".join(fields)


def main(outdir):
    django.setup()
    from django.test.utils import setup_test_environment

    # Instruments template rendering, so the checks can look into the page's context; mail goes to memory.
    setup_test_environment()
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    failures = []
    scenarios = build()
    for scenario in scenarios:
        if scenario.skipped:
            continue
        failures += [f"{scenario.name}: {p}" for p in measure(scenario)]
        (outdir / f"{scenario.name}.requests").write_text("\n".join(_line(r) for r in scenario.requests) + "\n")
    summary = []
    for scenario in scenarios:
        data = asdict(scenario)
        data["request_count"] = len(data.pop("requests"))
        data["path"] = scenario.requests[0].path if scenario.requests else ""
        summary.append(data)
    (outdir / "scenarios.json").write_text(json.dumps(summary, indent=2))
    for failure in failures:
        print(f"scenario check failed: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
