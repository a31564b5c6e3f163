"""Where briefing workbooks are kept: the ``briefings`` storage of Django's ``STORAGES``.

The Celery worker writes a workbook and a web process serves it, possibly on
another machine, so neither may rely on a local path: both go through the
storage API. The default is a folder under MEDIA_ROOT (shared between the
processes of one machine); for several machines point ``STORAGES["briefings"]``
at shared or object storage (docs/performance.md, "Scale-out").
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import cached_property


class BriefingFileStorage(FileSystemStorage):
    """A FileSystemStorage in MEDIA_ROOT/briefings (it follows MEDIA_ROOT unless given a ``location``).

    No ``base_url``: the workbooks hold staff data and are served only through the download view.
    """

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, os.path.join(settings.MEDIA_ROOT, "briefings"))

    def url(self, name):
        raise ValueError("Briefing workbooks have no public URL; they are served by the download view.")
