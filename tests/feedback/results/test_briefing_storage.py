"""The briefing workbook lives in the ``briefings`` storage (STORAGES), not on a web process's disk.

The worker writes it there, staff download it through a view that streams it
back from the storage, and the hourly task removes old ones through the same
API: so web and worker may run on different machines with shared or object storage.
"""

import io
import re
from datetime import timedelta
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from openpyxl import load_workbook

from feedback.results import briefing
from feedback.results.tasks import build_briefing_workbook, remove_old_workbooks
from tests.auth import staff_mfa_login
from tests.factories import ModeratorFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def memory_storage(settings, tmp_path):
    """The briefings storage as object storage would be: no file on this machine's disk."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "briefings": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    return briefing.workbook_storage()


def _start(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/resultaten/briefing/werkmap/")
    return re.search(r"([0-9a-f]{32})", response["Location"]).group(1)


def test_the_default_is_a_folder_under_media_root(settings, tmp_path, nmp_content):
    settings.MEDIA_ROOT = tmp_path / "media"
    build_briefing_workbook(job_id="c" * 32)
    assert (tmp_path / "media" / "briefings" / f"{'c' * 32}.xlsx").is_file()


def test_workbook_is_written_to_the_configured_storage_and_downloaded_from_it(
    client, nmp_content, memory_storage, django_capture_on_commit_callbacks, tmp_path
):
    staff_mfa_login(client, ModeratorFactory())
    job_id = _start(client, django_capture_on_commit_callbacks)
    assert memory_storage.exists(briefing.workbook_name(job_id))
    assert not (tmp_path / "media").exists()  # nothing on the local disk
    response = client.get(f"/resultaten/briefing/werkmap/{job_id}/download/")
    assert response.status_code == 200
    assert response.streaming
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames[-1] == "Reacties"


def test_download_needs_the_briefing_permission_and_an_existing_workbook(
    client, nmp_content, memory_storage, django_capture_on_commit_callbacks
):
    staff_mfa_login(client, ModeratorFactory())
    job_id = _start(client, django_capture_on_commit_callbacks)
    url = f"/resultaten/briefing/werkmap/{job_id}/download/"
    client.force_login(ParticipantFactory())
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302
    # Removed from the storage (the retention task, or another machine): a 404, not a 500.
    staff_mfa_login(client, ModeratorFactory())
    memory_storage.delete(briefing.workbook_name(job_id))
    assert client.get(url).status_code == 404


def test_old_workbooks_are_removed_through_the_storage_api(memory_storage, settings):
    settings.BRIEFING_WORKBOOK_RETENTION = timedelta(hours=24)
    memory_storage.save(f"{'a' * 32}.xlsx", ContentFile(b"old"))
    memory_storage.save(f"{'b' * 32}.xlsx", ContentFile(b"fresh"))
    now = timezone.now()
    ages = {f"{'a' * 32}.xlsx": timedelta(hours=25), f"{'b' * 32}.xlsx": timedelta(hours=1)}
    with mock.patch.object(type(memory_storage), "get_modified_time", side_effect=lambda name: now - ages[name]):
        assert remove_old_workbooks() == 1
        assert remove_old_workbooks() == 0  # safe to run twice
    assert memory_storage.listdir("")[1] == [f"{'b' * 32}.xlsx"]


def test_cleanup_with_an_empty_storage_removes_nothing(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "never-made"
    assert remove_old_workbooks() == 0
