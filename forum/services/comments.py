"""Writing comments: posting, replying, editing and deleting, and keeping
rendered bodies up to date when what they refer to changes."""

import re
import uuid
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_tasks import task

from accounts import services as accounts_services
from accounts import terms
from accounts.models import Acceptance
from forum import cache, counts, permissions, ratelimits
from forum.languages import detect_language
from forum.models import Comment, CommentLink, CommentRevision, Follow, GuidingQuestion, HeldReason, Mention, Room
from forum.rendering import RenderedBody, render_comment_body
from forum.retries import retrying_a_deadlock
from forum.services import notifications, summaries, synthesis, translations
from forum.services.rerendering import rerender

# Any constant will do: it names the lock that hands out new tree ids.
_NEW_THREAD_LOCK_KEY = 7_240_001

EMPTY_BODY_MESSAGE = gettext_lazy("Please write something before posting.")


def clean_comment_body(text: str) -> str:
    """The body as it will be stored, or a ValidationError a person can act on."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    if not text.strip():
        raise ValidationError(EMPTY_BODY_MESSAGE, code="empty")
    limit = settings.FORUM_COMMENT_MAX_LENGTH
    if len(text) > limit:
        raise ValidationError(
            ngettext(
                "Your comment is %(length)d character long; the limit is %(limit)d. Please shorten it.",
                "Your comment is %(length)d characters long; the limit is %(limit)d. Please shorten it.",
                len(text),
            )
            % {"length": len(text), "limit": limit},
            code="too_long",
        )
    return text.strip("\n")


# --- Posting --------------------------------------------------------------


def clean_language(language: str | None, body: str) -> str:
    """The author's choice when they made one (one of FORUM_COMMENT_LANGUAGES),
    otherwise the language recognised in the body ("" when it cannot be told)."""
    if language is None:
        return detect_language(body)
    if language not in settings.FORUM_COMMENT_LANGUAGES:
        raise ValidationError(_("Choose one of the languages offered."))
    return language


def post_comment(
    author,
    *,
    room: Room,
    body: str,
    client_token: uuid.UUID | None = None,
    guiding_question: GuidingQuestion | None = None,
    language: str | None = None,
    accepting: Sequence[int] = (),
    quotable: bool = True,
) -> Comment:
    """Start a new thread in the room, answering one of its guiding questions if
    the author says so. Posting the same form twice stores one comment;
    `accepting`: versions of the terms ticked on the form (see accept_or_refuse).

    The returned comment carries `mentions_not_notified`: how many mentioned
    people were beyond the notification limit (their mentions still show)."""
    refusal = permissions.why_cannot_post(author, room)
    if refusal:
        raise PermissionDenied(refusal)
    accept_or_refuse(author, accepting)
    if guiding_question is not None and guiding_question.room_id != room.pk:
        raise ValidationError(_("Choose one of this room's guiding questions."))
    body = clean_comment_body(body)
    language = clean_language(language, body)
    ratelimits.check("post", author)
    rendered = render_comment_body(body)

    def write() -> Comment:
        with transaction.atomic():
            lock_new_thread_allocation()
            existing = _already_posted(author, client_token, room=room, parent=None)
            if existing:
                return existing
            # New threads take turns (above), so the count read now is the latest.
            thread_count = Room.objects.filter(pk=room.pk).values_list("thread_count", flat=True).get()
            comment = _new_comment(
                author,
                room=room,
                rendered=rendered,
                body=body,
                client_token=client_token,
                thread_number=thread_count + 1,
                guiding_question=guiding_question,
                language=language,
                may_be_quoted=quotable,
            )
            if comment.posted_meanwhile:
                return comment
            counts.change_room_counts(room.pk, threads=1, comments=int(comment.is_visible))
            _after_posting(comment, rendered=rendered, thread_id=comment.pk)
        return comment

    return retrying_a_deadlock(write)


def reply_to_comment(
    author,
    *,
    parent: Comment,
    body: str,
    client_token: uuid.UUID | None = None,
    language: str | None = None,
    accepting: Sequence[int] = (),
    quotable: bool = True,
) -> Comment:
    """Reply under a comment. Only the thread's own rows are locked and touched.

    Like post_comment, the returned reply carries `mentions_not_notified`."""
    permissions.read_posting_facts(author, parent.room.consultation_id)
    # Whether the thread is locked is read below, with its first comment held.
    refusal = permissions.why_cannot_reply(
        author,
        parent,
        facts=permissions.PageFacts(
            posting_refusal=permissions.why_cannot_post(author, parent.room), thread_locked=False
        ),
    )
    if refusal:
        raise PermissionDenied(refusal)
    accept_or_refuse(author, accepting)
    body = clean_comment_body(body)
    language = clean_language(language, body)
    ratelimits.check("post", author)
    rendered = render_comment_body(body)

    def write() -> Comment:
        with transaction.atomic():
            root, fresh_parent = _lock_thread_of(parent)
            if root.is_locked or not fresh_parent.is_visible:
                facts = permissions.PageFacts(posting_refusal=None, thread_locked=root.is_locked)
                raise PermissionDenied(permissions.why_cannot_reply(author, fresh_parent, facts=facts))
            existing = _already_posted(author, client_token, room=parent.room, parent=parent)
            if existing:
                return existing
            comment = _new_comment(
                author,
                room=fresh_parent.room,
                rendered=rendered,
                body=body,
                client_token=client_token,
                parent=fresh_parent,
                language=language,
                may_be_quoted=quotable,
            )
            if comment.posted_meanwhile:
                return comment
            counts.change_room_counts(comment.room_id, comments=int(comment.is_visible))
            if comment.is_visible:
                counts.thread_activity_changed(comment, shown=True)
            _after_posting(comment, rendered=rendered, thread_id=root.pk)
        return comment

    return retrying_a_deadlock(write)


def _lock_thread_of(parent: Comment) -> tuple[Comment, Comment]:
    """The thread's first comment and `parent`, read afresh in one query that
    locks them in that order (as lock_thread_root does): django-mptt leaves
    locking to us, and holding the root makes replies to one thread take
    turns, so lft/rght stay consistent. The parent keeps the room it came
    with, but for its rule on holding newcomers' comments, read now (unlocked)."""
    rows = list(
        Comment.objects.select_for_update(of=("self",))
        .filter(Q(tree_id=parent.tree_id, level=0) | Q(pk=parent.pk))
        .annotate(room_holds_first=F("room__premoderate_first"))
        .order_by("level")
    )
    if not rows or rows[-1].pk != parent.pk:
        # Erased since the form was drawn (an account's deletion takes its comments).
        raise PermissionDenied(_("This comment has been removed, so it cannot be replied to."))
    root, fresh_parent = rows[0], rows[-1]
    fresh_parent.room = parent.room
    fresh_parent.room.premoderate_first = fresh_parent.room_holds_first
    return root, fresh_parent


def accept_or_refuse(author, accepting: Sequence[int]) -> None:
    """People post (and edit) under the current terms of use and privacy notice:
    the versions the form showed them, ticked, are accepted first; without them
    the post is refused, and the text stays in the form. Reading never asks."""
    if accepting:
        accounts_services.accept_documents(author, document_ids=accepting, source=Acceptance.Source.COMMENT_FORM)
    if not terms.has_accepted_current_documents(author):
        raise ValidationError(terms.ACCEPT_TO_POST, code="documents_to_accept")


def preview_comment(author, *, room: Room, body: str) -> str:
    """The HTML the body would be posted as in the room, rendered by the same
    renderer as posting. Writes nothing: no comment, mentions, citations,
    notifications or counts. Limited like posting (its own "preview" limit),
    since rendering costs the server more than drawing a stored comment."""
    refusal = permissions.why_cannot_post(author, room)
    if refusal:
        raise PermissionDenied(refusal)
    body = clean_comment_body(body)
    ratelimits.check("preview", author)
    return render_comment_body(body).html


def _new_comment(author, *, room: Room, rendered: RenderedBody, body, client_token, **tree) -> Comment:
    as_moderator = permissions.is_room_moderator(author, room)
    held_reason = "" if as_moderator else why_held(author, room, rendered)
    comment = Comment(
        room=room,
        author=author,
        body_source=body,
        body_html=rendered.html,
        render_version=rendered.version,
        client_token=client_token,
        state=Comment.State.PENDING if held_reason else Comment.State.VISIBLE,
        held_reason=held_reason,
        written_as_moderator=as_moderator,
        **tree,
    )
    if comment.parent is None:
        comment.thread_activity_at = comment.created_at
    try:
        with transaction.atomic():
            if comment.parent is not None:
                # The parent was just read under its thread's lock (_lock_thread_of):
                # its tree values are fresh, so django-mptt need not read them again.
                Comment.objects.insert_node(comment, comment.parent, position="last-child", refresh_target=False)
            comment.save()
    except IntegrityError:
        # The same form, sent twice at once: the other request stored it first.
        existing = _already_posted(author, client_token, room=room, parent=tree.get("parent"))
        if existing is None:
            raise
        existing.posted_meanwhile = True
        return existing
    comment.posted_meanwhile = False
    return comment


def why_held(author, room: Room, rendered: RenderedBody, *, editing: Comment | None = None) -> str:
    """Why the comment waits for a moderator (a HeldReason), or "" when it does
    not: the first comments of newcomers to the consultation where the room
    asks for it, and link-heavy comments from brand-new accounts. An edit is
    judged like a new comment (the one `editing` does not count among the
    author's published ones), so approval is not a licence to rewrite."""
    if permissions.is_room_moderator(author, room):
        return ""
    if _too_many_links_for_a_new_account(author, rendered):
        return HeldReason.LINKS
    if room.premoderate_first:
        published = Comment.objects.filter(
            author=author, room__consultation_id=room.consultation_id, state=Comment.State.VISIBLE
        )
        if editing is not None:
            published = published.exclude(pk=editing.pk)
        if published.count() < room.premoderate_first:
            return HeldReason.EDITED if editing is not None else HeldReason.NEWCOMER
    return ""


def _too_many_links_for_a_new_account(author, rendered: RenderedBody) -> bool:
    return author.is_new_account and rendered.external_link_count > settings.FORUM_NEW_ACCOUNT_MAX_LINKS


def _after_posting(comment: Comment, *, rendered: RenderedBody, thread_id: int) -> None:
    """What a new comment sets going, once the caller has stored and counted it.
    The room's pages show it as soon as it commits, and its author follows the
    thread (if they wish); telling people is the worker's (announce_comment),
    queued last in this transaction so that it runs only once the comment has
    committed, and the author never waits for it."""
    cache.room_changed(comment.room_id)
    if comment.author.follow_threads_on_post:
        # Now rather than by the worker: the page the author lands on shows them following.
        Follow.objects.bulk_create([Follow(user=comment.author, thread_id=thread_id)], ignore_conflicts=True)
    mentioned = rendered.mentioned_user_ids
    comment.mentions_not_notified = (
        max(0, len(mentioned) - notifications.mentions_to_notify(comment.author)) if comment.is_visible else 0
    )
    announce_comment.enqueue(
        comment.pk, thread_id=thread_id, mentioned_ids=list(mentioned), cited_ids=sorted(rendered.cited_comment_ids)
    )


@task()
def announce_comment(comment_id: int, *, thread_id: int, mentioned_ids: list[int], cited_ids: list[int]) -> None:
    """A new comment's consequences (queued by _after_posting): its mentions and
    citations are recorded. A visible comment tells people now; a held one
    tells the moderators on duty, and everyone else when it is approved
    (moderation.approve_comment)."""
    comment = Comment.objects.select_related("room__consultation", "author").filter(pk=comment_id).first()
    if comment is None:
        return
    with transaction.atomic():
        if comment.edited_at is None:
            # An edit made meanwhile has recorded what the body says now.
            _record_mentions_and_citations(comment, mentioned_ids=mentioned_ids, cited_ids=cited_ids)
        if comment.is_visible:
            publish(comment, thread_id=thread_id, mentioned_ids=mentioned_ids)
        elif comment.is_pending:
            notifications.notify_held(comment)
        if cited_ids:
            # The cited comments, here or in other rooms, now show this one among their backlinks.
            cited_rooms = Comment.objects.filter(pk__in=cited_ids).values_list("room_id", flat=True)
            cache.room_changed(comment.room_id, *cited_rooms)


def publish(comment: Comment, *, thread_id: int, mentioned_ids) -> None:
    """A comment becomes part of the discussion: people are told (the caller has counted it in the room)."""
    limit = notifications.mentions_to_notify(comment.author)
    notifications.notify_about_new_comment(comment, thread_id=thread_id, mentioned_ids=mentioned_ids[:limit])
    comment.mentions_not_notified = max(0, len(mentioned_ids) - limit)
    translations.queue_translations(comment.pk)


def record_mentions_and_citations(comment: Comment, rendered: RenderedBody) -> None:
    """Make the Mention and CommentLink rows match what the body now says."""
    _record_mentions_and_citations(
        comment, mentioned_ids=rendered.mentioned_user_ids, cited_ids=rendered.cited_comment_ids
    )


def _record_mentions_and_citations(comment: Comment, *, mentioned_ids, cited_ids) -> None:
    Mention.objects.filter(comment=comment).exclude(user_id__in=mentioned_ids).delete()
    Mention.objects.bulk_create(
        [Mention(comment=comment, user_id=user_id) for user_id in mentioned_ids],
        ignore_conflicts=True,
    )
    CommentLink.objects.filter(source=comment).exclude(target_id__in=cited_ids).delete()
    CommentLink.objects.bulk_create(
        [CommentLink(source=comment, target_id=target_id) for target_id in cited_ids],
        ignore_conflicts=True,
    )


TOKEN_USED_ELSEWHERE = gettext_lazy(
    "This form has already been used to post another comment. Your text is kept below: "
    "please copy it, reload the page and post it again."
)


def _already_posted(author, client_token, *, room: Room, parent: Comment | None) -> Comment | None:
    """The comment this form already posted (a second click, a resent form), or
    None. A form's token sent to another place than its first is refused."""
    if client_token is None:
        return None
    existing = Comment.objects.filter(author=author, client_token=client_token).first()
    if existing is not None and (existing.room_id, existing.parent_id) != (room.pk, getattr(parent, "pk", None)):
        raise ValidationError(TOKEN_USED_ELSEWHERE, code="token_used_elsewhere")
    return existing


def lock_thread_root(tree_id: int) -> None:
    """Lock a thread's first comment, first: replies, edits, deletions, moderators'
    actions and account deletions all take it before the thread's other rows
    (they may all move the root's figures), so they take turns and never deadlock."""
    list(Comment.objects.select_for_update().filter(tree_id=tree_id, level=0).values_list("pk", flat=True))


def lock_new_thread_allocation() -> None:
    """django-mptt gives a new tree the highest tree id plus one. On PostgreSQL
    two new threads at once could get the same id, so they take turns here.
    SQLite already runs one write transaction at a time (IMMEDIATE mode)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_NEW_THREAD_LOCK_KEY])


# --- Editing and deleting --------------------------------------------------


def edit_comment(
    author,
    *,
    comment: Comment,
    body: str,
    language: str | None = None,
    accepting: Sequence[int] = (),
    quotable: bool | None = None,
) -> Comment:
    """The author rewrites their comment: the earlier version is kept for
    moderators, the body is rendered again, and only newly mentioned people are told."""
    refusal = permissions.why_cannot_edit(author, comment)
    if refusal:
        raise PermissionDenied(refusal)
    accept_or_refuse(author, accepting)
    body = clean_comment_body(body)
    language = clean_language(language, body)
    if quotable is not None and quotable != comment.may_be_quoted:
        # The author's say over quoting is theirs to change at any time, edit or not.
        Comment.objects.filter(pk=comment.pk).update(may_be_quoted=quotable)
        comment.may_be_quoted = quotable
        refresh_citations_of(comment)
    if body == comment.body_source:
        if language != comment.language:
            Comment.objects.filter(pk=comment.pk).update(language=language)
            comment.language = language
            translations.translate_again(comment.pk)
        return comment
    ratelimits.check("edit", author)
    rendered = render_comment_body(body)
    with transaction.atomic():
        lock_thread_root(comment.tree_id)
        comment = Comment.objects.select_for_update().get(pk=comment.pk)
        now = timezone.now()
        CommentRevision.objects.create(
            comment=comment, body_source=comment.body_source, written_at=comment.edited_at or comment.created_at
        )
        held_reason = why_held(author, comment.room, rendered, editing=comment) if comment.is_visible else ""
        if held_reason:
            comment.state = Comment.State.PENDING
            comment.held_reason = held_reason
            counts.change_room_counts(comment.room_id, comments=-1)
        if comment.is_visible:
            limit = notifications.mentions_to_notify(author)
            notifications.notify_mentions_added(comment, mentioned_ids=rendered.mentioned_user_ids[:limit])
        comment.body_source = body
        comment.body_html = rendered.html
        comment.render_version = rendered.version
        comment.edited_at = now
        comment.language = language
        comment.save(
            update_fields=[
                "body_source",
                "body_html",
                "render_version",
                "edited_at",
                "state",
                "held_reason",
                "language",
            ]
        )
        if held_reason:
            counts.thread_activity_changed(comment, shown=False)
        record_mentions_and_citations(comment, rendered)
        if held_reason:
            notifications.notify_held(comment)
        translations.translate_again(comment.pk)
        refresh_citations_of(comment)
        cache.room_changed(comment.room_id)
    return comment


def delete_comment(author, *, comment: Comment) -> None:
    """The author withdraws their comment. Nothing is erased: the row stays for
    staff, the thread shows a placeholder where replies hang from it."""
    refusal = permissions.why_cannot_delete(author, comment)
    if refusal:
        raise PermissionDenied(refusal)
    with transaction.atomic():
        lock_thread_root(comment.tree_id)
        was_visible = Comment.objects.filter(pk=comment.pk, state=Comment.State.VISIBLE).exists()
        Comment.objects.filter(pk=comment.pk).update(state=Comment.State.DELETED)
        if was_visible:
            counts.change_room_counts(comment.room_id, comments=-1)
            counts.thread_activity_changed(comment, shown=False)
        comment.state = Comment.State.DELETED
        refresh_citations_of(comment)
        cache.room_changed(comment.room_id)


# --- Keeping rendered bodies current --------------------------------------


def rerender_comments(comments) -> int:
    """Render stored bodies again (after a mentioned name, or a cited comment,
    changed); their translations are made again from the new rendering."""

    def record(comment, rendered: RenderedBody) -> None:
        record_mentions_and_citations(comment, rendered)
        translations.translate_again(comment.pk)

    return rerender(comments, model=Comment, record=record)


def refresh_citations_of(comment: Comment) -> None:
    """Comments and summaries citing this one show its author, room, state and
    excerpt: the task worker renders them again, so the change that calls this
    never waits for however many there are.

    The task is queued inside the caller's transaction: the database queue
    stores it with the change, so it runs only once the change has committed,
    and is never lost between the commit and the queueing (an email can be sent
    again by a sweep; a stale excerpt would have nothing to catch it).
    Findings of the report citing it are flagged, and its rapporteurs told."""
    refresh_citing_comments.enqueue(comment.pk)
    synthesis.cited_comment_changed(comment)


@task()
def refresh_citing_comments(comment_id: int) -> int:
    """Render again the comments and summaries that cite the comment (queued by refresh_citations_of)."""
    citing = Comment.objects.filter(links_out__target_id=comment_id).only("pk", "room_id", "body_source")
    return rerender_comments(citing) + summaries.rerender_summaries(summaries.summaries_citing([comment_id]))


def follow_renamed_person(user, *, old_handle: str) -> int:
    """After someone changes their name or handle, every mention of them shows the
    new one: sources that wrote the old handle are rewritten to the new one (as
    Discourse does), so that the mention keeps pointing at them, then rendered again."""
    # Their name shows on every comment they wrote, wherever it is.
    cache.site_changed()
    mentioning = Comment.objects.filter(mentions__user=user).only("pk", "room_id", "body_source")
    if old_handle != user.handle:
        old_mention = re.compile(rf"(?<![\w@.])@{re.escape(old_handle)}(?![\w@])", re.IGNORECASE)
        for comment in mentioning:
            new_source = old_mention.sub(f"@{user.handle}", comment.body_source)
            if new_source != comment.body_source:
                Comment.objects.filter(pk=comment.pk).update(body_source=new_source)
                comment.body_source = new_source
    # References name the cited comment's author too, in comments and in summaries.
    citing = Comment.objects.filter(links_out__target__author=user).exclude(mentions__user=user)
    summaries.rerender_summaries(summaries.summaries_citing(Comment.objects.filter(author=user)))
    return rerender_comments([*mentioning, *citing.only("pk", "room_id", "body_source").distinct()])
