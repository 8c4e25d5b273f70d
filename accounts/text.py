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


# Embeddings, overrides (U+202A–U+202E) and isolates (U+2066–U+2069): they can
# make a name read in another order than it is written, "evil" shown as "live".
_BIDI_CONTROLS = frozenset(map(chr, [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]))


def has_bidi_controls(text: str) -> bool:
    """Whether the text carries a bidirectional embedding, override or isolate."""
    return any(char in _BIDI_CONTROLS for char in text)


def visible_text(text: str) -> str:
    """The text without format characters (zero-width spaces and joiners, the BOM:
    Unicode category Cf) and without whitespace: what a reader actually sees."""
    return "".join(char for char in text if unicodedata.category(char) != "Cf" and not char.isspace())


def tidy_display_name(name: str) -> str:
    """Runs of whitespace as one space, none at the ends."""
    return " ".join(name.split())


def _name_key(name: str) -> str:
    """A name as a reader tells it apart: lowercase, without accents, spacing or
    invisible characters. Like fold_for_search, but letters with no ASCII form are
    kept, so that two names in another script do not both fold to nothing."""
    decomposed = unicodedata.normalize("NFKD", name.translate(_TRANSLITERATIONS))
    return " ".join(
        "".join(char for char in decomposed if not unicodedata.combining(char) and unicodedata.category(char) != "Cf")
        .casefold()
        .split()
    )


def names_look_alike(first: str, second: str) -> bool:
    """'Álvaro Weiß' and 'alvaro  weiss': the same name to a reader, case and accents aside."""
    return _name_key(first) == _name_key(second)
