"""Consultations and rooms: which ones a person may see, and what a room page shows around its comments."""

from dataclasses import dataclass
from datetime import date, datetime
from types import SimpleNamespace

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from allauth.account.models import EmailAddress

from forum import cache, permissions
from forum.models import (
    Comment,
    Consultation,
    GuidingQuestion,
    Rapporteur,
    Room,
    RoomDocument,
    RoomModerator,
    Suspension,
)


from forum.place_texts import LocalText, text_in
from forum.prepared import PreparedQuery
from forum.querysets import maybe_on_duty_days, visit_still_going_since
from forum.selectors.people import header_facts, remember_header_facts
from forum.selectors.summaries import comments_since_latest_summary
from forum.selectors.visits import RoomReading, reading_of, with_new_comment_counts, with_reading


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
    """The rooms of a consultation in their order; unpublished ones only for staff.
    For someone signed in, each has `new_comment_count` (selectors.visits), in the same query."""
    rooms = consultation.rooms.all()
    if not (user.is_authenticated and user.is_staff):
        rooms = rooms.filter(is_published=True)
    if user.is_authenticated:
        rooms = with_new_comment_counts(rooms, user)
    return list(rooms)


def _rooms():
    # has_documents: a room without any (most) spends no query on its document list.
    return Room.objects.select_related("consultation", "latest_summary__author").annotate(
        comments_since_summary=comments_since_latest_summary(),
        has_documents=Exists(RoomDocument.objects.filter(room=OuterRef("pk"))),
    )


def _room_for(user, rooms, consultation_slug: str, room_slug: str) -> Room:
    room = get_object_or_404(rooms, consultation__slug=consultation_slug, slug=room_slug)
    if not permissions.can_view_room(user, room):
        raise Http404
    return room


def get_room(user, consultation_slug: str, room_slug: str) -> Room:
    """The room with its consultation, or 404 for anyone who may not see it."""
    return _room_for(user, _rooms(), consultation_slug, room_slug)


def get_room_to_read(user, consultation_slug: str, room_slug: str) -> tuple[Room, RoomReading | None]:
    """The room as its pages show it around the comments: as get_room reads it,
    with its numbered questions and the day's rota (numbered_questions,
    room_rota), kept for everyone alike under the room's version (forum.cache).
    For someone signed in, also what is new to them in it (selectors.visits) and
    what the page asks about them, in one query; None for anonymous visitors."""
    room = _room_shown(consultation_slug, room_slug)
    if not permissions.can_view_room(user, room):
        raise Http404
    if not user.is_authenticated:
        return room, None
    now = timezone.now()
    viewer = SimpleNamespace(**_VIEWER_FACTS[bool(user.is_staff)].one(**viewer_facts_arguments(user, room, now)))
    permissions.remember_rapporteur(user, room.consultation_id, viewer.viewer_is_rapporteur)
    permissions.remember_confirmed_email(user, viewer.viewer_confirmed_email)
    if not viewer.viewer_suspended:
        permissions.remember_not_suspended(user, room.consultation_id)
    room.viewer_has_pending = viewer.viewer_has_pending
    remember_header_facts(user, viewer)
    return room, reading_of(viewer, now=now)


def viewer_facts_arguments(user, room: Room, now) -> dict:
    """What get_room_to_read's query about its reader is run with, at `now`."""
    first_duty_day, last_duty_day = maybe_on_duty_days()
    return {
        "room_id": room.pk,
        "user_id": user.pk,
        "now": now,
        "visiting_since": visit_still_going_since(now),
        "first_duty_day": first_duty_day,
        "last_duty_day": last_duty_day,
    }


def _viewer_facts(*, staff: bool):
    """get_room_to_read's query about its reader, in one row: what is new to
    them in the room and what the page asks about them. It runs on every
    signed-in room page, so it is compiled once (forum.prepared)."""

    def build(*, room_id, user_id, now, visiting_since, first_duty_day, last_duty_day):
        rooms = Room.objects.filter(pk=room_id).order_by()
        facts = with_reading(rooms, user_id, now=now, visiting_since=visiting_since).annotate(
            # "Use as evidence", "Please confirm your email", "You are suspended".
            viewer_is_rapporteur=Exists(Rapporteur.objects.filter(consultation=OuterRef("consultation"), user=user_id)),
            viewer_confirmed_email=Exists(EmailAddress.objects.filter(user=user_id, verified=True)),
            viewer_suspended=Exists(
                Suspension.objects.filter(consultation=OuterRef("consultation"), user=user_id).in_force(now)
            ),
            # Their own comments awaiting a moderator show to them alone (selectors.threads).
            viewer_has_pending=Exists(
                Comment.objects.filter(room=OuterRef("pk"), author=user_id, state=Comment.State.PENDING)
            ),
            # And the page's header: the unread notifications, the moderation queue.
            **header_facts(user_id, staff=staff, duty_days=(first_duty_day, last_duty_day)),
        )
        return facts.values(*facts.query.annotations)

    return PreparedQuery(
        build, room_id=int, user_id=int, now=datetime, visiting_since=datetime, first_duty_day=date, last_duty_day=date
    )


_VIEWER_FACTS = {staff: _viewer_facts(staff=staff) for staff in (False, True)}


def _room_shown(consultation_slug: str, room_slug: str) -> Room:
    if not settings.FORUM_CACHE_ROOMS:
        return get_object_or_404(_rooms(), consultation__slug=consultation_slug, slug=room_slug)
    key = f"forum:room:{consultation_slug}/{room_slug}"
    if kept := cache.kept_room(key):
        stamp, room = kept
    else:
        room = get_object_or_404(_rooms(), consultation__slug=consultation_slug, slug=room_slug)
        # A change committed between these two reads shows at most FORUM_ROOM_PAGE_CACHE_SECONDS late.
        stamp = cache.stamp_of(room.pk, room.consultation.time_zone)
        room._kept_questions = numbered_questions(room)
        room._kept_rota = room_rota(room)
        cache.keep_room(key, stamp, room)
    # What else is read of the room now may be kept under it (selectors.threads).
    room.stamp = stamp
    return room


def room_documents(room: Room) -> list[RoomDocument]:
    """The documents attached to a room read by get_room, in their order (no query when it has none)."""
    if not room.has_documents:
        return []
    documents = list(room.documents.all())
    for document in documents:
        document.room = room  # already loaded, with its consultation
    return documents


def get_room_document(user, consultation_slug: str, room_slug: str, document_id: int) -> RoomDocument:
    """A document of a room this person may read, or 404."""
    room = get_room(user, consultation_slug, room_slug)
    document = get_object_or_404(RoomDocument, pk=document_id, room=room)
    document.room = room
    return document


def get_room_comment(room: Room, comment_id: int) -> Comment:
    """A comment of this room (404 for an id from elsewhere)."""
    return get_object_or_404(Comment.objects.select_related("room__consultation", "author"), pk=comment_id, room=room)


def numbered_questions(room: Room) -> list[GuidingQuestion]:
    """The room's guiding questions, ungrouped first and then group by group,
    numbered 1, 2, 3… across groups, each with its `group` and `comment_count`:
    the visible comments answering it (one query, none for get_room_to_read's room)."""
    if (kept := room.__dict__.get("_kept_questions")) is not None:
        return kept
    questions = list(
        room.questions.in_order().annotate(
            comment_count=Count("comments", filter=Q(comments__state=Comment.State.VISIBLE))
        )
    )
    for number, question in enumerate(questions, start=1):
        question.number = number
        if question.group is not None:
            question.group.room = room  # already loaded: its heading's language is the consultation's
    return questions


def guiding_question_groups(questions: list[GuidingQuestion]) -> list[tuple[LocalText, list[GuidingQuestion]]]:
    """Numbered questions under their groups' headings (in the reader's language,
    forum.place_texts), in order; those without a group come first, under an empty heading."""
    groups: list[tuple[LocalText, list[GuidingQuestion]]] = []
    group_id = object()
    for question in questions:
        if not groups or question.group_id != group_id:
            group_id = question.group_id
            groups.append((text_in(question.group, "heading") if question.group else LocalText("", ""), []))
        groups[-1][1].append(question)
    return groups


@dataclass(frozen=True)
class RotaLine:
    """One line of a room's rota as readers see it."""

    person: object
    starts_on: date | None
    ends_on: date | None
    on_duty: bool


def room_rota(room: Room) -> list[RotaLine]:
    """The room's whole rota in date order, each line saying whether it covers
    today (in the consultation's time zone); a person suspended from the
    consultation is not on duty. One query, none for get_room_to_read's room."""
    if (kept := room.__dict__.get("_kept_rota")) is not None:
        return kept
    suspended = Suspension.objects.filter(consultation_id=room.consultation_id, user=OuterRef("user_id")).in_force(
        timezone.now()
    )
    lines = (
        RoomModerator.objects.filter(room=room)
        .annotate(suspended=Exists(suspended))
        .select_related("user")
        .order_by(F("starts_on").asc(nulls_first=True), "pk")
    )
    today = room.consultation.today()
    return [
        RotaLine(
            person=line.user,
            starts_on=line.starts_on,
            ends_on=line.ends_on,
            on_duty=not line.suspended
            and (line.starts_on is None or line.starts_on <= today)
            and (line.ends_on is None or today <= line.ends_on),
        )
        for line in lines
        if line.user.is_active
    ]


def on_duty_in(rota: list[RotaLine]) -> list:
    """The people on duty today in a room's rota, each once, in rota order."""
    return list({line.person.pk: line.person for line in rota if line.on_duty}.values())


def shifts_of(person, viewer) -> list[RoomModerator]:
    """A moderator's rota lines in the rooms this viewer may see, newest first."""
    lines = RoomModerator.objects.filter(user=person).select_related("room__consultation")
    if not (viewer.is_authenticated and viewer.is_staff):
        lines = lines.filter(room__is_published=True, room__consultation__is_published=True)
    return list(lines.order_by(F("starts_on").desc(nulls_last=True), "pk"))
