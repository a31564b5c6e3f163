"""Taking part in the browser, with JavaScript on and off: vote, prioritise, comment, report, propose."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.axe import assert_accessible
from tests.factories import ParticipantFactory, publish_baseline

JS = [pytest.param(True, id="js"), pytest.param(False, id="nojs")]


@pytest.fixture
def make_page(new_page):
    """A page in a fresh context, with or without JavaScript; fails on JavaScript errors."""
    return lambda javascript=True, locale="nl-NL": new_page(javascript=javascript, locale=locale)


def _topic(content):
    return content[6]  # Cumulatie


def _recs(topic):
    return list(topic.recommendations.order_by("position"))


def _mark_page(page, javascript):
    """With JavaScript, remember this page load: an in-place update keeps the mark, a reload loses it."""
    if javascript:
        page.evaluate("window.__noReload = true")


def _assert_same_page(page, javascript):
    if javascript:
        assert page.evaluate("window.__noReload === true"), "the page reloaded instead of updating in place"


@pytest.mark.parametrize("javascript", JS)
def test_vote_change_and_withdraw(make_page, login, content, javascript):
    topic = _topic(content)
    rec = _recs(topic)[0]
    from feedback.services import vote_cast

    # Two others of the same sector voted already: this vote is the third, so the published counts follow.
    for voter in (ParticipantFactory(), ParticipantFactory()):
        vote_cast(participant=voter, recommendation=rec, choice="agree")
    participant = ParticipantFactory()
    page = make_page(javascript)
    login(page, participant)
    page.goto(topic.get_absolute_url())
    _mark_page(page, javascript)
    block = page.locator(f"#recommendation-{rec.pk}")
    agree = block.get_by_role("button", name="Eens", exact=True)
    expect(agree).to_have_attribute("aria-pressed", "false")
    expect(block).to_contain_text("U ziet de uitslag nadat u zelf uw standpunt hebt gegeven.")

    agree.click()
    expect(block.get_by_role("button", name="Eens", exact=True)).to_have_attribute("aria-pressed", "true")
    expect(block).to_contain_text("Uw standpunt: Eens.")
    # Three published voters, fewer than the minimum: only the number shows, not how they voted.
    expect(block.locator(".results__counts")).to_contain_text("3 personen gaven tot nu toe een standpunt.")
    expect(block.locator(".results__counts")).not_to_contain_text("Eens 3")
    if javascript:
        expect(page.locator("#feedback-live")).to_have_text("Uw standpunt is opgeslagen: Eens.")
        expect(block.get_by_role("button", name="Eens", exact=True)).to_be_focused()
    else:
        expect(page).to_have_url(re.compile(f"#recommendation-{rec.pk}$"))

    block.get_by_role("button", name="Oneens", exact=True).click()
    expect(block.get_by_role("button", name="Oneens", exact=True)).to_have_attribute("aria-pressed", "true")
    expect(block.get_by_role("button", name="Eens", exact=True)).to_have_attribute("aria-pressed", "false")
    block.get_by_role("button", name="Neutraal", exact=True).click()
    expect(block).to_contain_text("Uw standpunt: Neutraal.")

    block.get_by_role("button", name="Stem intrekken").click()
    expect(block).to_contain_text("U heeft nog geen standpunt gegeven.")
    expect(block.get_by_role("button", name="Stem intrekken")).to_have_count(0)
    _assert_same_page(page, javascript)
    from feedback.models import Vote

    assert not Vote.objects.filter(participant=participant).exists()


@pytest.mark.parametrize("javascript", JS)
def test_three_priorities_and_a_disabled_fourth(make_page, login, content, javascript):
    topic = _topic(content)
    recs = _recs(topic)
    participant = ParticipantFactory()
    page = make_page(javascript)
    login(page, participant)
    page.goto(topic.get_absolute_url())
    _mark_page(page, javascript)
    for rec in recs[:3]:
        page.locator(f"#recommendation-{rec.pk}").get_by_role("button", name="Prioriteit").click()
        expect(page.locator(f"#recommendation-{rec.pk}").get_by_role("button", name="Prioriteit")).to_have_attribute(
            "aria-pressed", "true"
        )
    expect(page.locator("#priority-status")).to_have_text("U heeft 3 van de 3 prioriteiten gekozen.")
    # The fourth is disabled before anyone presses it, with the reason next to it.
    fourth = page.locator(f"#recommendation-{recs[3].pk}")
    expect(fourth.get_by_role("button", name="Prioriteit")).to_be_disabled()
    expect(fourth.locator(".priority-form__note")).to_be_visible()
    expect(fourth.locator(".priority-form__note")).to_have_text(
        "U heeft uw 3 prioriteiten voor dit onderwerp gebruikt. Haal er een weg om deze te kiezen."
    )
    # Removing one makes the others available again.
    page.locator(f"#recommendation-{recs[0].pk}").get_by_role("button", name="Prioriteit").click()
    expect(fourth.get_by_role("button", name="Prioriteit")).to_be_enabled()
    expect(fourth.locator(".priority-form__note")).to_be_hidden()
    page.locator(f"#recommendation-{recs[0].pk}").get_by_role("button", name="Prioriteit").click()
    expect(fourth.get_by_role("button", name="Prioriteit")).to_be_disabled()
    _assert_same_page(page, javascript)
    from feedback.models import Priority

    assert Priority.objects.filter(participant=participant).count() == 3


@pytest.mark.parametrize("javascript", JS)
def test_comment_reply_edit_delete_report_and_mail(make_page, login, content, javascript):
    from post_office.models import Email

    topic = _topic(content)
    rec = _recs(topic)[1]
    anne = ParticipantFactory(first_name="Anne", last_name="Smit", organisation="Provincie Utrecht", sector="provincie")
    bram = ParticipantFactory(first_name="Bram", last_name="Visser", organisation="RIVM", sector="kennis")

    page = make_page(javascript)
    login(page, anne)
    page.goto(topic.get_absolute_url())
    page.locator(f"#recommendation-{rec.pk}").get_by_role("link", name=re.compile("^Reageer")).click()
    form = page.locator("#comment-form")
    text = form.get_by_role("textbox", name=re.compile(r"^Uw reactie"))
    text.fill("Goed advies <b>echt</b>.\nZie https://example.org/bron")
    if javascript:
        expect(form.locator(".char-counter")).to_have_text(f"{len(text.input_value())} van 2000 tekens")
    else:
        expect(form).to_contain_text("hoogstens 2000 tekens")
    form.get_by_label("Eens", exact=True).check()
    form.get_by_role("button", name="Plaats reactie").click()
    expect(page.get_by_role("status").first).to_contain_text("Uw reactie is geplaatst.")
    comment = page.locator("article.comment").first
    expect(comment).to_contain_text("Goed advies <b>echt</b>.")
    expect(comment.get_by_role("link", name="https://example.org/bron")).to_have_attribute(
        "rel", "nofollow ugc noopener"
    )
    expect(comment).to_contain_text("Anne Smit (Provincie Utrecht)")
    expect(comment).to_contain_text("Provincie")
    expect(comment.locator("time")).to_have_attribute("title", re.compile(r"\d{4}, \d\d:\d\d"))

    # Bram replies; Anne gets one mail through the queue.
    page2 = make_page(javascript)
    login(page2, bram)
    page2.goto(f"/onderwerpen/{topic.slug}/adviezen/{rec.pk}/")
    thread = page2.locator("li.comment-thread").first
    thread.locator("summary", has_text="Reageer").click()
    thread.get_by_role("textbox", name=re.compile(r"^Uw reactie")).fill("Waarom precies?")
    thread.get_by_role("button", name="Plaats reactie").click()
    expect(page2.locator(".comment--reply")).to_contain_text("Waarom precies?")
    mails = [e for e in Email.objects.order_by("pk") if anne.email in e.to]
    assert len(mails) == 1 and "Waarom precies?" in mails[0].message
    assert "List-Unsubscribe" in mails[0].headers

    # Bram reports Anne's comment (not twice).
    page2.locator("article.comment").first.get_by_role("link", name=re.compile("^Meld")).click()
    page2.get_by_label("Spam of reclame").check()
    page2.get_by_label("Toelichting (niet verplicht)").fill("Reclame voor een bron")
    page2.get_by_role("button", name="Verstuur melding").click()
    expect(page2.get_by_role("status").first).to_contain_text("Bedankt. Uw melding is ontvangen.")
    page2.go_back()
    page2.go_back()
    page2.goto(page2.url)
    from feedback.models import Comment, Report

    reported = Comment.objects.get(author=anne)
    page2.goto(f"/reacties/{reported.pk}/melden/")
    page2.get_by_label("Iets anders").check()
    page2.get_by_role("button", name="Verstuur melding").click()
    expect(page2.locator(".error-summary")).to_contain_text("U heeft deze reactie al gemeld.")
    assert Report.objects.count() == 1

    # Anne edits, then deletes; Bram's reply stays under a placeholder.
    page.reload()
    page.locator("article.comment").first.get_by_role("link", name=re.compile("^Bewerk")).click()
    page.get_by_role("textbox", name=re.compile(r"^Uw reactie")).fill("Goed advies, aangevuld.")
    page.get_by_role("button", name="Wijzigingen opslaan").click()
    expect(page.locator("article.comment").first).to_contain_text("Goed advies, aangevuld.")
    expect(page.locator("article.comment").first).to_contain_text("bewerkt")
    page.locator("article.comment").first.get_by_role("link", name=re.compile("^Verwijder")).click()
    page.get_by_role("button", name="Ja, verwijder mijn reactie").click()
    expect(page.locator("main")).to_contain_text("Deze reactie is verwijderd door de auteur")
    expect(page.locator("main")).to_contain_text("Waarom precies?")
    expect(page.locator("main")).not_to_contain_text("Goed advies, aangevuld.")


@pytest.mark.parametrize("javascript", JS)
def test_general_comment_and_proposal(make_page, login, content, javascript):
    topic = _topic(content)
    participant = ParticipantFactory(display_mode="sector_only", sector="waterschap")
    page = make_page(javascript)
    login(page, participant)
    page.goto(topic.get_absolute_url())
    discussion = page.locator("#discussion")
    expect(discussion.get_by_role("heading", name="Algemene reacties")).to_be_visible()
    discussion.get_by_role("textbox", name=re.compile(r"^Uw reactie")).fill("Een opmerking over het hele onderwerp.")
    discussion.get_by_role("button", name="Plaats reactie").click()
    expect(page.locator("#discussion article.comment").first).to_contain_text("Deelnemer van een waterschap")

    page.locator("#propose summary").click()
    page.get_by_role("textbox", name=re.compile(r"^Uw voorstel voor een advies")).fill(
        "Maak een landelijk meldpunt voor stapeling van hinder."
    )
    page.get_by_role("button", name="Verstuur voorstel").click()
    expect(page.get_by_role("status").first).to_contain_text("Bedankt voor uw voorstel.")
    page.goto("/mijn-inbreng/")
    expect(page.locator("main")).to_contain_text("Maak een landelijk meldpunt")
    expect(page.locator("main")).to_contain_text("Wacht op beoordeling")
    expect(page.locator("main")).to_contain_text("Een opmerking over het hele onderwerp.")


@pytest.mark.parametrize("javascript", JS)
def test_closed_topic_refuses_everything(make_page, login, content, javascript):
    from feedback.models import Comment, Priority, Vote

    topic = _topic(content)
    rec = _recs(topic)[0]
    participant = ParticipantFactory()
    other = ParticipantFactory()
    existing = Comment.objects.create(topic=topic, recommendation=rec, author=other, text="Van voor de sluiting")
    topic.opens_at = timezone.now() - timedelta(days=20)
    topic.closes_at = timezone.now() - timedelta(days=1)
    topic.save()
    for voter in (other, ParticipantFactory(), ParticipantFactory()):
        Vote.objects.create(participant=voter, recommendation=rec, choice="agree")
    publish_baseline()

    page = make_page(javascript)
    login(page, participant)
    page.goto(topic.get_absolute_url())
    expect(page.locator("main")).to_contain_text("Dit onderwerp is gesloten.")
    expect(page.get_by_role("button", name="Eens", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Plaats reactie")).to_have_count(0)
    # Results for all, but with three voters (fewer than the minimum) only the number of voters.
    expect(page.locator(f"#recommendation-{rec.pk} .results__counts")).to_contain_text("3 personen gaven")

    # Whatever the client sends, the server refuses (with a valid CSRF token).
    page.goto(f"/onderwerpen/{topic.slug}/adviezen/{rec.pk}/")
    token = (
        next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
        if any(c["name"] == "csrftoken" for c in page.context.cookies())
        else None
    )
    if token is None:
        page.goto(topic.get_absolute_url())  # the language switch form sets the cookie
        token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    headers = {"X-CSRFToken": token}
    posts = [
        (f"/adviezen/{rec.pk}/stem/", {"choice": "agree"}),
        (f"/adviezen/{rec.pk}/prioriteit/", {"action": "add"}),
        (f"/onderwerpen/{topic.slug}/reacties/", {"text": "Te laat", "recommendation": str(rec.pk)}),
        (
            f"/onderwerpen/{topic.slug}/reacties/",
            {"text": "Te laat", "parent": str(existing.pk), "recommendation": str(rec.pk)},
        ),
        (f"/onderwerpen/{topic.slug}/voorstellen/", {"text": "Te laat"}),
        (f"/reacties/{existing.pk}/melden/", {"reason": "spam"}),
    ]
    for url, data in posts:
        response = page.request.post(url, form=data, headers=headers)
        assert response.status == 403, url
        assert "gesloten" in response.text(), url
    assert not Vote.objects.filter(participant=participant).exists()
    assert not Priority.objects.exists()
    assert Comment.objects.count() == 1


PAGES = [
    "topic",
    "recommendation",
    "my_contributions",
    "edit",
    "delete",
    "report",
    "comment_error",
    "unsubscribe",
]


@pytest.mark.parametrize("which", PAGES)
@pytest.mark.parametrize("language", ["nl", "en"])
def test_feedback_pages_pass_axe(make_page, login, content, which, language):
    from feedback import notifications, services

    topic = _topic(content)
    rec = _recs(topic)[0]
    participant = ParticipantFactory()
    other = ParticipantFactory(display_mode="sector_only")
    services.vote_cast(participant=participant, recommendation=rec, choice="agree")
    services.priority_add(participant=participant, recommendation=rec)
    own = services.comment_create(
        author=participant, topic=topic, recommendation=rec, text="Mijn reactie", stance="for"
    )
    theirs = services.comment_create(author=other, topic=topic, recommendation=rec, text="Hun reactie")
    services.comment_create(author=participant, topic=topic, parent=theirs, recommendation=rec, text="Antwoord")
    services.comment_create(author=other, topic=topic, text="Algemene opmerking")
    services.proposal_submit(author=participant, topic=topic, text="Een voorstel")

    prefix = "" if language == "nl" else "/en"
    page = make_page(True, locale="nl-NL" if language == "nl" else "en-GB")
    login(page, participant)
    urls = {
        "topic": topic.get_absolute_url(),
        "recommendation": f"/onderwerpen/{topic.slug}/adviezen/{rec.pk}/",
        "my_contributions": "/mijn-inbreng/",
        "edit": f"/reacties/{own.pk}/bewerken/",
        "delete": f"/reacties/{own.pk}/verwijderen/",
        "report": f"/reacties/{theirs.pk}/melden/",
        "unsubscribe": f"/afmelden/reacties/{notifications.unsubscribe_token(participant)}/",
    }
    if which == "comment_error":
        page.goto(prefix + urls["recommendation"])
        page.locator("#comment-form").get_by_role("button").click()
        expect(page.locator(".error-summary")).to_be_focused()
    else:
        page.goto(prefix + urls[which].removeprefix("/en"))
    expect(page.locator("html")).to_have_attribute("lang", language)
    if which == "recommendation":
        page.locator("details.reply summary").first.click()
    assert_accessible(page)


def test_keyboard_and_screen_reader(make_page, login, content):
    """Voting by keyboard keeps focus and announces the pressed state; the exact time and the counter are reachable."""
    from feedback import services

    topic = _topic(content)
    rec = _recs(topic)[0]
    other = ParticipantFactory()
    services.comment_create(author=other, topic=topic, recommendation=rec, text="Een reactie")
    participant = ParticipantFactory()
    page = make_page(True)
    login(page, participant)
    page.goto(f"/onderwerpen/{topic.slug}/adviezen/{rec.pk}/")
    _mark_page(page, True)
    block = page.locator(f"#recommendation-{rec.pk}")
    agree = block.get_by_role("button", name="Eens", exact=True)
    agree.focus()
    page.keyboard.press("Space")
    expect(block.get_by_role("button", name="Eens", exact=True)).to_have_attribute("aria-pressed", "true")
    expect(block.get_by_role("button", name="Eens", exact=True)).to_be_focused()  # focus kept after the update
    expect(page.locator("#feedback-live")).to_have_attribute("aria-live", "polite")
    expect(page.locator("#feedback-live")).to_have_text("Uw standpunt is opgeslagen: Eens.")
    page.keyboard.press("Tab")
    expect(block.get_by_role("button", name="Neutraal", exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    expect(block.get_by_role("button", name="Neutraal", exact=True)).to_have_attribute("aria-pressed", "true")
    expect(block.get_by_role("button", name="Neutraal", exact=True)).to_be_focused()
    priority = block.get_by_role("button", name="Prioriteit")
    priority.focus()
    page.keyboard.press("Enter")
    expect(block.get_by_role("button", name="Prioriteit")).to_have_attribute("aria-pressed", "true")
    expect(block.get_by_role("button", name="Prioriteit")).to_be_focused()
    _assert_same_page(page, True)

    # The relative time is a tab stop that shows (and tells a screen reader) the exact time.
    when = page.locator("article.comment time.when").first
    exact = when.get_attribute("title")
    assert re.fullmatch(r"\d{1,2} \w+ \d{4}, \d\d:\d\d", exact)
    when.focus()
    expect(when).to_be_focused()
    shown = when.evaluate("el => getComputedStyle(el, '::after').content")
    assert shown == f'"{exact}"'
    expect(when.locator(".visually-hidden")).to_have_text(f" ({exact})")

    # The counter is tied to the field and speaks politely near the limit, not on every letter.
    field = page.locator("#comment-form textarea")
    counter = page.locator("#comment-form .char-counter")
    assert counter.get_attribute("id") in field.get_attribute("aria-describedby")
    field.fill("kort")
    expect(counter).to_have_text("4 van 2000 tekens")
    expect(counter).to_have_attribute("aria-live", "off")
    field.fill("x" * 1990)
    expect(counter).to_have_text("1990 van 2000 tekens")
    expect(counter).to_have_attribute("aria-live", "polite")


@pytest.mark.parametrize("javascript", JS)
def test_hostile_text_stays_text_and_a_double_click_posts_once(make_page, login, content, javascript):
    from feedback.models import Comment

    topic = _topic(content)
    participant = ParticipantFactory(first_name="<img src=x onerror=alert(1)>", organisation="\u202eevil")
    page = make_page(javascript, locale="nl-NL")
    page.set_viewport_size({"width": 375, "height": 800})
    login(page, participant)
    page.goto(topic.get_absolute_url())
    nasty = '<script>alert(1)</script> "><img src=x onerror=alert(2)> javascript:alert(3) ' + "W" * 300
    form = page.locator("#discussion form.comment-form")
    form.get_by_role("textbox").fill(nasty)
    form.get_by_role("button", name="Plaats reactie").dblclick()
    expect(page.get_by_role("status").first).to_contain_text("Uw reactie is geplaatst.")
    comment = page.locator("#discussion article.comment").first
    expect(comment.locator(".comment__text")).to_have_text(nasty)
    expect(comment.locator(".comment__author")).to_contain_text("<img src=x onerror=alert(1)>")
    expect(comment.locator(".comment__text *:not(br), .comment__meta img")).to_have_count(0)
    # A 300-letter word wraps instead of pushing the page sideways.
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    assert Comment.objects.filter(author=participant).count() == 1
