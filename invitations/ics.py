"""The event as an iCalendar file (RFC 5545): one VEVENT, times in Europe/Amsterdam."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from icalendar import Calendar
from icalendar import Event as VEvent

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def event_url(event) -> str:
    return settings.SITE_URL + reverse("invitations:event", kwargs={"slug": event.slug})


def event_ics(event) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//NMP Participatie//Bijeenkomsten//NL")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    vevent = VEvent()
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "nmp"
    vevent.add("uid", f"event-{event.pk}-{event.slug}@{host}")
    vevent.add("dtstamp", event.created_at)
    vevent.add("dtstart", event.starts_at.astimezone(AMSTERDAM))
    vevent.add("dtend", event.ends_at.astimezone(AMSTERDAM))
    vevent.add("summary", event.title)
    location = ", ".join(part for part in (event.location, event.address) if part)
    vevent.add("location", location)
    url = event_url(event)
    vevent.add("url", url)
    description = "\n\n".join(part for part in (event.description, event.online_url, url) if part)
    vevent.add("description", description)
    calendar.add_component(vevent)
    calendar.add_missing_timezones()
    return calendar.to_ical()
