"""Browser tests: search from the header, following a topic, progress, and the sector × recommendation overview."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from feedback.models import Comment, TopicFollow, Vote
from tests.e2e.axe import assert_accessible
from tests.factories import ParticipantFactory, votes_by_sector


def test_search_from_the_header_finds_a_comment_and_a_recommendation(page, content):
    topic = content[2]
    rec = topic.recommendations.order_by("position").first()
    Comment.objects.create(
        topic=topic, author=ParticipantFactory(), text="Zorg voor <b>stille</b> fietspaden bij scholen."
    )
    page.goto("/")
    page.get_by_role("searchbox", name="Zoeken").fill("fietspaden")
    page.get_by_role("searchbox", name="Zoeken").press("Enter")
    expect(page.get_by_role("heading", name="Zoeken", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Reacties")).to_be_visible()
    expect(page.locator(".search-hit mark").first).to_have_text("fietspaden")
    expect(page.locator(".search-hit b")).to_have_count(0)  # the comment's markup is text
    assert_accessible(page)

    words = " ".join(rec.text.split()[:3])
    page.get_by_label("Zoek in de onderwerpen, adviezen en reacties").fill(words)
    page.get_by_role("button", name="Zoeken").last.click()
    expect(page.get_by_role("heading", name="Adviezen van de werksessie")).to_be_visible()
    page.locator(".search-hit a").first.click()
    expect(page.locator("h1")).to_be_visible()

    page.goto("/en/zoeken/?q=%3Cscript%3Ealert(1)%3C/script%3E")
    expect(page.get_by_role("heading", name="Search", exact=True)).to_be_visible()
    assert_accessible(page)
    page.goto("/zoeken/?q=a")
    expect(page.get_by_role("status")).to_contain_text("Typ minstens 2 tekens.")


def test_follow_a_topic_and_manage_it_on_the_profile(page, content, login):
    topic = content[3]
    topic.opens_at, topic.closes_at = timezone.now() - timedelta(days=1), timezone.now() + timedelta(days=20)
    topic.save()
    participant = ParticipantFactory()
    login(page, participant)
    page.goto(topic.get_absolute_url())
    page.get_by_role("button", name="Volg dit onderwerp").click()
    expect(page.get_by_role("status").first).to_contain_text("U volgt dit onderwerp.")
    expect(page.get_by_role("button", name="Stop met volgen")).to_be_visible()
    assert TopicFollow.objects.filter(participant=participant, topic=topic).exists()
    assert_accessible(page)

    page.goto("/profiel/")
    page.get_by_role("link", name="Onderwerpen die u volgt").click()
    expect(page.get_by_role("heading", name="Onderwerpen die u volgt")).to_be_visible()
    expect(page.get_by_role("link", name=f"{topic.number}. {topic.title}")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name=f"Stop met het volgen van onderwerp {topic.number}").click()
    expect(page.get_by_text("U volgt nog geen onderwerpen.")).to_be_visible()
    assert not TopicFollow.objects.exists()
    page.goto("/en/profiel/gevolgde-onderwerpen/")
    expect(page.get_by_role("heading", name="Topics you follow")).to_be_visible()
    assert_accessible(page)


def test_progress_and_next_topic(page, content, login):
    topic, following = content[0], content[1]
    topic.opens_at, topic.closes_at = timezone.now() - timedelta(days=1), timezone.now() + timedelta(days=20)
    topic.save()
    participant = ParticipantFactory()
    rec = topic.recommendations.order_by("position").first()
    Vote.objects.create(participant=participant, recommendation=rec, choice="agree")
    total = topic.recommendations.filter(is_published=True).count()
    login(page, participant)
    page.goto("/")
    expect(page.locator(".progress-summary")).to_contain_text("U gaf uw mening over 1 van")
    expect(page.locator(".topic-card").first).to_contain_text(f"U gaf uw mening over 1 van {total} adviezen.")
    expect(page.locator(".topic-card").first).to_contain_text("Open voor reacties tot")
    assert_accessible(page)
    page.goto(topic.get_absolute_url())
    page.get_by_role("link", name=f"Volgende onderwerp: {following.number}. {following.title}").click()
    expect(page.locator("h1")).to_have_text(following.title)


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("language", ["", "/en"])
def test_sector_overview_reads_on_a_phone_and_a_desktop(page, content, width, language):
    topic = content[0]
    now = timezone.now()
    topic.opens_at, topic.closes_at = now - timedelta(days=30), now - timedelta(days=1)
    topic.save()
    recs = list(topic.recommendations.order_by("position"))
    votes_by_sector(recs[0], {"gemeente": (5, 0, 0), "bedrijfsleven": (4, 0, 1)}, "a")
    votes_by_sector(recs[1], {"gemeente": (5, 0, 0), "bedrijfsleven": (0, 1, 4)}, "b")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{language}/onderwerpen/{topic.slug}/resultaten/")
    matrix = page.locator("#matrix")
    expect(matrix.locator("table.matrix tbody tr")).to_have_count(len(recs))  # closed: every one shows
    expect(matrix.locator("tbody .matrix__cell--4").first).to_have_text("100%")
    expect(matrix.locator("tbody .matrix__cell--few").first).to_be_visible()
    hint = matrix.locator(".scroll-hint")
    if width == 375:
        expect(hint).to_be_visible()
        region = matrix.get_by_role("region")
        assert region.evaluate("el => el.scrollWidth > el.clientWidth"), "the wide table scrolls in its region"
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page itself does not"
    else:
        expect(hint).to_be_hidden()
    sort_name = "Meest verdeeld" if not language else "Most divisive"
    matrix.get_by_role("link", name=sort_name).click()
    first_row = page.locator("#matrix tbody tr").first
    expect(first_row).to_contain_text("0%")  # the divided one: bedrijfsleven agrees with nobody
    assert_accessible(page)
