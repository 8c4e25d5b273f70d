from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationStackedInline, TranslationTabularInline

from forum import place_texts, services
from forum.forms import (
    ConsultationAdminForm,
    GuidingQuestionAdminForm,
    QuestionGroupAdminForm,
    RoomAdminForm,
    RoomDocumentForm,
    RotaLineForm,
)
from forum.languages import direction_of
from forum.models import (
    Comment,
    Consultation,
    Rapporteur,
    ReportSnapshot,
    GuidingQuestion,
    ModerationAction,
    ModeratorInvitation,
    Notification,
    QuestionGroup,
    Room,
    RoomDocument,
    RoomModerator,
    RoomSummary,
)
from forum.services import summaries as summary_services
from forum.services.texts import localized_text_fields
from forum.shifts import Shift, room_dates, shift_dates

# The comments list indents replies this deep at most (css/admin.css has a class for each depth).
MAX_INDENTED_DEPTH = 8


class TextsInEveryLanguage:
    """The languages side by side (`title [en]`, `title [es]`…: django-modeltranslation's
    plain admin, as its tabbed one loads jQuery UI from a CDN). Each language's
    field is optional here and marked with its language and direction; the form
    asks for the consultation's language (forum.forms.TextsInEveryLanguageForm)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        language = getattr(db_field, "language", None)
        if field is not None and language and getattr(db_field, "translated_field", None) is not None:
            field.required = False
            attrs = getattr(getattr(field.widget, "widget", field.widget), "attrs", {})
            attrs.update({"lang": language, "dir": direction_of(language)})
        return field


class RoomInline(admin.TabularInline):
    """A consultation's rooms, each a click away from its own page (its texts in
    every language, questions and rota), where rooms are added too."""

    model = Room
    fields = ["title", "slug", "position", "is_published", "state", "room_page"]
    readonly_fields = ["title", "slug", "room_page"]
    extra = 0
    template = "admin/forum/consultation/rooms_inline.html"

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("questions and rota"))
    def room_page(self, room):
        if room.pk is None:
            return ""
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:forum_room_change", args=[room.pk]), _("Edit questions and rota")
        )


class RapporteurInline(admin.TabularInline):
    """Who writes the consultation's report (the workbench, and publishing it)."""

    model = Rapporteur
    fields = ["user"]
    autocomplete_fields = ["user"]
    extra = 0


@admin.register(ReportSnapshot)
class ReportSnapshotAdmin(admin.ModelAdmin):
    """Published versions are frozen: they can be read, never changed."""

    list_display = ["consultation", "version", "published_at", "sha256"]
    readonly_fields = ["consultation", "version", "published_at", "published_by", "sha256", "content"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Consultation)
class ConsultationAdmin(TextsInEveryLanguage, TranslationAdmin):
    form = ConsultationAdminForm
    list_display = ["title", "slug", "language", "opens_on", "closes_on", "is_published"]
    list_filter = ["is_published", "language"]
    # In every language.
    search_fields = localized_text_fields(["title", "introduction"])
    prepopulated_fields = {"slug": ["title"]}
    inlines = [RoomInline, RapporteurInline]


class QuestionGroupInline(TextsInEveryLanguage, TranslationTabularInline):
    model = QuestionGroup
    form = QuestionGroupAdminForm
    fields = ["heading", "position"]
    extra = 0


class GuidingQuestionInline(TextsInEveryLanguage, TranslationStackedInline):
    """The room's questions in the room page's order; each picks one of this room's
    groups. Stacked: a question's text in six languages does not fit a row."""

    model = GuidingQuestion
    form = GuidingQuestionAdminForm
    fields = ["group", "position", "text"]
    extra = 1

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        group = formset.form.base_fields["group"]
        group.queryset = obj.question_groups.all() if obj else QuestionGroup.objects.none()
        if obj is None:
            group.help_text = _("The groups of a new room can be chosen once it is saved.")
        return formset


class RoomDocumentInline(admin.TabularInline):
    """Documents listed on the room page: PDF and office files, checked by their content."""

    model = RoomDocument
    form = RoomDocumentForm
    fields = ["title", "file", "position", "kind", "file_size", "uploaded_at"]
    readonly_fields = ["kind", "file_size", "uploaded_at"]
    extra = 0

    @admin.display(description=_("type"))
    def kind(self, document):
        return document.kind_label if document.pk else ""

    @admin.display(description=_("size"))
    def file_size(self, document):
        return filesizeformat(document.size) if document.pk else ""


class RotaFormSet(BaseInlineFormSet):
    """Saves a line with an address to invite as a ModeratorInvitation, through the service that emails it."""

    invited_by = None  # the admin saving the page, set per request by the inline

    def save_new(self, form, commit=True):
        if not form.is_invitation():
            return super().save_new(form, commit=commit)
        return services.invite_moderator(
            self.invited_by,
            room=self.instance,
            email=form.cleaned_data["invite_email"],
            starts_on=form.cleaned_data["starts_on"],
            ends_on=form.cleaned_data["ends_on"],
        )


class RoomModeratorInline(admin.TabularInline):
    model = RoomModerator
    form = RotaLineForm
    formset = RotaFormSet
    fields = ["user", "invite_email", "shift", "starts_on", "ends_on"]
    autocomplete_fields = ["user"]
    extra = 1

    class Media:
        js = ["js/admin-rota.js"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.invited_by = request.user  # a class made for this request
        return formset


class ModeratorInvitationInline(admin.TabularInline):
    """Rota lines waiting for the invited person; invitations are made on the rota
    above, and deleting one here withdraws it (its link stops working)."""

    model = ModeratorInvitation
    fields = ["email", "starts_on", "ends_on", "invited_by", "created_at", "emailed_at", "status"]
    readonly_fields = fields
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("status"))
    def status(self, invitation):
        if invitation.is_accepted:
            return _("Accepted by %(name)s") % {"name": invitation.accepted_by or "—"}
        return _("Invited")


@admin.register(Room)
class RoomAdmin(TextsInEveryLanguage, TranslationAdmin):
    form = RoomAdminForm
    list_display = ["title", "consultation", "position", "state", "is_published", "comment_count", "last_activity_at"]
    list_filter = ["consultation", "state", "is_published"]
    # In every language.
    search_fields = [
        *localized_text_fields(["title", "introduction"]),
        *(f"consultation__{name}" for name in localized_text_fields(["title"])),
    ]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["comment_count", "thread_count", "last_activity_at"]
    inlines = [
        QuestionGroupInline,
        GuidingQuestionInline,
        RoomDocumentInline,
        RoomModeratorInline,
        ModeratorInvitationInline,
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("consultation")

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, RoomModeratorInline):
            kwargs["form_kwargs"] = {"shift_dates": self._shift_dates(request, obj)}
        return kwargs

    def _shift_dates(self, request, room) -> dict:
        """Each shift's days for the rota's script: from the saved room, or on a new
        room's page from the consultation it was opened for (?consultation=)."""
        chosen = request.GET.get("consultation", "")
        if not room.consultation_id and chosen.isdigit():
            consultation = Consultation.objects.filter(pk=chosen).first()
            room = Room(consultation=consultation) if consultation else room
        opens_on, closes_on = room_dates(room)
        if opens_on is None:
            return {}
        return {shift: shift_dates(shift, opens_on=opens_on, closes_on=closes_on) for shift in Shift.values}


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """Comments are written through the site, so that trees, bodies and counts
    stay right; here they are found and read. The list is in thread order, each
    reply indented by a class for its depth (css/admin.css): django-mptt's own
    admin indents with inline styles, which the Content-Security-Policy refuses."""

    list_display = ["excerpt", "author", "room", "depth", "state", "created_at"]
    list_filter = ["room", "state"]
    list_select_related = ["author", "room"]
    search_fields = ["body_source", "author__display_name", "author__handle", "author__email"]
    ordering = ["tree_id", "lft"]
    readonly_fields = [
        "room",
        "parent",
        "author",
        "thread_number",
        "body_source",
        "body_html",
        "language",
        "guiding_question",
        "state",
        "hidden_reason",
        "created_at",
        "edited_at",
    ]
    exclude = ["client_token", "render_version"]

    class Media:
        css = {"all": ["css/admin.css"]}

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("comment"))
    def excerpt(self, comment):
        depth = min(comment.level, MAX_INDENTED_DEPTH)
        return format_html('<span class="comment-depth comment-depth--{}">{}</span>', depth, comment.body_source[:80])

    @admin.display(description=_("depth"), ordering="level")
    def depth(self, comment):
        return comment.level


@admin.register(ModerationAction)
class ModerationActionAdmin(admin.ModelAdmin):
    """The moderation log, read-only: actions are taken on the site, where they are checked."""

    list_display = ["created_at", "action", "moderator", "room", "comment", "target_user", "note"]
    list_filter = ["action", "room"]
    list_select_related = ["moderator", "room", "target_user"]
    search_fields = ["note", "moderator__display_name", "target_user__display_name"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "recipient", "actor", "comment", "read_at", "email"]
    list_filter = ["kind", "email"]
    list_select_related = ["recipient", "actor"]
    search_fields = ["recipient__display_name", "recipient__email"]
    raw_id_fields = ["recipient", "actor", "comment"]

    def has_add_permission(self, request):
        return False


@admin.register(RoomSummary)
class RoomSummaryAdmin(TextsInEveryLanguage, TranslationAdmin):
    """Summaries are written on the site (which renders them), in the consultation's
    language; here they are found and read, and staff add their translations
    (rendered as the site renders them, by forum.services.summaries.translate_summary)."""

    list_display = ["room", "kind", "period_start", "period_end", "author", "created_at", "edited_at"]
    list_filter = ["kind", "room__consultation"]
    list_select_related = ["room", "author"]
    search_fields = [*localized_text_fields(["body_source"]), "author__display_name"]
    fields = [
        "room",
        "author",
        "kind",
        "period_start",
        "period_end",
        "body_source",
        "render_version",
        "created_at",
        "edited_at",
    ]
    readonly_fields = [
        "room",
        "author",
        "kind",
        "period_start",
        "period_end",
        "render_version",
        "created_at",
        "edited_at",
    ]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        # The texts go through the service, which renders each language's HTML.
        texts = {
            code: form.cleaned_data.get(name) or ""
            for code in place_texts.LANGUAGES
            if (name := f"body_source_{code.replace('-', '_')}") in form.changed_data
        }
        summary = RoomSummary.objects.get(pk=obj.pk)
        summary_services.translate_summary(request.user, summary=summary, texts=texts)

    def save_related(self, request, form, formsets, change):
        pass  # nothing related is edited here (the citations are the service's)
