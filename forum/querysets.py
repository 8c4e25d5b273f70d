from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Case, F, OuterRef, Q, Subquery, When
from django.utils import timezone
from mptt.managers import TreeManager
from mptt.querysets import TreeQuerySet


class ConsultationQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


class RoomQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True, consultation__is_published=True)


# Guiding questions as a room shows them: those without a group first, then
# group by group, each in its own order.
QUESTION_ORDER = ["room_id", F("group__position").asc(nulls_first=True), "group_id", "position", "id"]


class GuidingQuestionQuerySet(models.QuerySet):
    def in_order(self):
        """In the room page's order (see QUESTION_ORDER), with their groups."""
        return self.select_related("group").order_by(*QUESTION_ORDER)


class RoomModeratorQuerySet(models.QuerySet):
    def on_duty(self, day):
        """Assignments whose dates cover the given day (open-ended at either side)."""
        return self.filter(
            Q(starts_on__isnull=True) | Q(starts_on__lte=day),
            Q(ends_on__isnull=True) | Q(ends_on__gte=day),
        )

    def maybe_on_duty(self, days=None):
        """Assignments that may cover today somewhere: each consultation's today
        (its time zone) lies within a day of this server's, so this keeps the
        few lines worth judging exactly (permissions.rooms_on_duty) and leaves
        out the rota's past and future. `days`: maybe_on_duty_days(), when the
        caller has worked them out (forum.prepared)."""
        first_day, last_day = days or maybe_on_duty_days()
        return self.filter(
            Q(starts_on__isnull=True) | Q(starts_on__lte=last_day),
            Q(ends_on__isnull=True) | Q(ends_on__gte=first_day),
        )


def maybe_on_duty_days() -> tuple[date, date]:
    """The days some consultation's today may be, by this server's clock: a day either side of its own."""
    today = timezone.localdate()
    return today - timedelta(days=1), today + timedelta(days=1)


class SuspensionQuerySet(models.QuerySet):
    def in_force(self, now):
        """Suspensions neither lifted nor run out at that moment."""
        return self.filter(Q(until__isnull=True) | Q(until__gt=now), lifted_at__isnull=True)


def public_comments(through: str = "") -> Q:
    """The condition for a public comment, reached `through` a relation ("source__")
    when filtering another model by its comments."""
    return Q(
        **{
            f"{through}state": "visible",
            f"{through}room__is_published": True,
            f"{through}room__consultation__is_published": True,
        }
    )


def new_after_position(through: str = "", *, visiting_since: datetime) -> Case:
    """For a view of a room, the position its new comments come after, from the
    reader's RoomVisit (reached `through` a relation, "visit__"): while the
    visit goes on (seen since `visiting_since`, visit_still_going_since(now)),
    where it began; after a break, where the last view left off."""
    return Case(
        When(**{f"{through}seen_at__gt": visiting_since}, then=F(f"{through}new_after_comment_id")),
        default=F(f"{through}last_seen_comment_id"),
    )


def visit_still_going_since(now: datetime) -> datetime:
    """A room seen after this moment is still being visited at `now`; seen before it, the reader had a break."""
    return now - timedelta(minutes=settings.FORUM_VISIT_ENDS_AFTER_MINUTES)


class CommentQuerySet(TreeQuerySet):
    def roots(self):
        return self.filter(level=0)

    def replies(self):
        return self.filter(level__gt=0)

    def for_room(self, room):
        return self.filter(room=room)

    def visible(self):
        return self.filter(state="visible")

    def public(self):
        """What anyone may read: visible comments in published rooms of published consultations."""
        return self.filter(public_comments())

    def shown_in_threads(self, viewer=None):
        """Everything a thread draws: a deleted comment with no replies is left out,
        one with replies stays as a placeholder that keeps the thread readable;
        a comment awaiting moderation is shown to its author only."""
        shown = self.exclude(state="deleted", rght=F("lft") + 1)
        if viewer is not None and viewer.is_authenticated:
            return shown.exclude(~Q(author=viewer), state="pending")
        return shown.exclude(state="pending")

    def with_translation(self, language: str):
        """Each comment with `translation_html`: its machine translation into the
        language, when one of its current body is stored (an edit deletes them),
        else None. A subquery of the same query: no query of its own."""
        from forum.models import CommentTranslation  # models imports this module

        translation = CommentTranslation.objects.filter(
            comment=OuterRef("pk"),
            language=language,
            status="done",
            source_language=OuterRef("language"),
            render_version=OuterRef("render_version"),
        )
        return self.annotate(translation_html=Subquery(translation.values("body_html")[:1]))


class CommentManager(TreeManager.from_queryset(CommentQuerySet)):
    pass
