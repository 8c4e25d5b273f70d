"""Consultations and rooms: which ones a person may see, and what a room page shows around its comments."""


from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from forum import permissions
from forum.models import (
    Comment,
    Consultation,
    GuidingQuestion,
    Room,
    RoomModerator,
    Suspension,
)


from forum.selectors.summaries import comments_since_latest_summary


# --- Consultations and rooms ---------------------------------------------


def visible_consultations(user):
    """Published consultations, newest first; staff also see drafts."""
    consultations = Consultation.objects.all()
    if not (user.is_authenticated and user.is_staff):
        consultations = consultations.published()
    return consultations


def get_consultation(user, slug: str) -> Consultation:
    """The consultation, or 404 when it is missing or not published (staff see drafts)."""
    return get_object_or_404(visible_consultations(user), slug=slug)


def consultation_rooms(user, consultation: Consultation) -> list[Room]:
    """The rooms of a consultation in their order; unpublished ones only for staff."""
    rooms = consultation.rooms.all()
    if not (user.is_authenticated and user.is_staff):
        rooms = rooms.filter(is_published=True)
    return list(rooms)


def get_room(user, consultation_slug: str, room_slug: str) -> Room:
    """The room with its consultation, or 404 for anyone who may not see it."""
    room = get_object_or_404(
        Room.objects.select_related("consultation", "latest_summary__author").annotate(
            comments_since_summary=comments_since_latest_summary()
        ),
        consultation__slug=consultation_slug,
        slug=room_slug,
    )
    if not permissions.can_view_room(user, room):
        raise Http404
    return room


def get_room_comment(room: Room, comment_id: int) -> Comment:
    """A comment of this room (404 for an id from elsewhere)."""
    return get_object_or_404(Comment.objects.select_related("room__consultation", "author"), pk=comment_id, room=room)


def numbered_questions(room: Room) -> list[GuidingQuestion]:
    """The room's guiding questions, ungrouped first and then group by group,
    numbered 1, 2, 3… across groups, each with its `group` and `comment_count`:
    the visible comments answering it (one query)."""
    questions = list(
        room.questions.in_order().annotate(
            comment_count=Count("comments", filter=Q(comments__state=Comment.State.VISIBLE))
        )
    )
    for number, question in enumerate(questions, start=1):
        question.number = number
    return questions


def guiding_question_groups(questions: list[GuidingQuestion]) -> list[tuple[str, list[GuidingQuestion]]]:
    """Numbered questions under their groups' headings, in order; those without a
    group come first, under an empty heading."""
    groups: list[tuple[str, list[GuidingQuestion]]] = []
    group_id = object()
    for question in questions:
        if not groups or question.group_id != group_id:
            group_id = question.group_id
            groups.append((question.group.heading if question.group else "", []))
        groups[-1][1].append(question)
    return groups


def moderators_on_duty(room: Room, day=None) -> list:
    """The people whose rota assignment covers the day (today by default), each
    once, but for those suspended from the consultation."""
    day = day or timezone.localdate()
    suspended = Suspension.objects.filter(consultation_id=room.consultation_id).in_force(timezone.now())
    assignments = (
        RoomModerator.objects.filter(room=room)
        .on_duty(day)
        .exclude(user_id__in=suspended.values("user_id"))
        .select_related("user")
    )
    moderators = {assignment.user_id: assignment.user for assignment in assignments}
    return list(moderators.values())
