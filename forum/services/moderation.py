"""What moderators do, and reports that call them in. Every step is written
to the moderation log (ModerationAction), and authors are told what
happened to their comments."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from forum import cache, counts, permissions, ratelimits
from forum.models import (
    Comment,
    Consultation,
    GuidingQuestion,
    Mention,
    ModerationAction,
    Notification,
    Report,
    Room,
    Suspension,
)
from forum.services.comments import lock_thread_root, publish, refresh_citations_of
from forum.services import notifications
from forum.services.notifications import notify

Action = ModerationAction.Action

NOTE_MAX_LENGTH = 500
ALREADY_REPORTED = gettext_lazy("You have already reported this comment; the moderators will look at it.")
REASON_MAX_LENGTH = 300


def _require(refusal: str | None) -> None:
    if refusal:
        raise PermissionDenied(refusal)


def _require_moderator(moderator, room: Room) -> None:
    _require(permissions.why_cannot_moderate(moderator, room))


def _clean_text(text: str, *, limit: int, required_message: str | None = None) -> str:
    text = " ".join((text or "").split())
    if required_message and not text:
        raise ValidationError(required_message)
    if len(text) > limit:
        raise ValidationError(_("Please keep it under %(limit)d characters.") % {"limit": limit})
    return text


def _log(
    moderator, action: str, *, room: Room | None = None, consultation=None, comment=None, target_user=None, note=""
):
    """Write the moderation log; whatever a moderator does in a room changes what it shows."""
    if room is not None:
        cache.room_changed(room.pk)
    return ModerationAction.objects.create(
        moderator=moderator,
        action=action,
        consultation_id=consultation.pk if consultation else room.consultation_id,
        room=room,
        comment=comment,
        target_user=target_user,
        note=note,
    )


def _tell_author(comment: Comment, moderator, note: str) -> None:
    if comment.author_id != getattr(moderator, "pk", None):
        notify({comment.author_id: Notification.Kind.MODERATION}, comment=comment, actor=moderator, note=note)


def _locked(comment: Comment) -> Comment:
    """The comment, locked after its thread's root (lock_thread_root): hiding or
    restoring also moves the root's latest activity."""
    lock_thread_root(comment.tree_id)
    return Comment.objects.select_for_update().select_related("room").get(pk=comment.pk)


def _resolve_reports(comment: Comment, moderator, outcome: str) -> int:
    return Report.objects.filter(comment=comment, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolved_by=moderator, outcome=outcome
    )


# --- Flags and reports -----------------------------------------------------


def flag_comment(moderator, *, comment: Comment, colleague, note: str = "") -> ModerationAction:
    """Draw a colleague's attention to a comment, with a short note."""
    _require(permissions.why_cannot_flag(moderator, comment))
    note = " ".join(note.split())
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError(_("Please keep the note under %(limit)d characters.") % {"limit": NOTE_MAX_LENGTH})
    if colleague.pk == moderator.pk or not permissions.is_moderator_anywhere(colleague):
        raise ValidationError(_("Choose a moderator or staff member other than yourself."))
    with transaction.atomic():
        action = _log(moderator, Action.FLAG, room=comment.room, comment=comment, target_user=colleague, note=note)
        notify({colleague.pk: Notification.Kind.FLAG}, comment=comment, actor=moderator, note=note)
    return action


def report_comment(reporter, *, comment: Comment, reason: str, note: str = "") -> Report:
    """A participant asks the moderators to look at a comment. The moderators on
    duty are told of the first open report (the queue shows the rest); enough
    reports from established accounts hide it until they decide."""
    _require(permissions.why_cannot_report(reporter, comment))
    if reason not in Report.Reason.values:
        raise ValidationError(_("Please choose a reason."))
    note = _clean_text(note, limit=NOTE_MAX_LENGTH)
    if Report.objects.filter(comment=comment, reporter=reporter, resolved_at__isnull=True).exists():
        raise ValidationError(ALREADY_REPORTED)
    ratelimits.check("report", reporter)
    try:
        with transaction.atomic():
            already_open = Report.objects.filter(comment=comment, resolved_at__isnull=True).exists()
            report = Report.objects.create(comment=comment, reporter=reporter, reason=reason, note=note)
            if not already_open:
                _tell_moderators_on_duty(comment, report.note, reporter, reason=report.reason)
            _hide_if_reported_enough(comment)
    except IntegrityError:
        raise ValidationError(ALREADY_REPORTED) from None
    return report


def _tell_moderators_on_duty(comment: Comment, note: str, reporter=None, *, reason: str = "", figures=None) -> None:
    notifications.notify_moderators_on_duty(
        comment, kind=Notification.Kind.REPORT, note=note, besides=reporter, reason=reason, figures=figures
    )


def _hide_if_reported_enough(comment: Comment) -> None:
    """Hide the comment once `hide_after_reports` people report it, counting only
    accounts past FORUM_REPORT_COUNTS_AFTER_HOURS and not people whose earlier report
    of it a moderator dismissed. Moderators' and staff's comments are never hidden
    this way. When new accounts make up the number, the moderators are alerted instead."""
    threshold = Consultation.objects.filter(rooms=comment.room_id).values_list("hide_after_reports", flat=True).get()
    if not threshold:
        return
    reports = Report.objects.filter(comment=comment)
    dismissed = set(reports.filter(outcome=Report.Outcome.DISMISSED).values_list("reporter_id", flat=True))
    # Reporters who deleted their account since no longer count.
    joined = dict(
        reports.filter(resolved_at__isnull=True, reporter__isnull=False)
        .exclude(reporter_id__in=dismissed)
        .values_list("reporter_id", "reporter__date_joined")
    )
    if len(joined) < threshold:
        return
    new_since = timezone.now() - timedelta(hours=settings.FORUM_REPORT_COUNTS_AFTER_HOURS)
    new_accounts = sum(1 for date_joined in joined.values() if date_joined > new_since)
    if len(joined) - new_accounts < threshold:
        if len(joined) == threshold:
            _tell_moderators_on_duty(
                comment, "", reason=Notification.REPORTS_ALERT, figures={"count": len(joined), "new": new_accounts}
            )
        return
    if comment.author is not None and permissions.is_room_moderator(comment.author, comment.room):
        return
    if Comment.objects.filter(pk=comment.pk, state=Comment.State.VISIBLE).update(
        state=Comment.State.HIDDEN, hidden_reason="", hidden_after_reports=True
    ):
        counts.change_room_counts(comment.room_id, comments=-1)
        counts.thread_activity_changed(comment, shown=False)
        _log(None, Action.AUTO_HIDE, room=comment.room, comment=comment, note=f"{len(joined)} reports")
        refresh_citations_of(comment)


def dismiss_reports(moderator, *, comment: Comment) -> int:
    """The reports were unfounded: they are closed, and a comment hidden only
    because of them is shown again."""
    _require_moderator(moderator, comment.room)
    with transaction.atomic():
        comment = _locked(comment)
        dismissed = _resolve_reports(comment, moderator, Report.Outcome.DISMISSED)
        was_auto_hidden = (
            comment.is_hidden
            and ModerationAction.objects.filter(comment=comment)
            .order_by("-created_at", "-pk")
            .values_list("action", flat=True)
            .first()
            == Action.AUTO_HIDE
        )
        _log(moderator, Action.DISMISS, room=comment.room, comment=comment, note=f"{dismissed} reports")
        if was_auto_hidden:
            _show_again(comment)
    return dismissed


# --- Hiding, restoring, approving ------------------------------------------


def hide_comment(moderator, *, comment: Comment, reason: str) -> Comment:
    """Hide a comment that breaks the rules; readers see the reason, the author is told."""
    _require_moderator(moderator, comment.room)
    reason = _clean_text(
        reason, limit=REASON_MAX_LENGTH, required_message=_("Please give a reason; readers will see it.")
    )
    with transaction.atomic():
        comment = _locked(comment)
        if comment.is_deleted:
            raise ValidationError(_("Its author has already deleted this comment."))
        was_visible = comment.is_visible
        comment.state = Comment.State.HIDDEN
        comment.hidden_reason = reason
        comment.hidden_after_reports = False
        comment.save(update_fields=["state", "hidden_reason", "hidden_after_reports"])
        if was_visible:
            counts.change_room_counts(comment.room_id, comments=-1)
            counts.thread_activity_changed(comment, shown=False)
        _resolve_reports(comment, moderator, Report.Outcome.HIDDEN)
        _log(moderator, Action.HIDE, room=comment.room, comment=comment, target_user=comment.author, note=reason)
        _tell_author(comment, moderator, reason)
        refresh_citations_of(comment)
    return comment


def restore_comment(moderator, *, comment: Comment) -> Comment:
    """Show a hidden comment again; the author is told."""
    _require_moderator(moderator, comment.room)
    with transaction.atomic():
        comment = _locked(comment)
        if not comment.is_hidden:
            raise ValidationError(_("Only a hidden comment can be restored."))
        _show_again(comment)
        # Restoring is the moderator's decision on the reports too.
        _resolve_reports(comment, moderator, Report.Outcome.DISMISSED)
        _log(moderator, Action.RESTORE, room=comment.room, comment=comment, target_user=comment.author)
        _tell_author(comment, moderator, _("restored"))
    return comment


def _show_again(comment: Comment) -> None:
    comment.state = Comment.State.VISIBLE
    comment.hidden_reason = ""
    comment.hidden_after_reports = False
    comment.save(update_fields=["state", "hidden_reason", "hidden_after_reports"])
    counts.change_room_counts(comment.room_id, comments=1)
    counts.thread_activity_changed(comment, shown=True)
    refresh_citations_of(comment)


def approve_comment(moderator, *, comment: Comment) -> Comment:
    """Publish a comment that was held for approval: it is counted and people are told now."""
    _require_moderator(moderator, comment.room)
    with transaction.atomic():
        comment = _locked(comment)
        if not comment.is_pending:
            raise ValidationError(_("This comment is not waiting for approval."))
        comment.state = Comment.State.VISIBLE
        comment.save(update_fields=["state"])
        thread_id = Comment.objects.filter(tree_id=comment.tree_id, level=0).values_list("pk", flat=True).get()
        mentioned = list(Mention.objects.filter(comment=comment).order_by("pk").values_list("user_id", flat=True))
        publish(comment, thread_id=thread_id, mentioned_ids=mentioned)
        _log(moderator, Action.APPROVE, room=comment.room, comment=comment, target_user=comment.author)
        counts.change_room_counts(comment.room_id, comments=1)
        counts.thread_activity_changed(comment, shown=True)
    return comment


# --- Thread and comment marks ----------------------------------------------


def _set_flag(moderator, comment: Comment, field: str, value: bool, action: str, *, roots_only: bool) -> Comment:
    _require_moderator(moderator, comment.room)
    if roots_only and comment.level != 0:
        raise ValidationError(_("Only a thread's first comment can be pinned or locked."))
    with transaction.atomic():
        comment = _locked(comment)
        if getattr(comment, field) != value:
            setattr(comment, field, value)
            comment.save(update_fields=[field])
            _log(moderator, action, room=comment.room, comment=comment)
    return comment


def pin_thread(moderator, *, comment: Comment, pinned: bool = True) -> Comment:
    """Pin a thread to the top of its room's first page (or unpin it)."""
    return _set_flag(moderator, comment, "is_pinned", pinned, Action.PIN if pinned else Action.UNPIN, roots_only=True)


def lock_thread(moderator, *, comment: Comment, locked: bool = True) -> Comment:
    """Stop (or allow again) replies anywhere in a thread."""
    return _set_flag(moderator, comment, "is_locked", locked, Action.LOCK if locked else Action.UNLOCK, roots_only=True)


def highlight_comment(moderator, *, comment: Comment, highlighted: bool = True) -> Comment:
    """Mark a comment as notable for readers and the summary; the author is told."""
    if highlighted and not comment.is_visible:
        raise ValidationError(_("Only a visible comment can be highlighted."))
    action = Action.HIGHLIGHT if highlighted else Action.UNHIGHLIGHT
    with transaction.atomic():
        before = comment.is_highlighted
        comment = _set_flag(moderator, comment, "is_highlighted", highlighted, action, roots_only=False)
        if highlighted and not before:
            _tell_author(comment, moderator, _("highlighted as a notable contribution"))
    return comment


def tag_comment(moderator, *, comment: Comment, question: GuidingQuestion | None, for_report: bool = False) -> Comment:
    """Say which guiding question a comment answers (or none). `for_report`: from
    the report's workbench, where its rapporteurs may tag too (and nowhere else)."""
    if for_report:
        _require(permissions.why_cannot_work_on_report(moderator, comment.room.consultation))
    else:
        _require_moderator(moderator, comment.room)
    if question is not None and question.room_id != comment.room_id:
        raise ValidationError(_("Choose one of this room's guiding questions."))
    with transaction.atomic():
        comment = _locked(comment)
        comment.guiding_question = question
        comment.save(update_fields=["guiding_question"])
        _log(moderator, Action.TAG, room=comment.room, comment=comment, note=question.text[:200] if question else "")
    return comment


# --- Rooms and participants ------------------------------------------------


def close_room(moderator, *, room: Room, closed: bool = True) -> Room:
    """Make the room read-only before its closing date, or open it again: back
    to following its dates, or, once its closing date has passed, open until
    a moderator closes it."""
    _require_moderator(moderator, room)
    if closed:
        state = Room.State.CLOSED
    else:
        closing = room.closing_date
        state = Room.State.REOPENED if closing and room.consultation.today() > closing else Room.State.OPEN
    with transaction.atomic():
        if Room.objects.filter(pk=room.pk).exclude(state=state).update(state=state):
            _log(moderator, Action.CLOSE if closed else Action.REOPEN, room=room)
        room.state = state
    return room


def suspend_participant(moderator, *, consultation: Consultation, person, reason: str, until=None) -> Suspension:
    """Stop someone posting in the consultation, with a reason they will read, until a
    date or until lifted. They can still read."""
    _require(permissions.why_cannot_suspend(moderator, consultation))
    reason = _clean_text(
        reason, limit=REASON_MAX_LENGTH, required_message=_("Please give a reason; they will read it.")
    )
    if person.pk == moderator.pk or person.is_staff:
        raise ValidationError(_("This person cannot be suspended here."))
    if until is not None and until <= timezone.now():
        raise ValidationError(_("Choose a time in the future, or leave it empty to suspend until lifted."))
    with transaction.atomic():
        suspension = Suspension.objects.create(
            consultation=consultation, user=person, reason=reason, until=until, created_by=moderator
        )
        _log(moderator, Action.SUSPEND, consultation=consultation, target_user=person, note=reason)
    return suspension


def lift_suspension(moderator, *, suspension: Suspension) -> None:
    """Let a suspended participant post again."""
    _require(permissions.why_cannot_lift_suspension(moderator, suspension))
    with transaction.atomic():
        if Suspension.objects.filter(pk=suspension.pk, lifted_at__isnull=True).update(lifted_at=timezone.now()):
            _log(moderator, Action.UNSUSPEND, consultation=suspension.consultation, target_user=suspension.user)
