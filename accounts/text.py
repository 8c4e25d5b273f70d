"""Pure text helpers for names and handles: no database, no Django models, so
any module (models, migrations, forum's search) can import them."""

import re
import unicodedata

# Words people might expect to reach a group, or mistake for an official voice.
RESERVED_HANDLES = {"admin", "administrator", "moderator", "moderators", "staff", "all", "everyone", "here"}

# Letters that Unicode does not decompose into ASCII ones.
_TRANSLITERATIONS = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "œ": "oe", "Œ": "OE", "þ": "th", "ð": "d"})  # fmt: skip


def fold_to_ascii(text: str) -> str:
    """'Álvaro Weiß' as 'Alvaro Weiss'; letters with no ASCII form are dropped."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATIONS))
    return decomposed.encode("ascii", "ignore").decode()


def fold_for_search(text: str) -> str:
    """'Álvaro  Weiß' as 'alvaro weiss': lowercase ASCII for accent-insensitive search."""
    return " ".join(fold_to_ascii(text).lower().split())


def handle_base(display_name: str) -> str:
    """The handle a display name suggests before checking who has it: 'Álvaro Herrero' gives 'alvaro_herrero'."""
    base = re.sub(r"[^a-z0-9]+", "_", fold_to_ascii(display_name).lower()).strip("_")[:24].rstrip("_") or "member"
    return base if len(base) >= 2 else f"{base}_member"
