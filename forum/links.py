"""Our URLs for many objects at once: each pattern is reversed once (with a
marker in place of the varying argument) and then filled in, which costs a
fraction of reversing it for every comment on a page. Keyed by the script
prefix, so a site served under a sub-path works."""

import functools

from django.urls import get_script_prefix, reverse

_MARKER = "8675309123"


@functools.lru_cache(maxsize=256)
def _pattern(prefix: str, name: str, fixed: tuple) -> str:
    return reverse(name, args=[*fixed, _MARKER]).replace(_MARKER, "{}")


def fill(name: str, *args) -> str:
    """reverse(name, args=args), where only the last argument varies from call to call."""
    *fixed, last = args
    return _pattern(get_script_prefix(), name, tuple(str(arg) for arg in fixed)).format(last)
