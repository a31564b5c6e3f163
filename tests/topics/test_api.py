"""The read-only JSON API for the public content."""

import pytest

from topics.models import Topic

ITEM_KEYS = {"id", "position", "text", "source"}


@pytest.mark.django_db
def test_topic_list_returns_the_ten_topics_in_order(client, nmp_content, django_assert_num_queries):
    with django_assert_num_queries(3):
        response = client.get("/api/topics/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert [t["number"] for t in data] == list(range(1, 11))
    first = data[0]
    assert {"number", "slug", "title", "heading", "introduction", "url", "considerations", "recommendations"} <= set(
        first
    )
    assert first["url"] == "http://testserver/onderwerpen/milieunormering-gezondheid/"
    assert all(set(item) == ITEM_KEYS for item in first["considerations"] + first["recommendations"])
    assert [r["position"] for r in first["recommendations"]] == [1, 2, 3]
    assert first["recommendations"][1] == {
        "id": first["recommendations"][1]["id"],
        "position": 2,
        "text": "Voorkom woningen in hoog belastte gebieden.",
        "source": "workshop",
    }


@pytest.mark.django_db
def test_topic_detail_returns_one(client, nmp_content):
    topic = Topic.objects.get(number=7)
    data = client.get(f"/api/topics/{topic.slug}/").json()
    assert data["slug"] == topic.slug
    assert len(data["considerations"]) == 4
    assert len(data["recommendations"]) == 4


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/topics/bestaat-niet/", "/api/onbekend/", "/api/topics/7/results/x"])
def test_unknown_api_paths_answer_json_404(client, nmp_content, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json()["status"] == 404


@pytest.mark.django_db
def test_api_holds_no_personal_data(client, nmp_content):
    from tests.factories import UserFactory

    UserFactory(email="geheim@example.org", first_name="Geheime")
    body = client.get("/api/topics/").content.decode()
    assert "geheim@example.org" not in body
    assert "@" not in body.replace("postbusnationaalmilieuprogramma@minienw.nl", "")
