"""A moderator at work in the admin, logged in with two-step verification (TOTP)."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import assert_no_serious_violations
from tests.factories import ModeratorFactory, ParticipantFactory


def _recommendation(content):
    topic = content[6]
    return topic, topic.recommendations.order_by("position")[1]


def test_report_hide_with_reason_inform_and_restore(browser, live_server, login, content):
    from post_office.models import Email

    from feedback import services
    from feedback.models import AuditEntry

    topic, rec = _recommendation(content)
    anne = ParticipantFactory(first_name="Anne", last_name="Smit")
    bram = ParticipantFactory(first_name="Bram", last_name="Visser")
    comment = services.comment_create(author=anne, topic=topic, recommendation=rec, text="Jullie zijn allemaal idioten")
    services.comment_create(author=bram, topic=topic, recommendation=rec, parent=comment, text="Dat is niet netjes")

    def new_page():
        context = browser.new_context(base_url=live_server.url, locale="nl-NL", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        return context.new_page()

    # A participant reports the comment.
    reporter = new_page()
    login(reporter, bram)
    reporter.goto(f"/onderwerpen/{topic.slug}/adviezen/{rec.pk}/")
    reporter.locator(f"#comment-{comment.pk}").get_by_role("link", name=re.compile("^Meld")).click()
    reporter.get_by_label("Beledigend of discriminerend").check()
    reporter.get_by_role("button", name="Verstuur melding").click()
    expect(reporter.get_by_role("status").first).to_contain_text("Uw melding is ontvangen.")

    # The start page shows one open report, linked to the comment.
    moderator = ModeratorFactory(first_name="Mo", last_name="Derator")
    page = new_page()
    login(page, moderator)  # with the code from the authenticator app (TOTP) in this session
    page.goto("/")
    page.get_by_role("link", name="Beheer").click()
    expect(page.locator("#site-name")).to_contain_text("NMP Participatie — beheer")
    attention = page.locator("#attention")
    expect(attention).to_contain_text("1 open melding")
    assert_no_serious_violations(page)
    attention.get_by_role("link", name=re.compile("Jullie zijn allemaal")).click()

    # The detail page: full text, the report, and the decision with a reason.
    expect(page.locator("#content")).to_contain_text("Jullie zijn allemaal idioten")
    assert_no_serious_violations(page)
    hide = page.locator("#decision-hide")
    hide.get_by_role("button", name="Verberg deze reactie").click()
    expect(page.locator("#decision-hide .errorlist").first).to_contain_text("Dit veld is verplicht.")
    hide = page.locator("#decision-hide")
    hide.get_by_label("Reden").select_option(label="Persoonlijke aanval")
    hide.get_by_label("Toelichting").fill("Schelden op andere deelnemers")
    hide.get_by_role("button", name="Verberg deze reactie").click()
    expect(page.locator(".messagelist")).to_contain_text("1 reactie verborgen.")

    # The public page: the placeholder with the reason, and the reply still readable.
    visitor = new_page()
    visitor.goto(f"/onderwerpen/{topic.slug}/adviezen/{rec.pk}/")
    placeholder = visitor.locator(f"#comment-{comment.pk}")
    expect(placeholder).to_contain_text("verborgen door een moderator")
    expect(placeholder).to_contain_text("Persoonlijke aanval")
    expect(visitor.locator("body")).not_to_contain_text("Jullie zijn allemaal idioten")
    expect(visitor.locator("body")).to_contain_text("Dat is niet netjes")

    # The author's mail holds the reason; the reporter is told.
    to_anne = [e for e in Email.objects.order_by("pk") if anne.email in e.to]
    assert any("Schelden op andere deelnemers" in e.message and "Persoonlijke aanval" in e.message for e in to_anne)
    to_bram = [e for e in Email.objects.order_by("pk") if bram.email in e.to]
    assert any("de reactie is verborgen" in e.message.lower() for e in to_bram)

    # The audit log shows the decision.
    page.goto("/admin/feedback/auditentry/")
    expect(page.locator("#result_list")).to_contain_text("Reactie verborgen")
    expect(page.locator("#result_list")).to_contain_text("Mo Derator")
    assert_no_serious_violations(page)

    # Restore works and is logged.
    page.goto(f"/admin/feedback/comment/{comment.pk}/change/")
    page.get_by_role("button", name="Toon deze reactie weer").click()
    expect(page.locator(".messagelist")).to_contain_text("1 reactie weer getoond.")
    visitor.reload()
    expect(visitor.locator(f"#comment-{comment.pk}")).to_contain_text("Jullie zijn allemaal idioten")
    page.goto("/admin/feedback/auditentry/")
    expect(page.locator("#result_list")).to_contain_text("Reactie weer zichtbaar")
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["comment_restore", "comment_hide"]
    for context in {reporter.context, page.context, visitor.context}:
        context.close()


@pytest.mark.parametrize("language", ["nl", "en"])
def test_admin_pages_a_moderator_uses_have_no_serious_accessibility_violations(page, login, content, language):
    from feedback import moderation, services

    topic, rec = _recommendation(content)
    author, reporter = ParticipantFactory(), ParticipantFactory()
    comment = services.comment_create(author=author, topic=topic, recommendation=rec, text="Een gemelde reactie")
    services.report_create(comment=comment, reporter=reporter, reason="spam")
    proposal = services.proposal_submit(author=author, topic=topic, text="Een voorstel")
    moderator = login(page, ModeratorFactory())
    other = services.comment_create(author=reporter, topic=topic, text="Een andere reactie")
    moderation.comment_hide(comment=other, moderator=moderator, reason_code="spam")
    prefix = "" if language == "nl" else "/en"
    pages = [
        "/admin/",
        "/admin/feedback/report/",
        "/admin/feedback/comment/",
        f"/admin/feedback/comment/{comment.pk}/change/",
        "/admin/feedback/proposal/",
        f"/admin/feedback/proposal/{proposal.pk}/change/",
        "/admin/feedback/auditentry/",
        "/admin/feedback/comment/export/",
        "/admin/topics/topic/",
        f"/admin/topics/topic/{topic.pk}/change/",
        "/admin/topics/recommendation/",
        f"/admin/topics/recommendation/{rec.pk}/change/",
        "/admin/participants/user/",
        f"/admin/participants/user/{author.pk}/change/",
    ]
    minor = {}
    for url in pages:
        page.goto(prefix + url)
        assert page.locator("#site-name").count() == 1, url
        minor[url] = assert_no_serious_violations(page)
    # The confirmation page of a bulk decision.
    page.goto(prefix + "/admin/feedback/comment/")
    page.locator(f"input[name='_selected_action'][value='{comment.pk}']").check()
    page.locator("select[name='action']").select_option("hide_selected")
    page.locator("button[name='index']").click()
    expect(page.locator("table.nmp-confirm__table")).to_contain_text("Een gemelde reactie")
    minor["confirmation"] = assert_no_serious_violations(page)
    print("\n".join(f"{url}:\n" + "\n".join(lines) for url, lines in minor.items() if lines))
