"""What one worker remembers of rendered blocks and small lookups: bounded, least recently used out."""

import threading
from collections import OrderedDict


class WorkerMemory:
    """A bounded, thread-safe mapping kept in this process (the values are the keys' own: nothing to invalidate)."""

    def __init__(self, maxsize):
        self.maxsize = maxsize
        self._entries = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def set(self, key, value):
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)

    def remember(self, key, make):
        """The value kept under ``key``, made with ``make()`` (outside the lock) when there is none."""
        value = self.get(key)
        if value is None:
            value = make()
            if value is not None:
                self.set(key, value)
        return value
