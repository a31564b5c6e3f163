"""Moderators' decisions as participants see them: approved proposals apart, official responses, placeholders.

The decisions are taken through the services the admin calls (feedback.moderation); the
participant's side (proposing, voting, reading, the mails) goes through the browser.
"""

import re

from django.core import mail
from playwright.sync_api import expect

from tests.e2e.axe import assert_accessible
from tests.factories import ModeratorFactory, ParticipantFactory


def _topic(content):
    return content[6]


def test_proposal_corrected_approved_listed_apart_votable_and_proposer_mailed(page, login, content):
    from feedback import moderation
    from feedback.models import Proposal, Vote

    topic = _topic(content)
    workshop_count = topic.recommendations.count()
    proposer = ParticipantFactory(first_name="Fatima", last_name="El Amrani", organisation="Gemeente Zwolle")
    login(page, proposer)
    page.goto(topic.get_absolute_url())
    page.locator("#propose summary").click()
    page.get_by_role("textbox", name=re.compile(r"^Uw voorstel voor een advies")).fill(
        "Maak een landelijk meldpunt voor stapeling van hinderr."
    )
    page.get_by_role("button", name="Verstuur voorstel").click()
    expect(page.get_by_role("status").first).to_contain_text("Bedankt voor uw voorstel.")
    proposal = Proposal.objects.get(author=proposer)

    moderator = ModeratorFactory()
    mail.outbox.clear()
    moderation.proposal_correct(
        proposal=proposal,
        moderator=moderator,
        text="Maak een landelijk meldpunt voor stapeling van hinder.",
        explanation="",
        reason="Typfout",
    )
    proposal = moderation.proposal_approve(proposal=proposal, moderator=moderator)
    (message,) = [m for m in mail.outbox if m.to == [proposer.email]]
    assert message.subject == "[NMP Participatie] Uw voorstel staat op de site"
    assert "Maak een landelijk meldpunt voor stapeling van hinder." in message.body
    assert f"/adviezen/{proposal.recommendation_id}/" in message.body

    voter = ParticipantFactory()
    login(page, voter)
    page.goto("/")
    card = page.locator(".topic-card").filter(has_text=topic.title)
    expect(card).to_contain_text(f"{workshop_count} adviezen uit de werksessie")
    expect(card).to_contain_text("1 voorgesteld door deelnemers")
    page.goto(topic.get_absolute_url())
    workshop_list = page.locator("#recommendations-heading + ol")
    expect(workshop_list).not_to_contain_text("landelijk meldpunt")
    proposed = page.locator("#proposed")
    expect(proposed.get_by_role("heading", name="Voorgesteld door deelnemers")).to_be_visible()
    block = proposed.locator(f"#recommendation-{proposal.recommendation_id}")
    expect(block).to_contain_text("Maak een landelijk meldpunt voor stapeling van hinder.")
    expect(block).to_contain_text("Voorgesteld door een deelnemer: Fatima El Amrani (Gemeente Zwolle)")
    block.get_by_role("button", name="Eens", exact=True).click()
    expect(block.get_by_role("button", name="Eens", exact=True)).to_have_attribute("aria-pressed", "true")
    assert Vote.objects.filter(participant=voter, recommendation_id=proposal.recommendation_id).exists()
    assert_accessible(page)


def test_official_response_shown_on_the_recommendation_and_mailed_to_voters(page, login, content):
    from feedback import moderation

    topic = _topic(content)
    rec = topic.recommendations.order_by("position").first()
    voter = ParticipantFactory()
    quiet_voter = ParticipantFactory(notify_updates=False)
    for person in (voter, quiet_voter):
        login(page, person)
        page.goto(topic.get_absolute_url())
        page.locator(f"#recommendation-{rec.pk}").get_by_role("button", name="Eens", exact=True).click()
        expect(page.locator(f"#recommendation-{rec.pk}")).to_contain_text("Uw standpunt: Eens.")

    mail.outbox.clear()
    moderation.official_response_set(
        target=rec, moderator=ModeratorFactory(), text="Het programmateam neemt dit advies mee in de uitwerking."
    )
    assert [m.to for m in mail.outbox] == [[voter.email]]
    assert mail.outbox[0].subject == "[NMP Participatie] Reactie van het programmateam"
    assert "neemt dit advies mee in de uitwerking" in mail.outbox[0].body

    page.goto(f"/onderwerpen/{topic.slug}/adviezen/{rec.pk}/")
    response = page.get_by_role("complementary", name="Reactie van het programmateam")
    expect(response).to_contain_text("Het programmateam neemt dit advies mee in de uitwerking.")
    assert_accessible(page)


def test_hidden_featured_and_corrected_items_as_a_moderator_sees_them(page, login, content):
    from feedback import moderation, services

    topic = _topic(content)
    rec = topic.recommendations.order_by("position").first()
    author, replier = ParticipantFactory(), ParticipantFactory()
    moderator = ModeratorFactory()
    hidden = services.comment_create(author=author, topic=topic, recommendation=rec, text="Iets kwetsends")
    services.comment_create(author=replier, topic=topic, recommendation=rec, parent=hidden, text="Blijft leesbaar")
    good = services.comment_create(author=replier, topic=topic, recommendation=rec, text="Een sterk punt")
    moderation.comment_hide(comment=hidden, moderator=moderator, reason_code="personal_attack")
    moderation.comment_feature(comment=good, moderator=moderator, featured=True)
    moderation.item_text_correct(item=rec, moderator=moderator, text=rec.text + " (verbeterd)", reason="Typfout")

    login(page, moderator)
    page.goto(f"/onderwerpen/{topic.slug}/adviezen/{rec.pk}/")
    main = page.locator("main")
    expect(main).to_contain_text("verborgen door een moderator")
    expect(main).to_contain_text("Persoonlijke aanval")
    expect(main).not_to_contain_text("Iets kwetsends")
    expect(main).to_contain_text("Blijft leesbaar")
    expect(page.locator(f"#comment-{good.pk} .comment__featured")).to_have_text("Uitgelicht")
    page.get_by_text("Tekst aangepast op").first.click()
    expect(main).to_contain_text("Typfout")
    link = page.locator(f"#comment-{good.pk}").get_by_role("link", name=re.compile("^Modereer"))
    expect(link).to_have_attribute("href", f"/admin/feedback/comment/{good.pk}/change/")
    assert_accessible(page)
