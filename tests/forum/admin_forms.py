"""What the admin's pages send, for tests that post them."""

INLINES = ["question_groups", "questions", "documents", "moderator_assignments", "moderator_invitations"]


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
    data |= fields
    for prefix, forms in rows.items():
        data[f"{prefix}-TOTAL_FORMS"] = str(len(forms))
        data[f"{prefix}-INITIAL_FORMS"] = str(sum(1 for form in forms if "id" in form))
        for index, form in enumerate(forms):
            data |= {f"{prefix}-{index}-{name}": value for name, value in form.items()}
    return data


def room_change_form(room, **fields):
    return room_form(room.consultation, title=room.title, slug=room.slug, **fields)
