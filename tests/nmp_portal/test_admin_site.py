"""The admin as each staff role sees it: branding, the start page with what needs attention, what is listed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from feedback import services
from feedback.models import Comment
from nmp_portal.models import StaffVisit
from tests.auth import staff_mfa_login
from tests.factories import ModeratorFactory, OrganiserFactory, ParticipantFactory, TopicFactory

ROLES = ["moderator", "organiser", "superuser"]


def _staff(role):
    if role == "moderator":
        return ModeratorFactory()
    if role == "organiser":
        return OrganiserFactory()
    return ModeratorFactory(is_superuser=True)


@pytest.fixture
def open_topic(db):
    now = timezone.now()
    return TopicFactory(title="Water", opens_at=now - timedelta(days=3), closes_at=now + timedelta(days=2))


@pytest.mark.django_db
def test_branded_in_dutch_and_english(client):
    staff_mfa_login(client, ModeratorFactory())
    dutch = client.get("/admin/").content.decode()
    assert "<title>Wat aandacht nodig heeft | NMP Participatie — beheer</title>" in dutch
    assert "Django-beheer" not in dutch and "Django administration" not in dutch
    from django.utils import translation

    with translation.override("nl"):  # restores the thread's language after the request to /en/
        english = client.get("/en/admin/").content.decode()
    assert "What needs attention" in english and "NMP Participatie — beheer" in english


def test_start_page_shows_what_needs_attention_and_remembers_the_visit(client, open_topic):
    moderator = staff_mfa_login(client, ModeratorFactory())
    author, reporter = ParticipantFactory(), ParticipantFactory()
    comment = services.comment_create(author=author, topic=open_topic, text="Een gemelde reactie")
    services.report_create(comment=comment, reporter=reporter, reason="spam")
    services.proposal_submit(author=author, topic=open_topic, text="Een voorstel")
    upcoming = TopicFactory(title="Bodem", opens_at=timezone.now() + timedelta(days=3))

    page = client.get("/admin/").content.decode()
    assert "1 open melding" in page and "1 voorstel wacht" in page
    assert "1 reactie in de afgelopen zeven dagen" in page  # a first visit: the last week
    assert f'href="/admin/feedback/comment/{comment.pk}/change/"' in page  # the oldest open report, linked
    assert "Water" in page and "sluit op" in page  # closes within the week
    assert "Bodem" in page and "gaat open op" in page
    assert upcoming.title in page
    assert StaffVisit.objects.filter(user=moderator).exists()

    # A later session counts what came in since this visit.
    StaffVisit.objects.filter(user=moderator).update(seen_at=timezone.now() - timedelta(minutes=1))
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(hours=1))
    services.comment_create(author=reporter, topic=open_topic, text="Nieuw sinds het bezoek")
    client.logout()
    staff_mfa_login(client, moderator)  # a new session
    page = client.get("/admin/").content.decode()
    assert "1 reactie sinds uw laatste bezoek" in page
    # Reloading the page in the same session keeps the count.
    assert "1 reactie sinds uw laatste bezoek" in client.get("/admin/").content.decode()


@pytest.mark.django_db
def test_beheer_link_in_the_site_header_for_staff_only(client):
    client.force_login(ParticipantFactory())
    assert 'href="/admin/"' not in client.get("/").content.decode()
    staff_mfa_login(client, ModeratorFactory())
    assert '<a href="/admin/">Beheer</a>' in client.get("/").content.decode()


# (url, expected status per role in the order of ROLES)
ADMIN_PAGES = [
    ("/admin/feedback/report/", [200, 403, 200]),
    ("/admin/feedback/comment/", [200, 403, 200]),
    ("/admin/feedback/proposal/", [200, 403, 200]),
    ("/admin/feedback/comment/export/", [200, 403, 200]),
    ("/admin/feedback/vote/export/", [403, 403, 200]),
    # The mail queue holds password-reset links and every address: administrators only.
    ("/admin/post_office/email/", [403, 403, 200]),
    ("/admin/participants/user/", [200, 200, 200]),
]


@pytest.mark.django_db
@pytest.mark.parametrize("role_index,role", list(enumerate(ROLES)))
@pytest.mark.parametrize("url,expected", ADMIN_PAGES, ids=[p[0] for p in ADMIN_PAGES])
def test_admin_pages_per_role(client, role_index, role, url, expected):
    staff_mfa_login(client, _staff(role))
    assert client.get(url).status_code == expected[role_index], f"{role} on {url}"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_index_lists_only_what_the_role_may_open(client, role):
    staff_mfa_login(client, _staff(role))
    page = client.get("/admin/").content.decode()
    assert ("/admin/post_office/" in page) is (role == "superuser")
    assert ("/admin/feedback/report/" in page) is (role != "organiser")
    assert ('id="attention"' in page) is (role != "organiser")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_user_page_has_password_block_only_for_those_who_may_change_accounts(client, role):
    participant = ParticipantFactory()
    staff_mfa_login(client, _staff(role))
    page = client.get(f"/admin/participants/user/{participant.pk}/change/").content.decode()
    assert ("pbkdf2" in page or "md5" in page or "algoritme" in page) is (role == "superuser")
    assert ("../password/" in page) is (role == "superuser")
