"""The briefing workbook made by a real Celery worker: it finds the task in the results package by name."""

import io
import time

import pytest
from openpyxl import load_workbook

from tests.auth import staff_mfa_login
from tests.factories import ModeratorFactory, RecommendationFactory, TopicFactory


@pytest.fixture
def shared_media(tmp_path, monkeypatch, settings):
    """One media folder for this process and the worker (started after this fixture, with this environment)."""
    monkeypatch.setenv("DJANGO_MEDIA_ROOT", str(tmp_path))
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_workbook_is_built_by_a_real_worker(shared_media, celery_worker_process, client):
    RecommendationFactory(topic=TopicFactory(number=3, title="Bodem"))
    staff_mfa_login(client, ModeratorFactory())
    response = client.post("/resultaten/briefing/werkmap/")
    assert response.status_code == 302
    job_url = response["Location"]
    deadline = time.monotonic() + 60
    status = client.get(job_url, {"format": "json"}).json()
    while status["state"] != "done" and time.monotonic() < deadline:
        assert status["state"] != "failed"
        time.sleep(0.25)
        status = client.get(job_url, {"format": "json"}).json()
    assert status["state"] == "done" and status["progress"] == 100
    download = client.get(status["download_url"])
    workbook = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert workbook.sheetnames == ["3. Bodem", "Reacties"]
