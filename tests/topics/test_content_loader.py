"""The loader brings the retrospective in verbatim, safely, and only once."""

from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from tests.factories import RecommendationFactory
from topics.models import Consideration, Recommendation, SiteText, Source, Topic
from topics.services import DEFAULT_CONTENT_FILE, ContentFileError, content_load

# Bullets per topic in the published retrospective: (considerations, recommendations).
EXPECTED_COUNTS = {
    1: (8, 3),
    2: (5, 7),
    3: (8, 11),
    4: (7, 2),
    5: (5, 8),
    6: (9, 4),
    7: (4, 4),
    8: (3, 3),
    9: (3, 3),
    10: (6, 5),
}


def _raw():
    return yaml.safe_load(DEFAULT_CONTENT_FILE.read_text(encoding="utf-8"))


def _write(tmp_path, data) -> Path:
    path = tmp_path / "content.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _snapshot():
    return (
        list(Topic.objects.order_by("pk").values()),
        list(Consideration.objects.order_by("pk").values()),
        list(Recommendation.objects.order_by("pk").values()),
        list(SiteText.objects.order_by("pk").values()),
    )


def test_data_file_holds_every_bullet_per_topic():
    topics = _raw()["topics"]
    assert [t["number"] for t in topics] == list(range(1, 11))
    counts = {t["number"]: (len(t["considerations"]), len(t["recommendations"])) for t in topics}
    assert counts == EXPECTED_COUNTS


@pytest.mark.django_db
def test_loaded_content_matches_counts_and_order(nmp_content):
    assert nmp_content.count() == 10
    for topic in nmp_content:
        expected = EXPECTED_COUNTS[topic.number]
        assert (topic.considerations.count(), topic.recommendations.count()) == expected
        positions = list(topic.recommendations.values_list("position", flat=True))
        assert positions == list(range(1, expected[1] + 1))
    assert not Recommendation.objects.exclude(source=Source.WORKSHOP).exists()


@pytest.mark.django_db
def test_text_is_verbatim_with_broken_lines_joined(nmp_content):
    # Spelling as published ("belastte"), a bullet the PDF split over lines, typographic quotes kept.
    assert Recommendation.objects.filter(text="Voorkom woningen in hoog belastte gebieden.").exists()
    assert Consideration.objects.filter(
        text="Met cumulatie bedoelen we de stapeling van milieueffecten uit diverse bronnen, "
        "bijvoorbeeld geluid door wegverkeer, treinen en vliegverkeer."
    ).exists()
    assert Consideration.objects.filter(text__endswith="wat dit oplevert (“ecosysteemdiensten”)").exists()
    topic = Topic.objects.get(number=7)
    assert topic.title == "Cumulatie"
    assert topic.heading == "CUMULATIE VAN MILIEUEFFECTEN OP DE GEZONDHEID"
    assert topic.question.endswith("decentrale overheid in een gebied?")
    assert SiteText.objects.get(key="contact_email").text == "postbusnationaalmilieuprogramma@minienw.nl"


@pytest.mark.django_db
def test_loading_twice_changes_nothing(nmp_content):
    before = _snapshot()
    report = content_load()
    assert not report.changed
    assert _snapshot() == before


@pytest.mark.django_db
def test_loader_keeps_what_moderators_changed_and_never_deletes(nmp_content, tmp_path):
    topic = Topic.objects.get(number=4)
    topic.title = "Beprijzen (aangepast door moderator)"
    topic.save()
    edited = topic.recommendations.get(position=1)
    edited.text = "Tekst aangepast door een moderator."
    edited.save()
    hidden = topic.recommendations.get(position=2)
    hidden.is_published = False
    hidden.save()
    proposal = RecommendationFactory(topic=topic, position=3, source=Source.PARTICIPANT, text="Nieuw voorstel")

    # Even a file that has new wording for the same items does not overwrite the edits.
    data = _raw()
    data["topics"][3]["title"] = "Beprijzen, nieuwe titel in het bestand"
    data["topics"][3]["recommendations"][0] = "Nieuwe tekst in het bestand."
    report = content_load(path=_write(tmp_path, data))

    edited.refresh_from_db()
    hidden.refresh_from_db()
    topic.refresh_from_db()
    assert edited.text == "Tekst aangepast door een moderator."
    assert topic.title == "Beprijzen (aangepast door moderator)"
    assert hidden.is_published is False
    assert Recommendation.objects.get(pk=proposal.pk).text == "Nieuw voorstel"
    assert set(report.kept) == {"topic beprijzen", "recommendation 4-r-1"}
    assert Recommendation.objects.count() == sum(r for _, r in EXPECTED_COUNTS.values()) + 1


@pytest.mark.django_db
def test_loader_restores_deleted_items_and_applies_file_corrections(nmp_content, tmp_path):
    Recommendation.objects.filter(seed_key="1-r-2").delete()
    data = _raw()
    data["topics"][0]["considerations"][0] = "Gecorrigeerde overweging."
    report = content_load(path=_write(tmp_path, data))
    assert "recommendation 1-r-2" in report.created
    assert "consideration 1-c-1" in report.updated
    assert Consideration.objects.get(seed_key="1-c-1").text == "Gecorrigeerde overweging."


@pytest.mark.django_db
def test_loader_does_not_touch_consultation_dates(nmp_content):
    from django.utils import timezone

    Topic.objects.filter(number=1).update(opens_at=timezone.now())
    content_load()
    assert Topic.objects.get(number=1).opens_at is not None


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: d["topics"][2]["recommendations"].__setitem__(4, ""),
            "topic 3 (duurzaam-gedrag).recommendations[5]",
        ),
        (lambda d: d["topics"][5].pop("heading"), "missing heading"),
        (lambda d: d["topics"][1].__setitem__("number", 1), "'number' must be a unique whole number"),
        (lambda d: d["general"].pop("follow_up"), "general.follow_up"),
        (lambda d: d.__setitem__("topics", []), "'topics' is missing or empty"),
    ],
)
@pytest.mark.django_db
def test_bad_file_names_the_item_and_leaves_database_as_it_was(nmp_content, tmp_path, mutate, message):
    Topic.objects.filter(number=1).update(title="Vooraf gewijzigd")
    before = _snapshot()
    data = _raw()
    # A change early in the file that would be applied before the bad item is reached.
    data["topics"][0]["considerations"].append("Een extra overweging die niet mag blijven staan.")
    mutate(data)
    with pytest.raises(ContentFileError) as excinfo:
        content_load(path=_write(tmp_path, data))
    assert message in str(excinfo.value)
    assert _snapshot() == before


@pytest.mark.django_db
def test_command_reports_clear_error_for_unreadable_file(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("topics: [unclosed", encoding="utf-8")
    with pytest.raises(CommandError, match=r"Nothing was loaded.*not valid YAML"):
        call_command("load_nmp_content", file=str(broken))
    with pytest.raises(CommandError, match="Content file not found"):
        call_command("load_nmp_content", file=str(tmp_path / "missing.yaml"))
    assert not Topic.objects.exists()


@pytest.mark.django_db
def test_command_says_when_up_to_date(nmp_content, capsys):
    call_command("load_nmp_content")
    assert "Already up to date." in capsys.readouterr().out
