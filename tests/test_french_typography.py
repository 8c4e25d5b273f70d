"""French puts a no-break space before ":", ";", "!" and "?" (and a narrow one
is as good): every msgstr of the French catalogue does, so a colon never
starts a line and never sits against its word."""

import re
from pathlib import Path

CATALOGUE = Path(__file__).resolve().parent.parent / "locale" / "fr" / "LC_MESSAGES" / "django.po"
NO_BREAK_SPACES = "\u00a0\u202f"
# Punctuation, not part of an address ("https://"), a time ("14:05") or a query ("?page=").
PUNCTUATION = re.compile(r"[:;!?](?=$|[\s\"'<)»\]…])")
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')


def translations(text: str):
    """(line number, msgstr) of each entry, the msgstr's pieces joined and unescaped."""
    entry, kind, line = [], None, 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw.startswith("msgstr"):
            if entry and kind == "msgstr":
                yield line, "".join(entry)
            kind, entry, line = "msgstr", [], number
        elif raw.startswith(("msgid", "#")) or not raw.strip():
            if entry and kind == "msgstr":
                yield line, "".join(entry)
            kind, entry = ("msgid" if raw.startswith("msgid") else None), []
        if kind == "msgstr":
            entry.extend(_unescaped(piece) for piece in _QUOTED.findall(raw))
    if entry and kind == "msgstr":
        yield line, "".join(entry)


def _unescaped(piece: str) -> str:
    return re.sub(r"\\(.)", lambda escape: {"n": "\n", "t": "\t"}.get(escape.group(1), escape.group(1)), piece)


def badly_spaced(msgstr: str) -> list[str]:
    return [
        msgstr[max(0, match.start() - 12) : match.end() + 2]
        for match in PUNCTUATION.finditer(msgstr)
        if match.start() > 0 and msgstr[match.start() - 1] not in NO_BREAK_SPACES + msgstr[match.start()]
    ]


def test_french_puts_a_no_break_space_before_colons_semicolons_and_question_and_exclamation_marks():
    text = CATALOGUE.read_text(encoding="utf-8")
    wrong = [
        (line, excerpt)
        for number, (line, msgstr) in enumerate(translations(text))
        if number  # the header
        for excerpt in badly_spaced(msgstr)
    ]
    assert wrong == []


def test_the_check_finds_what_it_should():
    assert badly_spaced("Objectif : rien") == ["Objectif : r"]
    assert badly_spaced("Objectif: rien") == ["Objectif: r"]
    assert badly_spaced("Objectif\u00a0: rien") == []
    assert badly_spaced("Vraiment\u202f?") == []
    assert badly_spaced("https://example.org à 14:05 ?page=2") == []
    assert badly_spaced("« Bien »\u00a0!") == []
