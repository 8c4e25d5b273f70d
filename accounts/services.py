import re
import unicodedata

from django.contrib.auth import get_user_model
from django.db import transaction

# Words people might expect to reach a group, or mistake for an official voice.
RESERVED_HANDLES = {"admin", "administrator", "moderator", "moderators", "staff", "all", "everyone", "here"}

# Letters that Unicode does not decompose into ASCII ones.
_TRANSLITERATIONS = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "œ": "oe", "Œ": "OE", "þ": "th", "ð": "d"})


def fold_to_ascii(text: str) -> str:
    """'Álvaro Weiß' as 'Alvaro Weiss'; letters with no ASCII form are dropped."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATIONS))
    return decomposed.encode("ascii", "ignore").decode()


def propose_handle(display_name: str) -> str:
    """A free handle made from a display name: 'Álvaro Herrero' gives 'alvaro_herrero'."""
    base = re.sub(r"[^a-z0-9]+", "_", fold_to_ascii(display_name).lower()).strip("_")[:24].rstrip("_") or "member"
    if len(base) < 2:
        base = f"{base}_member"
    taken = set(
        get_user_model().objects.filter(handle__startswith=base).values_list("handle", flat=True)
    ) | RESERVED_HANDLES
    if base not in taken:
        return base
    suffix = 2
    while f"{base}_{suffix}" in taken:
        suffix += 1
    return f"{base}_{suffix}"


def update_profile(user, *, form) -> None:
    """Save the person's own profile form; mentions of them follow a new name or handle."""
    from forum.services import follow_renamed_person

    with transaction.atomic():
        before = get_user_model().objects.values("display_name", "handle").get(pk=form.instance.pk)
        person = form.save()
        if (person.display_name, person.handle) != (before["display_name"], before["handle"]):
            follow_renamed_person(person, old_handle=before["handle"])


def choose_language(user, *, language: str) -> None:
    """Remember the site language a signed-in person chose."""
    with transaction.atomic():
        get_user_model().objects.filter(pk=user.pk).update(language=language)
    user.language = language
