from django.conf import settings


def site(request):
    return {
        "SITE_NAME": settings.SITE_NAME,
        "CONTACT_EMAIL": settings.CONTACT_EMAIL,
        # The privacy statement names it, so the page and the erasing task never disagree.
        "HIDDEN_RETENTION_DAYS": settings.MODERATION_HIDDEN_RETENTION_DAYS,
    }
