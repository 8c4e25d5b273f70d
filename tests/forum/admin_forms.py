"""What the admin's pages send, for tests that post them."""

INLINES = ["question_groups", "questions", "documents", "moderator_assignments", "moderator_invitations"]
# Texts kept in every language: the admin's fields are `title_en`, `title_es`…;
# a test's `title=` is the English one (the consultation's language in tests).
TRANSLATED = {"title", "introduction", "objective", "outcome", "heading", "text"}


def _in_english(form: dict, translated=TRANSLATED) -> dict:
    return {f"{name}_en" if name in translated else name: value for name, value in form.items()}


def room_form(consultation, **fields):
    """What the admin's room page sends: the room's fields, then each inline's
    rows (`questions=[{...}, …]`, saved ones with their "id")."""
    data = {
        "consultation": consultation.pk,
        "title": "Civic space",
        "slug": "civic-space",
        "position": 0,
        "introduction": "Intro",
        "objective": "",
        "outcome": "",
        "state": "open",
        "premoderate_first": "0",
        "is_published": "on",
    }
    rows = {prefix: fields.pop(prefix, []) for prefix in INLINES}
    data = _in_english(data | fields)
    # Documents have a title of their own, in one language.
    rows = {
        prefix: [form if prefix == "documents" else _in_english(form) for form in forms]
        for prefix, forms in rows.items()
    }
    for prefix, forms in rows.items():
        data[f"{prefix}-TOTAL_FORMS"] = str(len(forms))
        data[f"{prefix}-INITIAL_FORMS"] = str(sum(1 for form in forms if "id" in form))
        for index, form in enumerate(forms):
            data |= {f"{prefix}-{index}-{name}": value for name, value in form.items()}
    return data


def room_change_form(room, **fields):
    return room_form(room.consultation, title=room.title, slug=room.slug, **fields)
