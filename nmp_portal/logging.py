"""Logging filters."""

import logging


class ForbiddenWithoutTraceback(logging.Filter):
    """A refused request (403) is logged as one line, without the traceback of the PermissionDenied.

    The refusal is expected behaviour (someone without the right tried), so the
    traceback only buries the line that matters: who was refused where.
    """

    def filter(self, record):
        if getattr(record, "status_code", None) == 403 and record.exc_info:
            record.exc_info = None
            record.exc_text = None
        return True
