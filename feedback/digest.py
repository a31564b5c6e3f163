"""The daily mail to followers of a topic: what is new there since the last mail, and its unsubscribe link.

``tasks.send_due_follow_digests`` (beat) finds the followers with news and
queues ``tasks.send_follow_digest`` per participant; that task calls
``follow_digest_send`` here.
"""

from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import unsubscribe_tokens
from .models import OfficialResponse, Proposal, TopicFollow

DIGEST_INTERVAL = timedelta(days=1)
CLOSING_NOTICE = timedelta(days=3)
UNSUBSCRIBE_SALT = "feedback.unsubscribe.follows"


def unsubscribe_token(user):
    return unsubscribe_tokens.user_token(user, salt=UNSUBSCRIBE_SALT)


def unsubscribe_user(token):
    """The user a follow-mail unsubscribe token belongs to, or None when it is not valid."""
    return unsubscribe_tokens.token_user(token, salt=UNSUBSCRIBE_SALT)


def _visible_responses():
    """Official responses on what the public can see: a published recommendation or a shown comment."""
    return OfficialResponse.objects.filter(
        Q(recommendation__isnull=False, recommendation__is_published=True)
        | Q(comment__isnull=False, comment__is_hidden=False, comment__is_deleted=False)
    )


def _closing_soon(topic, now):
    return topic.closes_at is not None and now < topic.closes_at <= now + CLOSING_NOTICE


def follow_digest_send(*, participant_id) -> bool:
    """Mail one participant what is new in the topics they follow; True when a mail was queued.

    Guarantees: at most one mail a day per participant, whatever the number of
    topics followed; only what came after the previous mail (or after following):
    proposals a moderator published, responses of the programme team on what the
    public can see, and once per topic that it closes within
    three days; nothing about topics the participant does not follow; never to a
    deleted or inactive account. Safe to run twice: the participant's follow rows
    are locked and record up to when they were told. The mail leaves after commit.
    """
    with transaction.atomic():
        follows = list(
            TopicFollow.objects.select_for_update(of=("self",))
            .select_related("topic", "participant")
            .filter(participant_id=participant_id)
            .order_by("topic__ordering", "topic__number")
        )
        if not follows:
            return False
        recipient = follows[0].participant
        if not recipient.is_active or recipient.deleted_at or not recipient.email:
            return False
        now = timezone.now()
        last = max((f.last_digest_at for f in follows if f.last_digest_at), default=None)
        if last and now < last + DIGEST_INTERVAL:
            return False
        since = {f.topic_id: f.last_digest_at or f.created_at for f in follows}
        proposals = Proposal.objects.filter(
            topic_id__in=since,
            status=Proposal.Status.APPROVED,
            recommendation__is_published=True,
            decided_at__lte=now,
        ).select_related("recommendation")
        new_items = {}
        for proposal in proposals.filter(decided_at__gt=min(since.values())).order_by("decided_at", "pk"):
            if proposal.decided_at > since[proposal.topic_id]:
                new_items.setdefault(proposal.topic_id, []).append(proposal.recommendation)
        new_responses = {}
        responses = (
            _visible_responses()
            .annotate(response_topic=Coalesce("recommendation__topic_id", "comment__topic_id"))
            .filter(response_topic__in=since, created_at__gt=min(since.values()), created_at__lte=now)
            .select_related("recommendation")
            .order_by("created_at", "pk")
        )
        for response in responses:
            if response.created_at > since[response.response_topic]:
                new_responses.setdefault(response.response_topic, []).append(response)
        sections = []
        for follow in follows:
            closing = not follow.closing_mailed and _closing_soon(follow.topic, now)
            items = new_items.get(follow.topic_id, [])
            answered = new_responses.get(follow.topic_id, [])
            if items or answered or closing:
                sections.append(
                    {"topic": follow.topic, "recommendations": items, "responses": answered, "closing": closing}
                )
        if not sections:
            return False
        _send_digest(recipient, sections)
        for follow in follows:
            follow.last_digest_at = now
            if any(s["closing"] and s["topic"].pk == follow.topic_id for s in sections):
                follow.closing_mailed = True
        TopicFollow.objects.bulk_update(follows, ["last_digest_at", "closing_mailed"])
    return True


def _send_digest(recipient, sections):
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        unsubscribe_url = settings.SITE_URL + reverse(
            "feedback:follow_unsubscribe", kwargs={"token": unsubscribe_token(recipient)}
        )
        for section in sections:
            section["url"] = settings.SITE_URL + section["topic"].get_absolute_url()
        context = {
            "recipient": recipient,
            "sections": sections,
            "follows_url": settings.SITE_URL + reverse("feedback:follows"),
            "unsubscribe_url": unsubscribe_url,
            "SITE_NAME": settings.SITE_NAME,
            "SITE_URL": settings.SITE_URL,
            "LANGUAGE_CODE": translation.get_language(),
        }
        subject = settings.EMAIL_SUBJECT_PREFIX + _("New on the topics you follow")
        body = render_to_string("feedback/email/follow_digest.txt", context)
        html = render_to_string("feedback/email/follow_digest.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        to=[recipient.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    message.send()


def follow_digests_due():
    """Ids of participants with news in a followed topic and no digest in the last day (for the beat task)."""
    now = timezone.now()
    follows = TopicFollow.objects.annotate(since=Coalesce("last_digest_at", "created_at"))
    published = Proposal.objects.filter(
        topic=OuterRef("topic"),
        status=Proposal.Status.APPROVED,
        recommendation__is_published=True,
        decided_at__gt=OuterRef("since"),
        decided_at__lte=now,
    )
    responded = _visible_responses().filter(
        Q(recommendation__topic=OuterRef("topic")) | Q(comment__topic=OuterRef("topic")),
        created_at__gt=OuterRef("since"),
        created_at__lte=now,
    )
    closing = Q(closing_mailed=False, topic__closes_at__gt=now, topic__closes_at__lte=now + CLOSING_NOTICE)
    recent = TopicFollow.objects.filter(participant=OuterRef("participant"), last_digest_at__gt=now - DIGEST_INTERVAL)
    return list(
        follows.filter(Exists(published) | Exists(responded) | closing)
        .filter(participant__is_active=True, participant__deleted_at__isnull=True)
        .exclude(Exists(recent))
        .order_by("participant_id")
        .values_list("participant_id", flat=True)
        .distinct()[:1000]
    )
