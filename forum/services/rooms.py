"""Setting rooms up outside the admin: the demo consultation and the benchmarks."""

from collections.abc import Iterable

from django.db import transaction

from forum.models import GuidingQuestion, QuestionGroup, Room


def add_guiding_questions(room: Room, questions: Iterable[tuple[str, str]]) -> list[GuidingQuestion]:
    """Add (heading, text) pairs to the room in the order given: one group per
    heading, in the order of its first question; an empty heading leaves a
    question ungrouped. Returns the questions in that order.

    No acting user: only set-up code calls this; admins build rooms in the admin."""
    groups: dict[str, QuestionGroup] = {}
    added = []
    with transaction.atomic():
        for position, (heading, text) in enumerate(questions, start=1):
            if heading and heading not in groups:
                groups[heading] = QuestionGroup.objects.create(room=room, heading=heading, position=len(groups) + 1)
            added.append(
                GuidingQuestion.objects.create(room=room, group=groups.get(heading), position=position, text=text)
            )
    return added
