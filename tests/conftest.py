import pytest
from django.core.management import call_command


@pytest.fixture
def nmp_content(db):
    """The real workshop content, loaded from the project's data file."""
    call_command("load_nmp_content", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    from topics.models import Topic

    return Topic.objects.order_by("number")


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
