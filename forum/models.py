import hashlib
import secrets
import zoneinfo
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from mptt.models import MPTTModel, TreeForeignKey

from forum import documents, links
from forum.querysets import (
    QUESTION_ORDER,
    CommentManager,
    ConsultationQuerySet,
    GuidingQuestionQuerySet,
    RoomModeratorQuerySet,
    RoomQuerySet,
    SuspensionQuerySet,
)

# The texts admins write for a consultation and for each room, in the
# renderer's Markdown; each has its rendered HTML beside it as "<name>_html".
PLACE_TEXT_FIELDS = ("introduction", "objective", "outcome")

# Words used by pages under a consultation's or room's URL.
RESERVED_SLUGS = {
    "summary",
    "export.csv",
    "export.json",
    "thread",
    "reply",
    "comment",
    "search",
    "suspend",
    "suspensions",
    "follow",
    "state",
    "summaries",
    "notes",
    "report",
}


def validate_time_zone(name):
    if name not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(name)s” is not a time zone; use a name such as Europe/Paris."), params={"name": name}
        )


def validate_not_reserved(slug):
    if slug in RESERVED_SLUGS:
        raise ValidationError(_("“%(slug)s” is used by the site itself; choose another."), params={"slug": slug})


class Consultation(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True, validators=[validate_not_reserved])
    # Its texts and its rooms' are written in this language first; where a
    # reader's language has no text yet, pages show this one (forum.place_texts).
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language its texts are written in first, shown where a translation is missing."),
    )
    introduction = models.TextField(_("introduction"), blank=True)
    objective = models.TextField(_("objective"), blank=True)
    outcome = models.TextField(_("expected outcome"), blank=True)
    # The texts above as pages show them, rendered on save (forum.services.texts).
    introduction_html = models.TextField(blank=True, editable=False)
    objective_html = models.TextField(blank=True, editable=False)
    outcome_html = models.TextField(blank=True, editable=False)
    texts_render_version = models.PositiveSmallIntegerField(default=0, editable=False)
    opens_on = models.DateField(_("opens on"), null=True, blank=True)
    closes_on = models.DateField(_("closes on"), null=True, blank=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=settings.TIME_ZONE,
        validators=[validate_time_zone],
        help_text=_("Opening and closing dates and the moderator rota follow the days of this time zone."),
    )
    is_published = models.BooleanField(
        _("published"), default=True, help_text=_("Left off, only staff see it, as a preview.")
    )
    summaries_public_when_closed = models.BooleanField(
        _("summaries are public once a room closes"),
        default=False,
        help_text=_("Otherwise only moderators and staff see the summary pages."),
    )
    hide_after_reports = models.PositiveSmallIntegerField(
        _("hide a comment after this many reports"),
        default=3,
        help_text=_("Reports from different people; the comment waits hidden for a moderator. 0 turns this off."),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_on", "title"]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("forum:consultation", kwargs={"consultation_slug": self.slug})

    def today(self) -> date:
        """The date now where the consultation is run: its rota and dates follow it."""
        return timezone.localdate(timezone=zoneinfo.ZoneInfo(self.time_zone))


class Room(models.Model):
    class State(models.TextChoices):
        """What the moderators decided. OPEN follows the opening and closing
        dates; the others hold whatever the dates say."""

        UPCOMING = "upcoming", _("Not open yet, whatever the dates")
        OPEN = "open", _("Open between its dates")
        CLOSED = "closed", _("Closed (read-only)")
        REOPENED = "reopened", _("Reopened by a moderator after its closing date")

    class Phase(models.TextChoices):
        UPCOMING = "upcoming", _("Upcoming")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="rooms", verbose_name=_("consultation")
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, validators=[validate_not_reserved])
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    introduction = models.TextField(_("introduction"), blank=True)
    objective = models.TextField(_("objective"), blank=True)
    outcome = models.TextField(_("expected outcome"), blank=True)
    # The texts above as pages show them, rendered on save (forum.services.texts).
    introduction_html = models.TextField(blank=True, editable=False)
    objective_html = models.TextField(blank=True, editable=False)
    outcome_html = models.TextField(blank=True, editable=False)
    texts_render_version = models.PositiveSmallIntegerField(default=0, editable=False)
    opens_on = models.DateField(_("opens on"), null=True, blank=True)
    closes_on = models.DateField(_("closes on"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    is_published = models.BooleanField(
        _("published"), default=True, help_text=_("Left off, only staff see it, as a preview.")
    )
    premoderate_first = models.PositiveSmallIntegerField(
        _("hold the first comments of newcomers"),
        default=0,
        help_text=_(
            "The first this many comments of someone new to the consultation wait for a moderator's approval. "
            "0 publishes them at once."
        ),
    )
    # Kept by the comment services, so lists never count rows.
    comment_count = models.PositiveIntegerField(_("visible comments"), default=0, editable=False)
    thread_count = models.PositiveIntegerField(_("threads started"), default=0, editable=False)
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True, editable=False)
    # The newest moderator summary, pinned at the top of the room; kept by the
    # summary services so the room page reads it with the room itself.
    latest_summary = models.ForeignKey(
        "RoomSummary", on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )

    objects = RoomQuerySet.as_manager()

    class Meta:
        ordering = ["consultation", "position", "id"]
        verbose_name = _("discussion room")
        verbose_name_plural = _("discussion rooms")
        constraints = [
            models.UniqueConstraint(fields=["consultation", "slug"], name="room_slug_unique_in_consultation"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("forum:room", kwargs={"consultation_slug": self.consultation.slug, "room_slug": self.slug})

    @property
    def opening_date(self) -> date | None:
        """The later of the room's and the consultation's opening dates."""
        return max(filter(None, [self.opens_on, self.consultation.opens_on]), default=None)

    @property
    def closing_date(self) -> date | None:
        """The earlier of the room's and the consultation's closing dates."""
        return min(filter(None, [self.closes_on, self.consultation.closes_on]), default=None)

    @property
    def phase(self) -> str:
        """Upcoming, open or closed today, in the consultation's time zone: by the
        dates, unless a moderator closed the room early or reopened it."""
        if self.state == self.State.CLOSED:
            return self.Phase.CLOSED
        if self.state == self.State.UPCOMING:
            return self.Phase.UPCOMING
        today = self.consultation.today()
        opening = self.opening_date
        if opening and today < opening and self.state != self.State.REOPENED:
            return self.Phase.UPCOMING
        closing = self.closing_date
        if closing and today > closing and self.state != self.State.REOPENED:
            return self.Phase.CLOSED
        return self.Phase.OPEN

    @property
    def is_open(self):
        return self.phase == self.Phase.OPEN

    @property
    def is_closed(self):
        return self.phase == self.Phase.CLOSED


def document_upload_path(document, filename: str) -> str:
    # A random folder: stored names cannot be guessed, and two "report.pdf" keep their name.
    return f"documents/{secrets.token_hex(8)}/{filename}"


class RoomDocument(models.Model):
    """A document attached to a room in the admin, served by forum.views.documents
    (never from MEDIA_URL), so only those who may read the room can fetch it."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="documents", verbose_name=_("room"))
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=document_upload_path, max_length=255)
    # Taken from the file's checked content (forum.documents), not from the upload's claim.
    content_type = models.CharField(_("type"), max_length=100, editable=False)
    size = models.PositiveBigIntegerField(_("size"), default=0, editable=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["room", "position", "id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self):
        return self.title

    @property
    def filename(self) -> str:
        return self.file.name.rpartition("/")[2]

    @property
    def kind_label(self) -> str:
        kind = documents.kind_of_content_type(self.content_type)
        return str(kind.label) if kind else self.content_type


class QuestionGroup(models.Model):
    """A heading over some of a room's guiding questions, typed once."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="question_groups", verbose_name=_("room"))
    heading = models.CharField(_("heading"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["room", "position", "id"]
        verbose_name = _("question group")
        verbose_name_plural = _("question groups")

    def __str__(self):
        return self.heading


class GuidingQuestion(models.Model):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="questions", verbose_name=_("room"))
    group = models.ForeignKey(
        QuestionGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questions",
        verbose_name=_("group"),
        help_text=_("Questions without a group come first, under no heading."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0, help_text=_("Its place within its group."))
    text = models.TextField(_("question"))

    objects = GuidingQuestionQuerySet.as_manager()

    class Meta:
        # The order of the room page, where they are numbered 1, 2, 3… across the groups.
        ordering = QUESTION_ORDER
        verbose_name = _("guiding question")
        verbose_name_plural = _("guiding questions")

    def __str__(self):
        return self.text[:80]


def ends_after_it_starts(name: str) -> models.CheckConstraint:
    """A rota line may be open-ended at either side; given both dates, it ends on or after the day it starts."""
    return models.CheckConstraint(
        condition=models.Q(starts_on__isnull=True)
        | models.Q(ends_on__isnull=True)
        | models.Q(ends_on__gte=models.F("starts_on")),
        name=name,
    )


class RoomModerator(models.Model):
    """One line of a room's moderator rota. Open-ended when a date is left empty."""

    room = models.ForeignKey(
        Room, on_delete=models.CASCADE, related_name="moderator_assignments", verbose_name=_("room")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="moderator_assignments",
        verbose_name=_("moderator"),
    )
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)

    objects = RoomModeratorQuerySet.as_manager()

    class Meta:
        ordering = ["room", "starts_on", "id"]
        verbose_name = _("moderator assignment")
        verbose_name_plural = _("moderator rota")
        constraints = [ends_after_it_starts("moderator_assignment_ends_after_it_starts")]

    def __str__(self):
        return f"{self.user} in {self.room}"


def new_invitation_token() -> str:
    return secrets.token_urlsafe(32)


class ModeratorInvitation(models.Model):
    """A rota line for someone invited by email, waiting for them to accept: the
    link in the email (forum.invitations) turns it into a RoomModerator line."""

    room = models.ForeignKey(
        Room, on_delete=models.CASCADE, related_name="moderator_invitations", verbose_name=_("room")
    )
    email = models.EmailField(_("email address"))
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    token = models.CharField(max_length=64, unique=True, default=new_invitation_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        editable=False,
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("invited"), default=timezone.now, editable=False)
    emailed_at = models.DateTimeField(_("emailed"), null=True, blank=True, editable=False)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True, editable=False)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("accepted by"),
    )

    class Meta:
        ordering = ["room", "starts_on", "id"]
        verbose_name = _("moderator invitation")
        verbose_name_plural = _("moderator invitations")
        constraints = [ends_after_it_starts("moderator_invitation_ends_after_it_starts")]

    def __str__(self):
        return f"{self.email} in {self.room}"

    @property
    def is_accepted(self):
        return self.accepted_at is not None


class HeldReason(models.TextChoices):
    """Why a comment waits for a moderator."""

    NEWCOMER = "newcomer", _("A newcomer's first comments")
    LINKS = "links", _("Many links from a new account")
    EDITED = "edited", _("An edit of a newcomer's comment")

    @classmethod
    def explain(cls, reason: str, room) -> str:
        """The reason as its author and the moderators read it, with the room's numbers."""
        if reason == cls.NEWCOMER:
            return ngettext(
                "The first comment of people new to this consultation is checked first.",
                "The first %(count)d comments of people new to this consultation are checked first.",
                room.premoderate_first,
            ) % {"count": room.premoderate_first}
        if reason == cls.LINKS:
            return gettext("Comments from new accounts with more than %(count)d links are checked first.") % {
                "count": settings.FORUM_NEW_ACCOUNT_MAX_LINKS
            }
        if reason == cls.EDITED:
            return gettext("Edits to the first comments of people new to this consultation are checked again.")
        return ""


class Comment(MPTTModel):
    """A comment in a room. Each top-level comment starts its own tree (thread)."""

    class State(models.TextChoices):
        VISIBLE = "visible", _("Visible")
        PENDING = "pending", _("Awaiting moderation")
        DELETED = "deleted", _("Deleted by its author")
        HIDDEN = "hidden", _("Hidden by a moderator")

    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="comments", verbose_name=_("room"))
    parent = TreeForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("reply to")
    )
    # Empty once its author deleted their account (forum.services.erasure): the
    # comment keeps its place in the thread and is shown as a former participant's.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name=_("author"),
    )
    # Position of a thread in its room (1, 2, 3…), on top-level comments only:
    # room pages are ranges of it, so the last page costs what the first does.
    thread_number = models.PositiveIntegerField(_("thread number"), null=True, blank=True, editable=False)
    body_source = models.TextField(_("text as written"))
    body_html = models.TextField(_("text as shown"), editable=False)
    render_version = models.PositiveSmallIntegerField(default=0, editable=False)
    language = models.CharField(_("language"), max_length=16, blank=True)
    guiding_question = models.ForeignKey(
        GuidingQuestion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name=_("answers guiding question"),
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.VISIBLE)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=300, blank=True)
    # Its author asked that the report never quote it ("Don't quote this comment"):
    # forum.quoting.how_to_quote reads it beside their consent.
    may_be_quoted = models.BooleanField(_("may be quoted in the report"), default=True)
    # Hidden by the site once enough people reported it (the reason is then
    # written in the reader's language, not stored in one).
    hidden_after_reports = models.BooleanField(default=False, editable=False)
    # Thread-wide flags live on the top-level comment.
    is_pinned = models.BooleanField(_("pinned to the top of the room"), default=False)
    is_locked = models.BooleanField(_("thread locked"), default=False)
    is_highlighted = models.BooleanField(_("highlighted by a moderator"), default=False)
    # Whether its author wrote it as a moderator of the room (on the rota that
    # day, or staff): the badge it keeps whatever the rota says later.
    written_as_moderator = models.BooleanField(_("written as a moderator"), default=False, editable=False)
    held_reason = models.CharField(
        _("why it waits for a moderator"), max_length=12, choices=HeldReason.choices, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("posted"), default=timezone.now, editable=False)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True, editable=False)
    # Sent with the form, so a double click or a resent POST stores one comment.
    client_token = models.UUIDField(null=True, blank=True, editable=False)
    # Endorsements by kind (Endorsement rows), kept by forum.counts; a thread's
    # "most endorsed" rank is its root's total.
    agree_count = models.PositiveIntegerField(_("“I agree”"), default=0, editable=False)
    useful_count = models.PositiveIntegerField(_("“Useful”"), default=0, editable=False)
    # Read on top-level comments only: when the thread's newest visible reply was
    # posted, or the thread started, for the "latest activity" order (never
    # empty, so that order has no NULLs to place; a reply's value means nothing).
    thread_activity_at = models.DateTimeField(_("latest activity in the thread"), default=timezone.now, editable=False)

    # The findings of the consultation's published report citing it ("3.2, 4.1"), written
    # when a report is published, so drawing "Cited in the report" costs no query.
    report_citation = models.CharField(max_length=200, blank=True, editable=False)

    objects = CommentManager()

    class MPTTMeta:
        order_insertion_by = []

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        constraints = [
            models.UniqueConstraint(
                fields=["author", "client_token"],
                condition=models.Q(client_token__isnull=False),
                name="comment_posted_once_per_form",
            ),
            models.UniqueConstraint(
                fields=["room", "thread_number"],
                condition=models.Q(thread_number__isnull=False),
                name="thread_number_unique_in_room",
            ),
        ]
        indexes = [
            models.Index(fields=["tree_id", "lft"], name="comment_tree_order"),
            models.Index(fields=["room", "created_at"], name="comment_room_time"),
            models.Index(fields=["author", "-created_at"], name="comment_author_newest"),
            # A room's comments by id: the newest, and those after a reader's position (RoomVisit).
            models.Index(fields=["room", "id"], name="comment_room_position"),
            # A room's threads in each order of forum.selectors.threads.ORDERS, read by
            # keyset: pinned first, then the order's figure, then the newest id.
            models.Index(
                "room",
                F("is_pinned").desc(),
                F("thread_activity_at").desc(),
                F("id").desc(),
                condition=models.Q(level=0),
                name="comment_thread_activity",
            ),
            models.Index(
                "room",
                F("is_pinned").desc(),
                (F("rght") - F("lft")).desc(),
                F("id").desc(),
                condition=models.Q(level=0),
                name="comment_thread_replies",
            ),
            models.Index(
                "room",
                F("is_pinned").desc(),
                (F("agree_count") + F("useful_count")).desc(),
                F("id").desc(),
                condition=models.Q(level=0),
                name="comment_thread_endorsed",
            ),
        ]

    def __str__(self):
        return f"Comment {self.pk} by {self.author_id} in room {self.room_id}"

    def get_absolute_url(self):
        return links.fill("forum:comment-permalink", self.pk)

    # The comment's own pages, read by templates once per comment drawn.
    @property
    def edit_url(self):
        return links.fill("forum:edit-comment", self.pk)

    @property
    def delete_url(self):
        return links.fill("forum:delete-comment", self.pk)

    @property
    def report_url(self):
        return links.fill("forum:report-comment", self.pk)

    @property
    def moderate_url(self):
        return links.fill("forum:moderate-comment", self.pk)

    @property
    def flag_url(self):
        return links.fill("forum:flag-comment", self.pk)

    @property
    def is_visible(self):
        return self.state == self.State.VISIBLE

    @property
    def is_deleted(self):
        return self.state == self.State.DELETED

    @property
    def is_hidden(self):
        return self.state == self.State.HIDDEN

    @property
    def is_pending(self):
        return self.state == self.State.PENDING

    @property
    def reply_count(self):
        """Replies below this comment in any state, read from the tree itself."""
        return (self.rght - self.lft - 1) // 2

    @property
    def endorsement_counts(self) -> dict[str, int]:
        """How many people gave each kind of endorsement, by Endorsement.Kind value."""
        return {kind: getattr(self, f"{kind}_count") for kind in Endorsement.Kind.values}


class Endorsement(models.Model):
    """A person's endorsement of someone else's comment: one per person, comment and kind.

    Two kinds, saying different things a summary can use: "I agree" with what
    it says, and "Useful" for a contribution worth reading whether or not one
    agrees (evidence, an example, a fair counterpoint). There is no negative
    kind: disagreement is said in a reply, where it can be argued."""

    class Kind(models.TextChoices):
        AGREE = "agree", _("I agree")
        USEFUL = "useful", _("Useful")

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="endorsements")
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="endorsements")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "comment", "kind"], name="endorsement_once_per_person_and_kind")
        ]
        indexes = [models.Index(fields=["comment", "kind"], name="endorsement_by_comment")]

    def __str__(self):
        return f"{self.person_id} {self.kind} comment {self.comment_id}"


class Mention(models.Model):
    """Someone @mentioned in a comment, as of its latest rendering."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentions")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["comment", "user"], name="mention_once_per_comment")]

    def __str__(self):
        return f"@{self.user_id} in comment {self.comment_id}"


class CommentLink(models.Model):
    """A comment citing another by its permalink; read backwards, it gives backlinks."""

    source = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="links_in")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "target"], name="comment_link_once")]

    def __str__(self):
        return f"comment {self.source_id} cites comment {self.target_id}"


class Follow(models.Model):
    """Someone following a room, or a thread (its top-level comment)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    room = models.ForeignKey(Room, on_delete=models.CASCADE, null=True, blank=True, related_name="follows")
    thread = models.ForeignKey(Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="follows")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(room__isnull=False, thread__isnull=True)
                | models.Q(room__isnull=True, thread__isnull=False),
                name="follow_room_or_thread",
            ),
            models.UniqueConstraint(fields=["user", "room"], name="follow_room_once"),
            models.UniqueConstraint(fields=["user", "thread"], name="follow_thread_once"),
        ]

    def __str__(self):
        return (
            f"{self.user_id} follows {'room ' + str(self.room_id) if self.room_id else 'thread ' + str(self.thread_id)}"
        )


class RoomVisit(models.Model):
    """How far a signed-in person has read a room: one row per person and room,
    whatever the room's size. Comment ids grow with time, so a position is the
    id of the newest comment seen; what is new to the person is what comes after.

    A visit is the person's page views of the room (its pages and thread pages)
    less than FORUM_VISIT_ENDS_AFTER_MINUTES apart. Each view moves
    `last_seen_comment_id` to the room's newest visible comment at the time;
    the first view of a visit also keeps the position reached before it in
    `new_after_comment_id`, so that every page read during the visit marks the
    same comments "New" (forum.selectors.visits)."""

    user = models.ForeignKey(
        # The unique constraint's index serves lookups by person.
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="room_visits",
        db_index=False,
    )
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="visits")
    last_seen_comment_id = models.BigIntegerField(default=0)
    new_after_comment_id = models.BigIntegerField(default=0)
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "room"], name="room_visit_once")]

    def __str__(self):
        return f"{self.user_id} read room {self.room_id} up to comment {self.last_seen_comment_id}"


class Notification(models.Model):
    class Kind(models.TextChoices):
        MENTION = "mention", _("You were mentioned")
        REPLY = "reply", _("A reply to your comment")
        FOLLOW = "follow", _("A new comment where you follow")
        FLAG = "flag", _("A moderator flagged a comment to you")
        MODERATION = "moderation", _("A moderator acted on your comment")
        REPORT = "report", _("A new report in a room you moderate")
        HELD = "held", _("A comment waits for your approval")
        # Not a notification of its own: the daily email of the rooms a moderator is on duty in.
        ACTIVITY = "activity", _("The day's activity in the rooms you moderate")
        SHIFT = "shift", _("Your moderation shift starts")
        CITED = "cited", _("Your comment is cited in the report")
        CITATION_CHANGED = "cite_changed", _("A comment cited in the report changed")

    class Email(models.TextChoices):
        NONE = "none", _("Not emailed")
        PENDING = "pending", _("To be emailed")
        DIGEST = "digest", _("Waiting for the daily digest")
        SENT = "sent", _("Emailed")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    # Every kind is about a comment, but the start of a shift, which is about a room.
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications")
    room = models.ForeignKey(Room, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    # A flag's note or a moderator's reason, shown with the notification: people's words only.
    note = models.CharField(max_length=500, blank=True)
    # What the site says of it, stored as a code and figures and written in the
    # reader's language when shown (Notification.explanation): a report's
    # reason, why a comment is held, the figures of an alert or a handover.
    reason = models.CharField(max_length=24, blank=True)
    figures = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    read_at = models.DateTimeField(null=True, blank=True)
    email = models.CharField(max_length=8, choices=Email.choices, default=Email.NONE)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            models.Index(fields=["recipient"], condition=models.Q(read_at__isnull=True), name="notification_unread"),
            models.Index(
                fields=["email"], condition=~models.Q(email__in=["none", "sent"]), name="notification_email_due"
            ),
        ]

    def __str__(self):
        return f"{self.kind} for {self.recipient_id} about comment {self.comment_id}"

    # Reasons that are not a Report.Reason or a HeldReason.
    REPORTS_ALERT = "reports_alert"
    HANDOVER = "handover"

    @property
    def explanation(self) -> str:
        """What the site says of this notification, in the active language."""
        figures = self.figures or {}
        if self.reason == self.REPORTS_ALERT:
            return ngettext(
                "%(count)d report (%(new)d from new accounts): not hidden, please look at it",
                "%(count)d reports (%(new)d from new accounts): not hidden, please look at it",
                figures.get("count", 0),
            ) % {"count": figures.get("count", 0), "new": figures.get("new", 0)}
        if self.reason == self.HANDOVER:
            return (
                ngettext("%(count)d open report", "%(count)d open reports", figures.get("reported", 0))
                % {"count": figures.get("reported", 0)}
                + ", "
                + ngettext("%(count)d held comment", "%(count)d held comments", figures.get("held", 0))
                % {"count": figures.get("held", 0)}
                + ", "
                + ngettext(
                    "%(count)d comment nobody has answered for 48 hours",
                    "%(count)d comments nobody has answered for 48 hours",
                    figures.get("unanswered", 0),
                )
                % {"count": figures.get("unanswered", 0)}
                + "."
            )
        if self.kind == self.Kind.HELD and self.reason and self.comment is not None:
            return HeldReason.explain(self.reason, self.comment.room)
        if self.kind == self.Kind.REPORT and self.reason in Report.Reason.values:
            return str(Report.Reason(self.reason).label)
        return ""

    def get_absolute_url(self):
        if self.comment_id is None:
            return reverse("forum:shift-notes", args=[self.room.consultation.slug, self.room.slug])
        return self.comment.get_absolute_url()

    @property
    def about_room(self) -> "Room":
        return self.room if self.comment_id is None else self.comment.room

    @property
    def is_unread(self):
        return self.read_at is None


class EmailPreference(models.Model):
    """How someone wants one kind of notification by email. No row means the default."""

    class Delivery(models.TextChoices):
        IMMEDIATELY = "immediately", _("Immediately")
        DIGEST = "digest", _("In a daily digest")
        NEVER = "never", _("Never")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preferences")
    kind = models.CharField(max_length=12, choices=Notification.Kind.choices)
    delivery = models.CharField(max_length=12, choices=Delivery.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="email_preference_once_per_kind")]

    def __str__(self):
        return f"{self.user_id}: {self.kind} {self.delivery}"


DEFAULT_EMAIL_DELIVERY = {
    Notification.Kind.MENTION: EmailPreference.Delivery.IMMEDIATELY,
    Notification.Kind.REPLY: EmailPreference.Delivery.IMMEDIATELY,
    Notification.Kind.FLAG: EmailPreference.Delivery.IMMEDIATELY,
    Notification.Kind.FOLLOW: EmailPreference.Delivery.DIGEST,
    Notification.Kind.MODERATION: EmailPreference.Delivery.IMMEDIATELY,
    Notification.Kind.REPORT: EmailPreference.Delivery.IMMEDIATELY,
    Notification.Kind.HELD: EmailPreference.Delivery.IMMEDIATELY,
    Notification.Kind.ACTIVITY: EmailPreference.Delivery.DIGEST,
    Notification.Kind.SHIFT: EmailPreference.Delivery.IMMEDIATELY,
    Notification.Kind.CITED: EmailPreference.Delivery.IMMEDIATELY,
    Notification.Kind.CITATION_CHANGED: EmailPreference.Delivery.IMMEDIATELY,
}


class ModerationAction(models.Model):
    """The moderation log: who did what, to what, when and why."""

    class Action(models.TextChoices):
        FLAG = "flag", _("Flagged to a colleague")
        HIDE = "hide", _("Hid a comment")
        AUTO_HIDE = "auto_hide", _("Hidden after reports")
        RESTORE = "restore", _("Restored a comment")
        APPROVE = "approve", _("Approved a held comment")
        DISMISS = "dismiss", _("Dismissed reports")
        PIN = "pin", _("Pinned a thread")
        UNPIN = "unpin", _("Unpinned a thread")
        HIGHLIGHT = "highlight", _("Highlighted a comment")
        UNHIGHLIGHT = "unhighlight", _("Removed a highlight")
        LOCK = "lock", _("Locked a thread")
        UNLOCK = "unlock", _("Unlocked a thread")
        CLOSE = "close", _("Closed the room")
        REOPEN = "reopen", _("Reopened the room")
        TAG = "tag", _("Tagged with a guiding question")
        SUSPEND = "suspend", _("Suspended a participant")
        UNSUSPEND = "unsuspend", _("Lifted a suspension")
        DELETE_ACCOUNT = "delete_account", _("Deleted an account on request")

    # Empty for what the site does by itself (hiding after reports), and once
    # the moderator's own account is deleted: the log keeps what was done.
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="moderation_actions"
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    # Empty for what concerns no consultation: an account deleted on request.
    consultation = models.ForeignKey(
        Consultation, on_delete=models.PROTECT, null=True, blank=True, related_name="moderation_actions"
    )
    # Empty for what concerns the whole consultation, such as a suspension.
    room = models.ForeignKey(Room, on_delete=models.PROTECT, null=True, blank=True, related_name="moderation_actions")
    comment = models.ForeignKey(
        Comment, on_delete=models.PROTECT, null=True, blank=True, related_name="moderation_actions"
    )
    # The person acted upon or told: the colleague of a flag, the author of a hidden
    # comment. Emptied when that person's account is deleted.
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_action_display()} by {self.moderator_id} at {self.created_at:%Y-%m-%d %H:%M}"


class CommentRevision(models.Model):
    """An earlier version of an edited comment, for moderators and staff."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="revisions")
    body_source = models.TextField()
    # When this version was written: the comment's posting time, or its previous edit.
    written_at = models.DateTimeField()
    replaced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-replaced_at", "-pk"]

    def __str__(self):
        return f"Version of comment {self.comment_id} from {self.written_at:%Y-%m-%d %H:%M}"


class Report(models.Model):
    """A participant's flag for moderation. Open until a moderator decides."""

    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam or advertising")
        ABUSIVE = "abusive", _("Abusive or hateful")
        OFF_TOPIC = "off_topic", _("Off-topic")
        PERSONAL = "personal", _("Shares personal information")
        OTHER = "other", _("Something else")

    class Outcome(models.TextChoices):
        HIDDEN = "hidden", _("The comment was hidden")
        DISMISSED = "dismissed", _("Dismissed")

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    # Emptied when the reporter deletes their account: the report still asks the
    # moderators about the comment, and a resolved one stays in their record.
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "reporter"],
                condition=models.Q(resolved_at__isnull=True),
                name="one_open_report_per_person",
            ),
        ]

    def __str__(self):
        return f"Report of comment {self.comment_id} by {self.reporter_id}: {self.reason}"


class Suspension(models.Model):
    """A participant barred from posting in a consultation, for a while or until lifted."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="suspensions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="suspensions")
    reason = models.CharField(_("reason"), max_length=300)
    until = models.DateTimeField(_("until"), null=True, blank=True, help_text=_("Empty: until lifted."))
    # Emptied when the moderator's account is deleted; the suspension holds.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    lifted_at = models.DateTimeField(null=True, blank=True)

    objects = SuspensionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.user_id} suspended from {self.consultation_id}"


class RoomSummary(models.Model):
    """A moderator's summary of a room's discussion over a period: weekly while
    it runs, a final one at the end. Written in the same Markdown as comments."""

    class Kind(models.TextChoices):
        INTERIM = "interim", _("Summary so far")
        FINAL = "final", _("Final summary")

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="summaries")
    # Empty once its author's account is deleted: shown as a former moderator's.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="room_summaries"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.INTERIM)
    period_start = models.DateField(_("covers from"))
    period_end = models.DateField(_("covers until"))
    # The first moment after the period, where it is; comments from then on
    # "came after" the summary (kept by the summary services).
    period_ends_at = models.DateTimeField(null=True, blank=True, editable=False)
    body_source = models.TextField(_("summary as written"))
    body_html = models.TextField(editable=False)
    render_version = models.PositiveSmallIntegerField(default=0, editable=False)
    # The comments its references show, as of its latest rendering: when one of
    # them changes, the summary is rendered again (like CommentLink for comments).
    cited_comments = models.ManyToManyField(Comment, related_name="cited_in_summaries", blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    edited_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-period_end", "-created_at"]
        verbose_name = _("room summary")
        verbose_name_plural = _("room summaries")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="summary_period_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.room} ({self.period_start} – {self.period_end})"


class ShiftNote(models.Model):
    """What a moderator leaves for the colleagues of the next shift in a room;
    read by the room's moderators and staff only."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="shift_notes", verbose_name=_("room"))
    # Empty once its author's account is deleted: shown as a former moderator's.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="shift_notes",
        verbose_name=_("author"),
    )
    body = models.TextField(_("note"), max_length=2000)
    created_at = models.DateTimeField(_("written"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("shift note")
        verbose_name_plural = _("shift notes")

    def __str__(self):
        return f"Shift note {self.pk} in room {self.room_id}"


class ShiftStart(models.Model):
    """A moderator's shift in a room whose handover was sent, so it goes once."""

    assignment = models.OneToOneField(RoomModerator, on_delete=models.CASCADE, related_name="+")
    told_at = models.DateTimeField(default=timezone.now)


class CommentTranslation(models.Model):
    """A comment's body in another language, made by a machine translation engine
    (forum.machine_translation) in the task worker. It translates one rendering
    of the body: once the comment is edited or rendered again it is stale, and
    made again. Quotes, exports and reports always use the original."""

    class Status(models.TextChoices):
        DONE = "done", _("Translated")
        # The engine's answer lost something it was asked to keep (a mention, a
        # link): nothing is shown rather than a body missing part of itself.
        FAILED = "failed", _("Could not be translated")

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=16)
    # Which body this translates: the language it was read as, its renderer's
    # version and a digest of its HTML, which changes with every edit.
    source_language = models.CharField(max_length=16)
    render_version = models.PositiveSmallIntegerField()
    source_digest = models.CharField(max_length=64)
    body_html = models.TextField(blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DONE)
    engine = models.CharField(max_length=40)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "language"], name="one_translation_per_language"),
        ]

    def __str__(self):
        return f"Comment {self.comment_id} in {self.language} ({self.engine})"

    @staticmethod
    def digest_of(body_html: str) -> str:
        return hashlib.sha256(body_html.encode()).hexdigest()

    def translates(self, comment: Comment) -> bool:
        """Whether this is a translation of the comment's body as it is now."""
        return (
            self.source_language == comment.language
            and self.render_version == comment.render_version
            and self.source_digest == self.digest_of(comment.body_html)
        )


# --- Synthesis: from the discussion to the policy report ---------------------
#
# The draft report of a consultation is its findings (with their evidence);
# publishing freezes them into a ReportSnapshot. ("Report" above is a
# participant's report of a comment to the moderators: another thing.)


class Rapporteur(models.Model):
    """Someone writing the consultation's report: findings, evidence, publishing."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="rapporteurs", verbose_name=_("consultation")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="rapporteur_assignments",
        verbose_name=_("rapporteur"),
    )

    class Meta:
        verbose_name = _("rapporteur")
        verbose_name_plural = _("rapporteurs")
        constraints = [models.UniqueConstraint(fields=["consultation", "user"], name="rapporteur_once")]

    def __str__(self):
        return f"{self.user} writes the report of {self.consultation}"


class Finding(models.Model):
    """One claim of the report, under a guiding question or, without one, under "other themes"."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="findings")
    # Empty: "other themes". A question removed later leaves its findings there.
    question = models.ForeignKey(
        GuidingQuestion, on_delete=models.SET_NULL, null=True, blank=True, related_name="findings"
    )
    position = models.PositiveIntegerField(default=0)
    text = models.TextField(_("finding"), max_length=4000)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def __str__(self):
        return self.text[:80]


class Evidence(models.Model):
    """A comment supporting a finding, whole or by an exact span of its text.

    The span is kept as its text and its place (start, end) in the comment's
    plain text (forum.rendering.plain_text) as it was then: `render_version`
    and `text_digest` (SHA-256 of that plain text) say which version it was
    taken from; `changed_at` is set when the comment is edited, hidden or
    deleted since."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="evidence")
    comment = models.ForeignKey(Comment, on_delete=models.PROTECT, related_name="evidence")
    quote = models.TextField(_("quoted span"), blank=True)
    quote_start = models.PositiveIntegerField(null=True, blank=True)
    quote_end = models.PositiveIntegerField(null=True, blank=True)
    render_version = models.PositiveSmallIntegerField(default=0)
    text_digest = models.CharField(max_length=64)
    changed_at = models.DateTimeField(null=True, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quote_start__isnull=True, quote_end__isnull=True)
                | models.Q(quote_end__gt=models.F("quote_start")),
                name="evidence_span_ends_after_it_starts",
            ),
        ]

    def __str__(self):
        return f"Comment {self.comment_id} supports finding {self.finding_id}"


class CommentReview(models.Model):
    """A rapporteur has read this comment for the report (each rapporteur their own mark)."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reviews")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reviewed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["comment", "user"], name="comment_reviewed_once")]

    def __str__(self):
        return f"{self.user_id} reviewed comment {self.comment_id}"


class ReportSnapshot(models.Model):
    """A published version of the report, frozen: `content` is the canonical JSON
    (sorted keys, UTF-8, no spaces) and `sha256` its digest, which anyone can
    recompute from the JSON the report page offers."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="report_snapshots")
    version = models.PositiveIntegerField()
    content = models.TextField(editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    published_at = models.DateTimeField(default=timezone.now, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )

    class Meta:
        ordering = ["-version"]
        verbose_name = _("published report")
        verbose_name_plural = _("published reports")
        constraints = [models.UniqueConstraint(fields=["consultation", "version"], name="report_version_once")]

    def __str__(self):
        return f"Report of {self.consultation} version {self.version}"
