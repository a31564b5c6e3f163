"""Every URL the resolver knows, for every kind of visitor, GET and POST.

The URL list is walked from ``get_resolver()``, so a new view is tested the
moment it is added:

- a staff page (one that moderators with the second factor can open and
  participants cannot) must be wrapped in ``participants.decorators.staff_view``;
- every staff page answers each role as the one table ``STAFF_EXPECTED`` says,
  for GET and POST: without the second factor in this session, staff are refused;
- no URL answers any visitor with a server error;
- in the admin, staff without the second factor are refused on every page.
"""

import contextlib
import re

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from feedback.models import Comment
from tests.auth import staff_mfa_login
from tests.factories import (
    ModeratorFactory,
    OrganiserFactory,
    ParticipantFactory,
    RecommendationFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "unverified",
    "participant",
    "author",
    "other_participant",
    "blocked",
    "moderator",
    "moderator_2fa",
    "organiser",
    "organiser_2fa",
]

# Staff pages, per role: the status for GET and for POST. "ok" is any answer
# that is not a refusal (2xx, a redirect within the staff pages, or 404 for an
# unknown workbook id); refusals are exact.
STAFF_EXPECTED = {
    "anonymous": (302, 302),
    "unverified": (403, 403),
    "participant": (403, 403),
    "author": (403, 403),
    "other_participant": (403, 403),
    "blocked": (403, 403),
    "moderator": (403, 403),
    "moderator_2fa": ("ok", "ok"),
    "organiser": (403, 403),
    "organiser_2fa": ("ok", "ok"),
}

# Staff pages that only take POST: GET is 405 for everybody (the method is checked first).
POST_ONLY = {"results:briefing-workbook"}


def _walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = ":".join(filter(None, [namespace, pattern.namespace])) or None
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), namespace, pattern.name, pattern.callback


def _all_patterns():
    return list(_walk(get_resolver().url_patterns))


@pytest.fixture
def world():
    topic = TopicFactory()
    recommendation = RecommendationFactory(topic=topic)
    author = ParticipantFactory()
    comment = Comment.objects.create(topic=topic, recommendation=recommendation, author=author, text="Eerste reactie")
    users = {
        "anonymous": None,
        "unverified": ParticipantFactory(verified=False),
        "participant": ParticipantFactory(),
        "author": author,
        "other_participant": ParticipantFactory(),
        "blocked": ParticipantFactory(is_blocked=True, blocked_reason="Test"),
        "moderator": ModeratorFactory(),
        "moderator_2fa": ModeratorFactory(),
        "organiser": OrganiserFactory(),
        "organiser_2fa": OrganiserFactory(),
    }
    return {"topic": topic, "recommendation": recommendation, "comment": comment, "users": users}


def _path(route, namespace, name, world):
    """A concrete path for a route: real objects for slugs and ids, harmless values for tokens."""
    kwargs = {}
    for param in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route):
        key = param[0] or param[1]
        if key == "slug":
            kwargs[key] = world["topic"].slug
        elif key == "pk":
            kwargs[key] = world["comment"].pk if (name or "").startswith("comment") else world["recommendation"].pk
        elif key == "job_id":
            kwargs[key] = "0" * 32
        elif key == "uidb36" or key in ("object_id", "id"):
            kwargs[key] = "1"
        else:
            kwargs[key] = "x"
    if name:
        full = f"{namespace}:{name}" if namespace else name
        with contextlib.suppress(NoReverseMatch):  # an admin route with an unusual parameter: built below
            return reverse(full, kwargs=kwargs)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs.get(m.group(1), "x")), route)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(kwargs.get(m.group(1), "x")), path)
    return "/" + path.replace("^", "").replace("$", "").replace("\\", "")


def _login(client, role, user):
    client.logout()
    if user is None:
        return
    if role.endswith("_2fa"):
        staff_mfa_login(client, user)
    else:
        client.force_login(user)


def _is_staff_view(callback):
    return hasattr(callback, "staff_permission")


def _matches(expected, status):
    if expected == "ok":
        return status < 400 or status == 404
    return status == expected


def test_every_url_answers_every_visitor_without_a_server_error_and_staff_pages_need_two_factors(client, world):
    patterns = [p for p in _all_patterns() if p[1] != "admin"]
    assert len(patterns) > 40  # the walk found the site's URLs, not an empty list
    staff_paths = []
    observed = {}
    for role in ROLES:
        _login(client, role, world["users"][role])
        for route, namespace, name, callback in patterns:
            path = _path(route, namespace, name, world)
            if name == "account_logout":
                continue  # would end the session under test; logging out is tested with the accounts
            get = client.get(path).status_code
            post = client.post(path, {}).status_code
            assert get < 500 and post < 500, (role, path, get, post)
            observed[(role, path)] = (get, post)
            if _is_staff_view(callback):
                expected = STAFF_EXPECTED[role]
                if f"{namespace}:{name}" in POST_ONLY:
                    expected = (405, expected[1])
                assert _matches(expected[0], get) and _matches(expected[1], post), (role, path, get, post)
                if role == ROLES[0]:
                    staff_paths.append(path)
            if role in ("moderator_2fa", "organiser_2fa") and not _is_staff_view(callback):
                # A page that opens for staff with two factors but refuses participants is a
                # staff page that forgot the decorator.
                participant_get = observed[("participant", path)][0]
                assert not (get == 200 and participant_get == 403), (path, "staff page without staff_view")
    assert {"/resultaten/briefing/", "/resultaten/briefing/werkmap/"} <= set(staff_paths)
    _login(client, "anonymous", None)  # leave no session behind for the next test


@pytest.mark.parametrize("role", ["moderator", "organiser"])
def test_every_admin_page_refuses_staff_without_the_second_factor(client, world, role):
    _login(client, role, world["users"][role])
    admin = [p for p in _all_patterns() if p[1] == "admin"]
    assert len(admin) > 20
    for route, namespace, name, _callback in admin:
        path = _path(route, namespace, name, world)
        if name == "logout":
            continue
        status = client.get(path).status_code
        assert status in (403, 404), (path, status)  # 404: a URL the admin resolves itself (view_on_site)
