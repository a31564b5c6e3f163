"""Writes to the NMP content. Everything that changes topics goes through here."""

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from . import pagecache
from .models import Consideration, Recommendation, SiteText, Source, Topic

DEFAULT_CONTENT_FILE = Path(__file__).resolve().parent / "data" / "nmp_content.yaml"

GENERAL_KEYS = (
    "title",
    "retrospective",
    "catching_up",
    "topics_intro",
    "topics_outro",
    "follow_up",
    "contact",
    "contact_email",
)
TOPIC_KEYS = ("number", "slug", "title", "heading", "introduction", "question", "considerations", "recommendations")


class ContentFileError(ValidationError):
    """The data file is malformed or incomplete; the message names the item."""


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # changed in the database since the last load

    @property
    def changed(self):
        return bool(self.created or self.updated)


def _fingerprint(values):
    return hashlib.sha256(json.dumps(values, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _current_values(obj):
    return {name: getattr(obj, name) for name in obj.SEED_FIELDS}


def _text(value, where):
    if not isinstance(value, str) or not value.strip():
        raise ContentFileError(f"{where}: expected a non-empty text, got {value!r}.")
    return " ".join(value.split())


def parse_content_file(path):
    """Read and validate the data file; return plain data or raise ContentFileError naming the item."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ContentFileError(f"Content file not found: {path}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ContentFileError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ContentFileError(f"{path}: expected a mapping with 'general' and 'topics'.")

    general = raw.get("general")
    if not isinstance(general, dict):
        raise ContentFileError(f"{path}: 'general' is missing or not a mapping.")
    texts = {}
    for key in GENERAL_KEYS:
        value = general.get(key)
        if isinstance(value, list):
            texts[key] = "\n\n".join(_text(v, f"general.{key}[{i}]") for i, v in enumerate(value, 1))
        else:
            texts[key] = _text(value, f"general.{key}")

    topics = raw.get("topics")
    if not isinstance(topics, list) or not topics:
        raise ContentFileError(f"{path}: 'topics' is missing or empty.")
    parsed, numbers, slugs = [], set(), set()
    for index, topic in enumerate(topics, 1):
        where = f"topic #{index}"
        if not isinstance(topic, dict):
            raise ContentFileError(f"{where}: expected a mapping.")
        missing = [key for key in TOPIC_KEYS if key not in topic]
        if missing:
            raise ContentFileError(f"{where} ({topic.get('slug', '?')}): missing {', '.join(missing)}.")
        number = topic["number"]
        if not isinstance(number, int) or not 1 <= number <= 10 or number in numbers:
            raise ContentFileError(f"{where}: 'number' must be a unique whole number from 1 to 10, got {number!r}.")
        slug = topic["slug"]
        if not isinstance(slug, str) or not slug or slug in slugs:
            raise ContentFileError(f"{where}: 'slug' must be a unique text, got {slug!r}.")
        numbers.add(number)
        slugs.add(slug)
        where = f"topic {number} ({slug})"
        item = {
            "number": number,
            "slug": slug,
            "title": _text(topic["title"], f"{where}.title"),
            "heading": _text(topic["heading"], f"{where}.heading"),
            "introduction": _text(topic["introduction"], f"{where}.introduction"),
            "question": _text(topic["question"], f"{where}.question"),
        }
        for kind in ("considerations", "recommendations"):
            bullets = topic[kind]
            if not isinstance(bullets, list) or not bullets:
                raise ContentFileError(f"{where}.{kind}: expected a non-empty list.")
            item[kind] = [_text(b, f"{where}.{kind}[{i}]") for i, b in enumerate(bullets, 1)]
        parsed.append(item)
    return {"general": texts, "topics": parsed}


def _sync(obj, values, report, label):
    """Apply seeded values unless someone changed the object since the last load."""
    fingerprint = _fingerprint(values)
    if obj.seed_fingerprint == fingerprint:
        return
    if obj.seed_fingerprint and _fingerprint(_current_values(obj)) != obj.seed_fingerprint:
        report.kept.append(label)
        return
    for name, value in values.items():
        setattr(obj, name, value)
    obj.seed_fingerprint = fingerprint
    obj.full_clean()
    obj.save()
    report.updated.append(label)


def _load_items(model, topic, kind, texts, report):
    letter = kind[0]
    existing = {obj.seed_key: obj for obj in model.objects.filter(topic=topic, seed_key__isnull=False)}
    for position, text in enumerate(texts, 1):
        key = f"{topic.number}-{letter}-{position}"
        label = f"{kind[:-1]} {key}"
        values = {"text": text}
        obj = existing.get(key)
        if obj is not None:
            _sync(obj, values, report, label)
            continue
        taken = model.objects.filter(topic=topic, position=position).exists()
        if taken:  # a later contribution holds this place: append instead of moving it
            position = (model.objects.filter(topic=topic).aggregate(m=Max("position"))["m"] or 0) + 1
        obj = model(
            topic=topic,
            position=position,
            text=text,
            source=Source.WORKSHOP,
            seed_key=key,
            seed_fingerprint=_fingerprint(values),
        )
        obj.full_clean()
        obj.save()
        report.created.append(label)


@transaction.atomic
def content_load(*, path=DEFAULT_CONTENT_FILE) -> LoadReport:
    """Load the NMP workshop content from the data file.

    Guarantees: all or nothing (one transaction; a bad file raises
    ``ContentFileError`` naming the item and leaves the database as it was);
    idempotent (a second run changes nothing); never deletes anything and never
    overwrites a topic, item or text that was changed in the database since it
    was loaded, nor any field the file does not hold (phases, votes, comments).
    """
    data = parse_content_file(path)
    report = LoadReport()

    for key, text in data["general"].items():
        values = {"text": text}
        obj = SiteText.objects.filter(key=key).first()
        if obj is None:
            obj = SiteText(key=key, text=text, seed_fingerprint=_fingerprint(values))
            obj.full_clean()
            obj.save()
            report.created.append(f"text {key}")
        else:
            _sync(obj, values, report, f"text {key}")

    for item in data["topics"]:
        values = {name: item[name] for name in Topic.SEED_FIELDS}
        topic = Topic.objects.filter(slug=item["slug"]).first()
        if topic is None:
            topic = Topic(slug=item["slug"], ordering=item["number"], seed_fingerprint=_fingerprint(values), **values)
            topic.full_clean()
            topic.save()
            report.created.append(f"topic {item['slug']}")
        else:
            _sync(topic, values, report, f"topic {item['slug']}")
        _load_items(Consideration, topic, "considerations", item["considerations"], report)
        _load_items(Recommendation, topic, "recommendations", item["recommendations"], report)
    pagecache.bump(pagecache.CONTENT)
    return report
