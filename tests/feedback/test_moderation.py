"""Moderators' decisions: each refuses an empty reason, writes one audit entry and mails the people concerned once."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from feedback import moderation, moderation_mail, retention, services
from feedback.models import AuditAction, AuditEntry, Comment, DecisionMail, OfficialResponse, Proposal, Report
from tests.factories import ConsiderationFactory, ModeratorFactory, ParticipantFactory, RecommendationFactory
from topics.models import Source, TextRevision


@pytest.fixture
def moderator(db):
    return ModeratorFactory(first_name="Mona", last_name="Moderator")


@pytest.fixture
def mails(django_capture_on_commit_callbacks):
    """Run a decision and deliver the mails it queues after commit; returns the delivered mails."""

    def run(call):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            result = call()
        return result, list(mail.outbox)

    return run


def _entries(action):
    return list(AuditEntry.objects.filter(action=action))


def _field_error(excinfo, field):
    return field in excinfo.value.message_dict


# --- Hide, restore, reports ---------------------------------------------------------


def test_hide_mails_author_with_reason_and_contact_and_tells_reporters(
    participant, other, recommendation, topic, moderator, mails
):
    comment = services.comment_create(author=other, topic=topic, recommendation=recommendation, text="Jij bent dom")
    quiet = ParticipantFactory()
    services.report_create(comment=comment, reporter=participant, reason="offensive")
    report = services.report_create(comment=comment, reporter=quiet, reason="offensive")
    Report.objects.filter(pk=report.pk).update(notify_outcome=False)

    comment, sent = mails(
        lambda: moderation.comment_hide(
            comment=comment, moderator=moderator, reason_code="personal_attack", reason_text="Scheldwoord"
        )
    )
    assert comment.is_hidden and comment.hidden_reason_code == "personal_attack" and comment.text == "Jij bent dom"
    assert sorted(m.to[0] for m in sent) == sorted([other.email, participant.email])
    to_author = next(m for m in sent if m.to == [other.email])
    assert "Persoonlijke aanval: Scheldwoord" in to_author.body
    assert settings.CONTACT_EMAIL in to_author.body and "Jij bent dom" in to_author.body
    for message in sent:  # the portal's layout: greeting, who sends it, signature
        assert message.subject.startswith("[NMP Participatie] ")
        assert "Dit is een bericht van NMP Participatie." in message.body
        assert message.body.rstrip().endswith(f"Met vriendelijke groet,\nNMP Participatie\n{settings.SITE_URL}/")
    to_reporter = next(m for m in sent if m.to == [participant.email])
    assert "De reactie is verborgen." in to_reporter.body
    assert set(Report.objects.values_list("outcome", flat=True)) == {"hidden"}

    (entry,) = _entries(AuditAction.COMMENT_HIDE)
    assert entry.actor == moderator and entry.topic == topic and entry.object_id == str(comment.pk)
    assert entry.old_state == {"is_hidden": False} and entry.new_state["reason_code"] == "personal_attack"
    assert "Jij bent dom" not in str(entry.new_state) + entry.target_repr + entry.reason

    # A second moderator hiding it too: nothing new, no mail.
    _again, sent = mails(
        lambda: moderation.comment_hide(comment=comment, moderator=ModeratorFactory(), reason_code="spam")
    )
    assert sent == [] and len(_entries(AuditAction.COMMENT_HIDE)) == 1
    # The mail task run twice sends nothing twice.
    assert moderation_mail.decision_mail_send(entry_id=entry.pk) == 0
    assert DecisionMail.objects.count() == 2


def test_hide_refuses_participants_unknown_codes_and_other_without_text(other, topic, moderator):
    comment = services.comment_create(author=other, topic=topic, text="Iets")
    with pytest.raises(PermissionDenied):
        moderation.comment_hide(comment=comment, moderator=ParticipantFactory(), reason_code="spam")
    with pytest.raises(ValidationError) as excinfo:
        moderation.comment_hide(comment=comment, moderator=moderator, reason_code="other", reason_text="  ")
    assert _field_error(excinfo, "reason_text")
    with pytest.raises(ValidationError) as excinfo:
        moderation.comment_hide(comment=comment, moderator=moderator, reason_code="author_blocked")
    assert _field_error(excinfo, "reason_code")
    assert not Comment.objects.get(pk=comment.pk).is_hidden and AuditEntry.objects.count() == 0


def test_restore_is_logged_and_hidden_placeholder_keeps_replies(client, participant, other, topic, moderator):
    comment = services.comment_create(author=other, topic=topic, text="Verboden taal")
    services.comment_create(author=participant, topic=topic, parent=comment, text="Een nette reactie")
    moderation.comment_hide(comment=comment, moderator=moderator, reason_code="off_topic")
    page = client.get(topic.get_absolute_url()).content.decode()
    assert "Verboden taal" not in page and "Een nette reactie" in page
    assert "Gaat niet over dit onderwerp" in page

    moderation.comment_restore(comment=comment, moderator=moderator)
    comment.refresh_from_db()
    assert not comment.is_hidden and comment.hidden_reason_code == ""
    (entry,) = _entries(AuditAction.COMMENT_RESTORE)
    assert entry.old_state["reason_code"] == "off_topic" and entry.new_state == {"is_hidden": False}
    assert "Verboden taal" in client.get(topic.get_absolute_url()).content.decode()


def test_reports_resolve_no_action_resolves_all_and_mails_each_reporter_once(other, topic, moderator, mails):
    comment = services.comment_create(author=other, topic=topic, text="Scherp maar netjes")
    reporters = [ParticipantFactory(), ParticipantFactory(), ParticipantFactory()]
    for reporter in reporters:
        services.report_create(comment=comment, reporter=reporter, reason="offensive")
    count, sent = mails(lambda: moderation.reports_resolve(comment=comment, moderator=moderator, outcome="no_action"))
    assert count == 3
    assert sorted(m.to[0] for m in sent) == sorted(r.email for r in reporters)
    assert all("De reactie blijft staan." in m.body for m in sent)
    assert not Report.objects.filter(resolved_at__isnull=True).exists()
    assert set(Report.objects.values_list("outcome", flat=True)) == {"no_action"}
    assert not Comment.objects.get(pk=comment.pk).is_hidden
    # Resolved already: a second moderator's click changes nothing.
    again, sent = mails(lambda: moderation.reports_resolve(comment=comment, moderator=moderator, outcome="no_action"))
    assert again == 0 and sent == [] and len(_entries(AuditAction.REPORTS_RESOLVE)) == 1
    with pytest.raises(ValidationError):
        moderation.reports_resolve(comment=comment, moderator=moderator, outcome="maybe")


def test_reports_resolve_hidden_hides_with_reason(participant, other, topic, moderator, mails):
    comment = services.comment_create(author=other, topic=topic, text="Koop nu goedkoop")
    services.report_create(comment=comment, reporter=participant, reason="spam")
    with pytest.raises(ValidationError):
        moderation.reports_resolve(comment=comment, moderator=moderator, outcome="hidden")
    count, sent = mails(
        lambda: moderation.reports_resolve(comment=comment, moderator=moderator, outcome="hidden", reason_code="spam")
    )
    assert count == 1 and Comment.objects.get(pk=comment.pk).is_hidden
    assert sorted(m.to[0] for m in sent) == sorted([other.email, participant.email])
    assert Report.objects.get().outcome == "hidden"


def test_feature_and_unfeature_are_logged(client, other, topic, moderator):
    comment = services.comment_create(author=other, topic=topic, text="Een sterk punt")
    moderation.comment_feature(comment=comment, moderator=moderator, featured=True)
    moderation.comment_feature(comment=comment, moderator=moderator, featured=True)
    assert Comment.objects.get(pk=comment.pk).is_featured
    assert len(_entries(AuditAction.COMMENT_FEATURE)) == 1
    assert "Uitgelicht" in client.get(topic.get_absolute_url()).content.decode()
    moderation.comment_feature(comment=comment, moderator=moderator, featured=False)
    assert len(_entries(AuditAction.COMMENT_UNFEATURE)) == 1
    with pytest.raises(PermissionDenied):
        moderation.comment_feature(comment=comment, moderator=ParticipantFactory(), featured=True)


# --- Proposals ----------------------------------------------------------------------


def test_proposal_corrected_then_approved_keeps_original_and_mails_proposer(participant, topic, moderator, mails):
    RecommendationFactory(topic=topic, position=1)
    proposal = services.proposal_submit(author=participant, topic=topic, text="Meer gren in de stad", explanation="Hte")
    with pytest.raises(ValidationError) as excinfo:
        moderation.proposal_correct(
            proposal=proposal, moderator=moderator, text="Meer groen", explanation="", reason=""
        )
    assert _field_error(excinfo, "reason")
    proposal = moderation.proposal_correct(
        proposal=proposal, moderator=moderator, text="Meer groen in de stad", explanation="Hitte", reason="Typfout"
    )
    assert (proposal.original_text, proposal.original_explanation) == ("Meer gren in de stad", "Hte")
    (entry,) = _entries(AuditAction.PROPOSAL_CORRECT)
    assert entry.reason == "Typfout" and entry.new_state == {"text_changed": True, "explanation_changed": True}

    proposal, sent = mails(lambda: moderation.proposal_approve(proposal=proposal, moderator=moderator))
    rec = proposal.recommendation
    assert rec.text == "Meer groen in de stad" and rec.source == Source.PARTICIPANT and rec.position == 2
    (message,) = sent
    assert message.to == [participant.email] and "Meer groen in de stad" in message.body
    assert f"/advies/{rec.pk}/" in message.body or str(rec.pk) in message.body
    _again, sent = mails(lambda: moderation.proposal_approve(proposal=proposal, moderator=ModeratorFactory()))
    assert sent == [] and len(_entries(AuditAction.PROPOSAL_APPROVE)) == 1
    with pytest.raises(ValidationError):
        moderation.proposal_correct(proposal=proposal, moderator=moderator, text="Anders", explanation="", reason="x")


def test_proposal_reject_requires_reason_and_mails_it(participant, topic, moderator, mails):
    proposal = services.proposal_submit(author=participant, topic=topic, text="Iets")
    with pytest.raises(ValidationError) as excinfo:
        moderation.proposal_reject(proposal=proposal, moderator=moderator, reason="   ")
    assert _field_error(excinfo, "reason")
    proposal, sent = mails(
        lambda: moderation.proposal_reject(proposal=proposal, moderator=moderator, reason="Valt buiten het NMP")
    )
    assert proposal.status == Proposal.Status.REJECTED
    (message,) = sent
    assert message.to == [participant.email] and "Valt buiten het NMP" in message.body
    assert settings.CONTACT_EMAIL in message.body
    (entry,) = _entries(AuditAction.PROPOSAL_REJECT)
    assert entry.reason == "Valt buiten het NMP"


def test_proposal_mark_duplicate_links_recommendation_and_mails(participant, topic, moderator, mails):
    existing = RecommendationFactory(topic=topic, position=1, text="Meer bomen planten")
    elsewhere = RecommendationFactory(position=1)
    proposal = services.proposal_submit(author=participant, topic=topic, text="Plant meer bomen")
    with pytest.raises(ValidationError) as excinfo:
        moderation.proposal_mark_duplicate(proposal=proposal, moderator=moderator, recommendation=elsewhere)
    assert _field_error(excinfo, "recommendation")
    proposal, sent = mails(
        lambda: moderation.proposal_mark_duplicate(proposal=proposal, moderator=moderator, recommendation=existing)
    )
    assert proposal.status == Proposal.Status.DUPLICATE and proposal.duplicate_of == existing
    (message,) = sent
    assert "Meer bomen planten" in message.body and "Plant meer bomen" in message.body
    assert _entries(AuditAction.PROPOSAL_DUPLICATE)[0].new_state["duplicate_of"] == existing.pk


# --- Official responses -------------------------------------------------------------


def test_official_response_mailed_once_to_voters_and_commenters_who_want_updates(
    client, recommendation, topic, moderator, mails
):
    voter, commenter, unsubscribed, bystander = (ParticipantFactory() for _ in range(4))
    services.vote_cast(participant=voter, recommendation=recommendation, choice="agree")
    services.vote_cast(participant=unsubscribed, recommendation=recommendation, choice="disagree")
    services.comment_create(author=commenter, topic=topic, recommendation=recommendation, text="Goed plan")
    services.comment_create(author=bystander, topic=topic, text="Over iets anders")
    unsubscribed.notify_updates = False
    unsubscribed.save()

    _response, sent = mails(
        lambda: moderation.official_response_set(
            target=recommendation, moderator=moderator, text="We nemen dit mee in de uitwerking."
        )
    )
    assert sorted(m.to[0] for m in sent) == sorted([voter.email, commenter.email])
    assert all("We nemen dit mee in de uitwerking." in m.body for m in sent)
    assert all(m.subject == "[NMP Participatie] Reactie van het programmateam" for m in sent)

    # A correction of the text is logged but not mailed again.
    _response, sent = mails(
        lambda: moderation.official_response_set(
            target=recommendation, moderator=moderator, text="We nemen dit mee in de uitwerking van 2027."
        )
    )
    assert sent == [] and OfficialResponse.objects.count() == 1
    entries = _entries(AuditAction.OFFICIAL_RESPONSE_SET)
    assert len(entries) == 2 and {e.new_state["notify"] for e in entries} == {True, False}
    with pytest.raises(ValidationError) as excinfo:
        moderation.official_response_set(target=recommendation, moderator=moderator, text=" ")
    assert _field_error(excinfo, "text")

    page = client.get(recommendation_url(recommendation)).content.decode()
    assert "Reactie van het programmateam" in page and "We nemen dit mee in de uitwerking van 2027." in page


def recommendation_url(recommendation):
    from django.urls import reverse

    return reverse(
        "feedback:recommendation_detail", kwargs={"slug": recommendation.topic.slug, "pk": recommendation.pk}
    )


def test_official_response_on_a_comment_goes_to_its_author_and_repliers(other, participant, topic, moderator, mails):
    comment = services.comment_create(author=other, topic=topic, text="Wanneer komt het besluit?")
    services.comment_create(author=participant, topic=topic, parent=comment, text="Dat vraag ik me ook af")
    _response, sent = mails(
        lambda: moderation.official_response_set(target=comment, moderator=moderator, text="In het najaar.")
    )
    assert sorted(m.to[0] for m in sent) == sorted([other.email, participant.email])


# --- Topics, blocks, text -----------------------------------------------------------


def test_topic_schedule_logged_and_date_order_refused(topic, moderator):
    opens, closes = timezone.now() - timedelta(days=2), timezone.now() + timedelta(days=9)
    with pytest.raises(ValidationError) as excinfo:
        moderation.topic_schedule(topic=topic, moderator=moderator, opens_at=closes, closes_at=opens)
    assert _field_error(excinfo, "closes_at")
    topic = moderation.topic_schedule(topic=topic, moderator=moderator, opens_at=opens, closes_at=closes)
    assert topic.closes_at == closes
    (entry,) = _entries(AuditAction.TOPIC_SCHEDULE)
    assert entry.new_state["closes_at"] == closes.isoformat()
    with pytest.raises(PermissionDenied):
        moderation.topic_schedule(topic=topic, moderator=ParticipantFactory(), opens_at=None, closes_at=None)


def test_block_with_hidden_comments_and_unblock_mail_the_participant(other, topic, moderator, mails):
    first = services.comment_create(author=other, topic=topic, text="Eerste")
    second = services.comment_create(author=other, topic=topic, text="Tweede")
    with pytest.raises(ValidationError) as excinfo:
        moderation.participant_block(user=other, moderator=moderator, reason="")
    assert _field_error(excinfo, "reason")
    user, sent = mails(
        lambda: moderation.participant_block(
            user=other, moderator=moderator, reason="Herhaald schelden", hide_comments=True
        )
    )
    assert user.is_blocked and user.blocked_reason == "Herhaald schelden"
    (message,) = sent  # the block mail only, not one per hidden comment
    assert message.to == [other.email] and "Herhaald schelden" in message.body
    assert settings.CONTACT_EMAIL in message.body
    assert set(Comment.objects.filter(pk__in=[first.pk, second.pk]).values_list("hidden_reason_code", flat=True)) == {
        "author_blocked"
    }
    assert len(_entries(AuditAction.COMMENT_HIDE)) == 2 and len(_entries(AuditAction.PARTICIPANT_BLOCK)) == 1
    _same, sent = mails(lambda: moderation.participant_block(user=other, moderator=moderator, reason="Nog eens"))
    assert sent == []

    with pytest.raises(ValidationError):
        moderation.participant_unblock(user=other, moderator=moderator, reason="")
    user, sent = mails(
        lambda: moderation.participant_unblock(user=other, moderator=moderator, reason="Excuses gemaakt")
    )
    assert not user.is_blocked
    (message,) = sent
    assert "Excuses gemaakt" in message.body
    (entry,) = _entries(AuditAction.PARTICIPANT_UNBLOCK)
    assert entry.old_state["blocked_reason"] == "Herhaald schelden"


def test_voted_recommendation_text_needs_reason_and_is_shown_with_previous_text(
    client, participant, recommendation, topic, moderator
):
    services.vote_cast(participant=participant, recommendation=recommendation, choice="agree")
    old = recommendation.text
    with pytest.raises(ValidationError) as excinfo:
        moderation.item_text_correct(item=recommendation, moderator=moderator, text=old + " (gecorrigeerd)", reason="")
    assert _field_error(excinfo, "reason") and "gestemd" in " ".join(excinfo.value.message_dict["reason"])
    assert TextRevision.objects.count() == 0
    moderation.item_text_correct(
        item=recommendation, moderator=moderator, text=old + " (gecorrigeerd)", reason="Typfout hersteld"
    )
    recommendation.refresh_from_db()
    assert recommendation.text == old + " (gecorrigeerd)"
    (revision,) = TextRevision.objects.all()
    assert revision.old_text == old and revision.reason == "Typfout hersteld" and revision.changed_by == moderator
    (entry,) = _entries(AuditAction.ITEM_TEXT_CORRECT)
    assert entry.old_state == {"text": old} and entry.new_state["had_votes"] is True

    page = client.get(topic.get_absolute_url()).content.decode()
    assert "Tekst aangepast op" in page and "Typfout hersteld" in page
    assert "Uit de werksessie van 26 juni 2024" in page


def test_consideration_text_correction(client, topic, moderator):
    consideration = ConsiderationFactory(topic=topic, position=1, text="Oude tekts")
    moderation.item_text_correct(item=consideration, moderator=moderator, text="Nieuwe tekst", reason="Spelling")
    assert consideration.revisions.get().new_text == "Nieuwe tekst"
    page = client.get(topic.get_absolute_url()).content.decode()
    item = page[page.index(f'id="consideration-{consideration.pk}"') :]
    item = item[: item.index("</li>")]
    assert "Nieuwe tekst" in item and "Tekst aangepast op" in item and "Oude tekts" in item
    with pytest.raises(PermissionDenied):
        moderation.item_text_correct(item=consideration, moderator=ParticipantFactory(), text="x", reason="y")


# --- Deleted means gone, retention, digest ------------------------------------------


def test_deleted_comment_text_is_gone_from_the_database(participant, topic):
    comment = services.comment_create(author=participant, topic=topic, text="Mijn geheime mening")
    services.comment_delete(comment=comment, author=participant)
    assert not Comment.objects.filter(text__contains="geheime").exists()
    assert Comment.objects.get(pk=comment.pk).is_deleted


def test_retention_erases_hidden_text_after_the_period(other, topic, moderator, settings):
    settings.MODERATION_HIDDEN_RETENTION_DAYS = 30
    old = services.comment_create(author=other, topic=topic, text="Oud bewijs")
    recent = services.comment_create(author=other, topic=topic, text="Nieuw bewijs")
    moderation.comment_hide(comment=old, moderator=moderator, reason_code="spam")
    moderation.comment_hide(comment=recent, moderator=moderator, reason_code="spam")
    Comment.objects.filter(pk=old.pk).update(hidden_at=timezone.now() - timedelta(days=31))
    from feedback import tasks

    assert tasks.erase_expired_hidden_comments.delay().get() == 1
    assert retention.hidden_comments_erase() == 0
    old.refresh_from_db()
    assert old.text == "" and old.text_erased_at and old.is_hidden
    assert Comment.objects.get(pk=recent.pk).text == "Nieuw bewijs"
    with pytest.raises(ValidationError):
        moderation.comment_restore(comment=old, moderator=moderator)


def test_digest_at_most_hourly_and_respects_opt_out(participant, other, topic, moderator, mails):
    opted_out = ModeratorFactory(notify_moderation_digest=False)
    assert moderation_mail.moderation_digest_send() == 0  # nothing new
    comment = services.comment_create(author=other, topic=topic, text="Iets")
    services.report_create(comment=comment, reporter=participant, reason="spam")
    services.proposal_submit(author=participant, topic=topic, text="Een voorstel")
    now = timezone.now()
    count, sent = mails(lambda: moderation_mail.moderation_digest_send(now=now))
    assert count == 1
    (message,) = sent
    assert message.to == [moderator.email] and opted_out.email not in message.to
    assert "1 nieuwe melding" in message.body and "1 nieuw voorstel" in message.body

    services.proposal_submit(author=participant, topic=topic, text="Nog een voorstel")
    assert moderation_mail.moderation_digest_send(now=now + timedelta(minutes=59)) == 0
    count, sent = mails(lambda: moderation_mail.moderation_digest_send(now=timezone.now() + timedelta(minutes=61)))
    assert count == 1
    assert "Nog een voorstel" in sent[0].body and "Een voorstel\n" not in sent[0].body


# --- The audit log cannot be changed ------------------------------------------------


def test_audit_entry_refuses_change_and_delete_in_python(other, topic, moderator):
    comment = services.comment_create(author=other, topic=topic, text="x")
    moderation.comment_hide(comment=comment, moderator=moderator, reason_code="spam")
    entry = AuditEntry.objects.get()
    entry.reason = "anders"
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()
    with pytest.raises(ValidationError):
        AuditEntry.objects.all().update(reason="anders")
    with pytest.raises(ValidationError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get().reason == "Spam of reclame"


def test_a_failing_mail_does_not_undo_the_decision(other, topic, moderator, monkeypatch, mails):
    comment = services.comment_create(author=other, topic=topic, text="x")

    def broken(**kwargs):
        raise RuntimeError("mail server down")

    monkeypatch.setattr(moderation_mail, "decision_mail_send", broken)
    _comment, sent = mails(lambda: moderation.comment_hide(comment=comment, moderator=moderator, reason_code="spam"))
    assert sent == [] and Comment.objects.get(pk=comment.pk).is_hidden
    assert AuditEntry.objects.filter(action=AuditAction.COMMENT_HIDE).count() == 1


# --- Choices on the site ------------------------------------------------------------


def test_report_form_asks_whether_to_mail_the_outcome(client, participant, other, topic):
    from django.urls import reverse

    comment = services.comment_create(author=other, topic=topic, text="Iets")
    client.force_login(participant)
    url = reverse("feedback:comment_report", args=[comment.pk])
    assert "Mail mij wat de moderatoren besluiten" in client.get(url).content.decode()
    client.post(url, {"reason": "spam"})  # the box left unticked
    assert Report.objects.get().notify_outcome is False


def test_digest_choice_on_the_profile_page_for_moderators_only(client, moderator):
    from django.urls import reverse

    participant = ParticipantFactory()
    client.force_login(participant)
    assert "notify_moderation_digest" not in client.get(reverse("participants:profile")).content.decode()
    client.force_login(moderator)
    page = client.get(reverse("participants:profile")).content.decode()
    assert "Mail mij nieuwe meldingen en voorstellen" in page
    fields = {
        "first_name": "Mona",
        "last_name": "Moderator",
        "organisation": "Ministerie",
        "sector": "rijksoverheid",
        "participates_as": "organisation",
        "display_mode": "name_organisation",
        "notify_updates": "on",
        "language": "nl",
    }
    assert client.post(reverse("participants:profile"), fields).status_code == 302
    moderator.refresh_from_db()
    assert moderator.notify_moderation_digest is False
    assert moderation_mail.digest_recipients().filter(pk=moderator.pk).exists() is False


def test_privacy_statement_names_the_retention_period_in_both_languages(db, client, settings):
    from django.utils import translation

    settings.MODERATION_HIDDEN_RETENTION_DAYS = 90
    # override() puts the thread's language back afterwards: a request to /en/ leaves English active, and
    # pages outside the language prefixes would then render in English in the tests that follow.
    with translation.override(settings.LANGUAGE_CODE):
        dutch = client.get("/privacy/").content.decode()
        assert "de tekst bewaren wij nog 90 dagen" in dutch and "de tekst wissen wij meteen" in dutch
        english = client.get("/en/privacy/").content.decode()
        assert "we keep its text for 90 more days" in english


def test_deleting_a_comment_also_removes_it_from_kept_reply_mails(
    participant, other, topic, django_capture_on_commit_callbacks
):
    from post_office.models import Email

    thread = services.comment_create(author=participant, topic=topic, text="Mijn punt")
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.comment_create(author=other, topic=topic, parent=thread, text="Een antwoord dat ik intrek")
    assert Email.objects.filter(message__contains="Een antwoord dat ik intrek").count() == 1
    services.comment_delete(comment=reply, author=other)
    assert not Email.objects.filter(message__contains="Een antwoord dat ik intrek").exists()
    assert not Email.objects.filter(html_message__contains="Een antwoord dat ik intrek").exists()
