import pytest


@pytest.mark.django_db
def test_robots_txt_keeps_crawlers_out_of_personal_pages_without_touching_the_database(
    client, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    for path in ("/account/", "/profiel/", "/admin/", "/en/account/", "/en/profiel/", "/en/admin/"):
        assert f"Disallow: {path}" in lines
    assert "Disallow: /" not in lines  # the public pages stay findable
    assert "public" in response["Cache-Control"]


@pytest.mark.django_db
def test_robots_txt_refuses_a_post(client):
    assert client.post("/robots.txt").status_code == 405
