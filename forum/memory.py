"""What a process keeps in its own memory: no network, no pickling. Only for
things whose key says everything they depend on (forum.drawn), or that are
checked against the versions every process shares (forum.selectors.threads)."""

import threading
from collections import OrderedDict


class LeastRecentlyUsed:
    """A bounded mapping that forgets what was used least recently; safe to share between threads."""

    def __init__(self):
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key):
        with self._lock:
            value = self._items.get(key)
            if value is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key, value, limit: int) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > limit:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._items)
