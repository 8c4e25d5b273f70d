"""Deleting an account (GDPR art. 17): the person goes, the discussion stays whole.

One service for the person's own page and for staff acting on request, in one
transaction. What happens to each thing that pointed at the person:

- Their comments stay in their threads, as a former participant's (author
  emptied): with their texts, or with the texts removed like a comment its
  author deleted (body, rendered HTML, search document) when they ask for it.
  Comments still held for a moderator are removed either way: they were never
  shown. A kept text is no longer quoted in the consultation's report (exports
  for the report, references there): the consent to quote went with the account. Earlier versions go in both cases: they are for moderators, and may
  hold what the person took out of their own words.
- Mentions of them become plain text naming a former participant, in comments
  (and their earlier versions), summaries and shift notes, so that no page,
  export or search keeps their handle, and a newcomer who takes the handle is
  never linked from old mentions. References to their comments no longer name them.
- Reports they filed stay for the moderators, reporter emptied: a report still
  asks about the comment, and a resolved one is part of the moderators' record.
- The moderation log, suspensions they decided, and summaries and shift notes
  they wrote stay, with them emptied ("Former moderator").
- Everything that was only theirs is deleted: notifications, follows, visits,
  email preferences, suspensions of them, rota lines and invitations to their
  address, the admin's history of their account, and (with the account)
  allauth's addresses and social accounts, so the address can sign up again.

Nothing moves in the comment trees (no row is deleted, no lft/rght changes), so
every tree stays valid; the rooms' counts change through counts.py.
"""

import re
from collections import Counter

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import translation

from forum import cache, counts, former, permissions
from forum.models import (
    Comment,
    CommentLink,
    CommentRevision,
    CommentTranslation,
    EmailPreference,
    Endorsement,
    Follow,
    Mention,
    ModerationAction,
    ModeratorInvitation,
    Notification,
    RoomSummary,
    RoomVisit,
    ShiftNote,
    Suspension,
)
from forum.retries import retrying_a_deadlock
from forum.services import summaries
from forum.services.texts import localized_text_fields
from forum.services.comments import rerender_comments

# Rows read per query when the person's traces are rewritten: memory stays flat
# however much they wrote or were mentioned.
CHUNK_SIZE = 500


def delete_account(actor, *, person, keep_texts: bool, reason: str = "") -> None:
    """Delete the person's account for good, keeping every thread whole (see the module's docstring).
    `keep_texts`: their comments keep their words, anonymously; otherwise the words are removed.
    Staff deleting someone else's account is written in the moderation log, with `reason`."""
    refusal = permissions.why_cannot_delete_account(actor, person)
    if refusal:
        raise PermissionDenied(refusal)
    return retrying_a_deadlock(lambda: _delete(actor, person_id=person.pk, keep_texts=keep_texts, reason=reason))


def _delete(actor, *, person_id: int, keep_texts: bool, reason: str) -> None:
    with transaction.atomic():
        own = Comment.objects.filter(author_id=person_id)
        # Who cites or mentions them, read before the author is emptied.
        citing_ids = set(Comment.objects.filter(links_out__target__author_id=person_id).values_list("pk", flat=True))
        mentioning_ids = set(Comment.objects.filter(mentions__user_id=person_id).values_list("pk", flat=True))
        citing_summary_ids = list(summaries.summaries_citing(own).values_list("pk", flat=True))
        # Locks in the order replies take them: the threads' roots first, in id
        # order, then the person's comments, then the person. A reply to one of
        # these threads waits for the deletion (or the deletion for it), and never
        # holds a root while waiting for the person's row, which the database
        # checks as the reply commits (its notification names them). A second
        # deletion at once (a double click, the person and staff) waits here too.
        # Endorsed comments too: withdrawing the person's endorsements updates their counts.
        endorsed_ids = set(Endorsement.objects.filter(person_id=person_id).values_list("comment_id", flat=True))
        touched = Comment.objects.filter(Q(author_id=person_id) | Q(pk__in=citing_ids | mentioning_ids | endorsed_ids))
        roots = Comment.objects.filter(level=0, tree_id__in=touched.values("tree_id"))
        list(roots.select_for_update().order_by("pk").values_list("pk", flat=True))
        rows = list(own.select_for_update().order_by("pk").values_list("pk", "room_id", "state"))
        person = get_user_model().objects.select_for_update().filter(pk=person_id).first()
        if person is None:
            return
        refusal = permissions.why_cannot_delete_account(actor, person)
        if refusal:
            raise PermissionDenied(refusal)
        _withdraw_comments(own, rows, keep_texts=keep_texts)
        own.update(author=None, client_token=None)
        _forget_mentions_of(person, sorted(mentioning_ids))
        _forget_personal_rows(person)
        if actor.pk != person.pk:
            ModerationAction.objects.create(
                moderator=actor,
                action=ModerationAction.Action.DELETE_ACCOUNT,
                # An opaque number, so the log can answer "was it done?" without keeping who it was.
                note=f"#{person.pk}" + (f": {reason}" if reason else ""),
            )
        person.delete()
        # References show the cited comment's author: a former participant now.
        rerender_comments(
            Comment.objects.filter(pk__in=citing_ids - mentioning_ids).only("pk", "room_id", "body_source")
        )
        summaries.rerender_summaries(
            RoomSummary.objects.filter(pk__in=citing_summary_ids).only("pk", "room_id", "body_source")
        )
        # Their name was on every page that drew one of their comments, mentions, references.
        cache.site_changed()


def _withdraw_comments(own, rows: list[tuple[int, int, str]], *, keep_texts: bool) -> None:
    """Remove the words of the person's comments (all of them, or only those still
    held for a moderator), keeping each row in its thread; earlier versions go.
    `rows` (pk, room_id, state) were read locked, so a moderator hiding one
    meanwhile does not count it out of the room a second time."""
    removed = [(pk, room_id, state) for pk, room_id, state in rows if not keep_texts or state == Comment.State.PENDING]
    visible_by_room = Counter(room_id for _pk, room_id, state in removed if state == Comment.State.VISIBLE)
    removed_ids = [pk for pk, _room_id, _state in removed]
    CommentRevision.objects.filter(comment__in=own).delete()
    for start in range(0, len(removed_ids), CHUNK_SIZE):
        chunk = removed_ids[start : start + CHUNK_SIZE]
        # Hidden ones too: restoring one would show an empty comment. Why it was
        # hidden stays in the moderation log.
        Comment.objects.filter(pk__in=chunk).update(
            state=Comment.State.DELETED, body_source="", body_html="", held_reason=""
        )
        Mention.objects.filter(comment_id__in=chunk).delete()
        CommentLink.objects.filter(source_id__in=chunk).delete()
        # Machine translations carry the words too.
        CommentTranslation.objects.filter(comment_id__in=chunk).delete()
    if visible_by_room:
        # A removed text may have been its thread's latest activity.
        visible_ids = [pk for pk, _room_id, state in removed if state == Comment.State.VISIBLE]
        counts.refresh_thread_activity(
            set(Comment.objects.filter(pk__in=visible_ids).values_list("tree_id", flat=True))
        )
    for room_id, visible in visible_by_room.items():
        counts.change_room_counts(room_id, comments=-visible)
    cache.room_changed(*{room_id for _pk, room_id, _state in rows})


def _forget_mentions_of(person, mentioning_ids: list[int]) -> None:
    """Every "@handle" of the person becomes plain text naming a former
    participant, in the language of the text where we have it, then the
    comments are rendered again (their Mention rows go with the handle)."""
    mention = re.compile(rf"(?<![\w@.])@{re.escape(person.handle)}(?![\w@])", re.IGNORECASE)
    written = f"@{person.handle}"

    def rewritten(text: str, language: str = "") -> str:
        with translation.override(language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE):
            return mention.sub(str(former.FORMER_PARTICIPANT), text)

    mentioning = []
    for start in range(0, len(mentioning_ids), CHUNK_SIZE):
        chunk = mentioning_ids[start : start + CHUNK_SIZE]
        for comment in Comment.objects.filter(pk__in=chunk).only("pk", "room_id", "body_source", "language"):
            comment.body_source = rewritten(comment.body_source, comment.language)
            Comment.objects.filter(pk=comment.pk).update(body_source=comment.body_source)
            mentioning.append(comment)
    Mention.objects.filter(user=person).delete()
    # Earlier versions, summaries and shift notes record no mentions: found by their text.
    summary_ids = []
    # A summary's text in each of its languages (forum/translation.py).
    summary_fields = [(RoomSummary, name) for name in localized_text_fields(["body_source"])]
    for model, field in ((CommentRevision, "body_source"), *summary_fields, (ShiftNote, "body")):
        for row in model.objects.filter(**{f"{field}__icontains": written}).only("pk", field).iterator(CHUNK_SIZE):
            model.objects.filter(pk=row.pk).update(**{field: rewritten(getattr(row, field))})
            if model is RoomSummary:
                summary_ids.append(row.pk)
    rerender_comments(mentioning)
    summaries.rerender_summaries(RoomSummary.objects.filter(pk__in=summary_ids).only("pk", "room_id", "body_source"))
    # The start of a shift quotes the room's latest notes with their authors' names.
    quoted = f"{person.display_name}: "
    for notification in Notification.objects.filter(kind=Notification.Kind.SHIFT, note__contains=quoted):
        notification.note = notification.note.replace(quoted, f"{former.name_of(None, as_moderator=True)}: ")
        notification.save(update_fields=["note"])


def _forget_personal_rows(person) -> None:
    """What was only the person's: deleted now, in plain sight (the account's own
    deletion would cascade to most of it)."""
    Notification.objects.filter(recipient=person).delete()
    # Their endorsements go, and the comments' counts with them.
    given = Endorsement.objects.filter(person=person)
    for comment_id, kind in given.values_list("comment_id", "kind"):
        counts.change_endorsement_count(comment_id, kind, by=-1)
    given.delete()
    Follow.objects.filter(user=person).delete()
    RoomVisit.objects.filter(user=person).delete()
    EmailPreference.objects.filter(user=person).delete()
    Suspension.objects.filter(user=person).delete()
    person.moderator_assignments.all().delete()
    ModeratorInvitation.objects.filter(email__iexact=person.email).delete()
    ModeratorInvitation.objects.filter(accepted_by=person).delete()
    # The admin's history of changes to the account names it in every line.
    LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(person), object_id=str(person.pk)).delete()
