"""The moderators' pages keep shared parts in the cache: what a moderator sees is never older than the
last change made through the services, for every moderator, and without the cache the pages still work."""

from datetime import timedelta

import pytest
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.test import Client, override_settings
from django.utils import timezone

from feedback import moderation, services
from feedback.models import ReportOutcome
from nmp_portal.admin_site import STAMPED_SESSION_KEY
from nmp_portal.models import StaffVisit
from tests.auth import staff_mfa_login
from tests.factories import ModeratorFactory, OrganiserFactory, ParticipantFactory, TopicFactory

pytestmark = pytest.mark.django_db

NO_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


@pytest.fixture
def topic():
    now = timezone.now()
    return TopicFactory(title="Water", opens_at=now - timedelta(days=3), closes_at=now + timedelta(days=20))


@pytest.fixture
def two_moderators():
    """Two moderators' browsers, each logged in with two-step verification."""
    first, second = Client(), Client()
    staff_mfa_login(first, ModeratorFactory())
    staff_mfa_login(second, ModeratorFactory())
    return first, second


def _start_page(client):
    return client.get("/admin/").content.decode()


def test_start_page_shows_each_change_at_once_to_every_moderator(two_moderators, topic):
    first, second = two_moderators
    author, reporter = ParticipantFactory(), ParticipantFactory()
    comment = services.comment_create(author=author, topic=topic, text="Een reactie om te melden")
    for client in two_moderators:
        assert "0 open meldingen" in _start_page(client)  # both have the figures cached now

    services.report_create(comment=comment, reporter=reporter, reason="spam")
    for client in two_moderators:
        page = _start_page(client)
        assert "1 open melding" in page and f'href="/admin/feedback/comment/{comment.pk}/change/"' in page

    services.proposal_submit(author=author, topic=topic, text="Een voorstel")
    assert "1 voorstel wacht" in _start_page(first) and "1 voorstel wacht" in _start_page(second)

    # The oldest reports quote their comment: an edit by its author shows at once.
    services.comment_update(comment=comment, author=author, text="Een aangepaste reactie")
    assert "Een aangepaste reactie" in _start_page(first)

    # A decision (through moderation.audit_record) empties the queue for both.
    moderation.reports_resolve(comment=comment, moderator=ModeratorFactory(), outcome=ReportOutcome.NO_ACTION)
    for client in two_moderators:
        assert "0 open meldingen" in _start_page(client)


def test_new_comments_count_at_once_and_per_moderator(two_moderators, topic):
    first, second = two_moderators
    author = ParticipantFactory()
    services.comment_create(author=author, topic=topic, text="Eerste")
    assert "1 reactie in de afgelopen zeven dagen" in _start_page(first)

    # The second moderator's last visit was before this session, after the first comment.
    moderator = ModeratorFactory()
    StaffVisit.objects.create(user=moderator, seen_at=timezone.now())
    staff_mfa_login(second, moderator)
    assert "0 reacties sinds uw laatste bezoek" in _start_page(second)

    services.comment_create(author=author, topic=topic, text="Tweede")
    assert "2 reacties in de afgelopen zeven dagen" in _start_page(first)
    assert "1 reactie sinds uw laatste bezoek" in _start_page(second)


def test_visit_is_stored_once_per_interval_not_on_every_request(client, topic):
    moderator = staff_mfa_login(client, ModeratorFactory())
    client.get("/admin/")
    first = StaffVisit.objects.get(user=moderator).seen_at
    client.get("/admin/")
    assert StaffVisit.objects.get(user=moderator).seen_at == first

    session = client.session
    session[STAMPED_SESSION_KEY] = (timezone.now() - timedelta(minutes=6)).isoformat()
    session.save()
    client.get("/admin/")
    assert StaffVisit.objects.get(user=moderator).seen_at > first


@override_settings(CACHES=NO_CACHE)
def test_start_page_and_comment_list_work_without_the_cache(client, topic):
    """Redis down (every read a miss, every write lost): computed from the database each time."""
    staff_mfa_login(client, ModeratorFactory())
    author, reporter = ParticipantFactory(), ParticipantFactory()
    comment = services.comment_create(author=author, topic=topic, text="Zonder cache")
    assert "0 open meldingen" in _start_page(client)
    services.report_create(comment=comment, reporter=reporter, reason="spam")
    assert "1 open melding" in _start_page(client)
    page = client.get(f"/admin/feedback/comment/?topic__id__exact={topic.pk}").content.decode()
    assert 'class="field-open_reports">1<' in page and "Zonder cache" in page


def _row(page, text):
    return next(row.split("</tr>")[0] for row in page.split("<tr")[1:] if text in row)


def test_comment_list_rows_follow_every_change_for_every_moderator(two_moderators, topic):
    author, reporter = ParticipantFactory(), ParticipantFactory()
    comment = services.comment_create(author=author, topic=topic, text="Een reactie in de lijst")
    url = f"/admin/feedback/comment/?is_hidden__exact=0&topic__id__exact={topic.pk}"
    for client in two_moderators:
        assert 'class="field-open_reports">0<' in _row(client.get(url).content.decode(), "in de lijst")

    services.report_create(comment=comment, reporter=reporter, reason="spam")
    for client in two_moderators:
        assert 'class="field-open_reports">1<' in _row(client.get(url).content.decode(), "in de lijst")

    services.comment_create(author=author, topic=topic, text="Nieuw in de lijst")
    assert "Nieuw in de lijst" in two_moderators[1].get(url).content.decode()

    moderation.comment_hide(comment=comment, moderator=ModeratorFactory(), reason_code="spam")
    all_url = f"/admin/feedback/comment/?topic__id__exact={topic.pk}"
    assert "verborgen" in _row(two_moderators[0].get(all_url).content.decode(), "Een reactie in de lijst")
    assert "Een reactie in de lijst" not in two_moderators[0].get(url).content.decode()


def test_comment_list_row_links_keep_the_filters_as_django_would(client, topic):
    staff_mfa_login(client, ModeratorFactory())
    comment = services.comment_create(author=ParticipantFactory(), topic=topic, text="Met filters")
    query = f"is_hidden__exact=0&topic__id__exact={topic.pk}&q=filters"
    response = client.get(f"/admin/feedback/comment/?{query}")
    expected = add_preserved_filters(
        {"preserved_filters": response.context["preserved_filters"], "opts": response.context["opts"]},
        f"/admin/feedback/comment/{comment.pk}/change/",
    )
    assert "_changelist_filters=" in expected
    assert f'<a href="{expected.replace("&", "&amp;")}">Met filters</a>' in response.content.decode()
    # The selection box is Django's, with its label.
    assert (
        f'<input type="checkbox" name="_selected_action" value="{comment.pk}" class="action-select" '
        f'aria-label="Selecteer dit object voor een actie - Met filters">'
    ) in response.content.decode()


def test_app_list_and_sidebar_follow_the_staff_member_and_the_page(client):
    """Kept per staff member and permission set: a role given shows at once; the sidebar marks the page."""
    from participants.roles import MODERATOR, role_group

    organiser = staff_mfa_login(client, OrganiserFactory())
    assert "model-report" not in client.get("/admin/").content.decode()
    other = Client()
    staff_mfa_login(other, ModeratorFactory())
    assert "model-report" in other.get("/admin/").content.decode()
    assert "model-report" not in client.get("/admin/").content.decode()

    organiser.groups.add(role_group(MODERATOR))
    assert "model-report" in client.get("/admin/").content.decode()

    for path, other_path in [("/admin/feedback/comment/", "/admin/feedback/report/")] * 2:
        for current, not_current in [(path, other_path), (other_path, path)]:
            page = other.get(current).content.decode()
            assert f'<a href="{current}" aria-current="page">' in page
            assert f'<a href="{not_current}" aria-current="page">' not in page
