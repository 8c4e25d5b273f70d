import re
import uuid
from datetime import timedelta
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.http import Http404
from django.contrib.auth import get_user_model
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname

from accounts.forms import AcceptsDocuments
from forum import documents, emails
from forum.languages import language_choices, language_name
from forum.models import EmailPreference, Notification, Report, RoomDocument, RoomModerator, RoomSummary
from forum.selectors import flag_colleagues
from forum.selectors.orders import OLDEST, ORDERS, Cursor, is_cursor_order
from forum.services import EMPTY_BODY_MESSAGE, clean_comment_body, clean_invitation_email
from forum.shifts import Shift, room_dates, shift_dates

DETECT_LANGUAGE = "auto"


def _attributes(attrs: dict) -> str:
    """As django/forms/widgets/attrs.html writes them, in their order."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False and value is not None
        ),
    )


class QuickSelect(forms.Select):
    """Django's select, drawn in Python rather than by a template per option:
    the room page draws four, with dozens of options. The same markup."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = [
            format_html(
                '<option value="{}"{}>{}</option>', option["value"], _attributes(option["attrs"]), option["label"]
            )
            for _group, group_options, _index in widget["optgroups"]
            for option in group_options
        ]
        return format_html(
            '<select name="{}"{}>{}</select>', widget["name"], _attributes(widget["attrs"]), mark_safe("".join(options))
        )


class CommentForm(AcceptsDocuments, forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        strip=False,
        error_messages={"required": EMPTY_BODY_MESSAGE},
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("You can use **bold**, _italic_, lists, > quotes and links."),
    )
    guiding_question = forms.TypedChoiceField(
        label=_("It answers guiding question"), required=False, coerce=int, widget=QuickSelect
    )
    language = forms.ChoiceField(
        label=_("Written in"),
        required=False,
        widget=QuickSelect,
        help_text=_("We recognise the language by ourselves; correct it here if we get it wrong."),
    )
    do_not_quote = forms.BooleanField(
        label=_("Don't quote this comment in the report"),
        required=False,
        help_text=_("The final report may then draw on it, but will not quote its words or name you for it."),
    )
    # A new token each time the form is drawn; the service stores one comment per token.
    client_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, questions=None, documents=(), is_reply=False, **kwargs):
        """`questions`: the room's numbered guiding questions when the comment may
        answer one (a new thread); the page already holds them, so no query here.
        `documents`: the versions of the terms the author must accept to post
        (accounts.terms.documents_to_accept), offered as a box to tick."""
        super().__init__(*args, **kwargs)
        self.offer_documents(documents)
        if is_reply:
            self.fields["body"].label = _("Your reply")
        if not self.is_bound:
            self.initial.setdefault("client_token", uuid.uuid4())
        self.fields["language"].choices = [(DETECT_LANGUAGE, _("Recognise it for me")), *language_choices()]
        self.initial.setdefault("language", DETECT_LANGUAGE)
        if questions:
            self.questions = {question.pk: question for question in questions}
            self.fields["guiding_question"].choices = [("", _("None in particular"))] + [
                (question.pk, Truncator(f"{question.number}. {question.text}").chars(90)) for question in questions
            ]
        else:
            del self.fields["guiding_question"]

    def clean_guiding_question(self):
        question_id = self.cleaned_data.get("guiding_question")
        return self.questions.get(question_id) if question_id else None

    def clean_body(self):
        return clean_comment_body(self.cleaned_data["body"])

    def chosen_language(self) -> str | None:
        """The language the author chose, or None to recognise it."""
        language = self.cleaned_data.get("language") or DETECT_LANGUAGE
        return None if language == DETECT_LANGUAGE else language

    def service_arguments(self) -> dict:
        """What the comment services take from this form."""
        arguments = {
            "body": self.cleaned_data["body"],
            "language": self.chosen_language(),
            "accepting": self.accepted_document_ids(),
            "quotable": not self.cleaned_data.get("do_not_quote"),
        }
        if "guiding_question" in self.fields:
            arguments["guiding_question"] = self.cleaned_data.get("guiding_question")
        return arguments


class RoomFilterForm(forms.Form):
    """Narrow a room to the comments answering a question and/or in a language."""

    question = forms.TypedChoiceField(label=_("Answering"), required=False, coerce=int, widget=QuickSelect)
    language = forms.ChoiceField(label=_("Written in"), required=False, widget=QuickSelect)

    def __init__(self, *args, questions, **kwargs):
        # The room page also holds the comment form, whose language field is "id_language".
        kwargs.setdefault("auto_id", "id_filter_%s")
        super().__init__(*args, **kwargs)
        self.questions = {question.pk: question for question in questions}
        self.fields["question"].choices = [("", _("Any question"))] + [
            (question.pk, Truncator(f"{question.number}. {question.text}").chars(60)) for question in questions
        ]
        self.fields["language"].choices = [("", _("Any language"))] + language_choices()

    def selection(self) -> dict:
        """The valid filters chosen (unknown values are ignored rather than refused)."""
        if not self.is_valid():
            return {}
        question = self.questions.get(self.cleaned_data.get("question"))
        language = self.cleaned_data.get("language") or None
        return {key: value for key, value in {"question": question, "language": language}.items() if value}

    def is_filtering(self) -> bool:
        return bool(self.selection())

    def urlencoded(self) -> str:
        """The chosen filters as query parameters to carry through pagination, e.g. "&question=3"."""
        return "".join(
            f"&{name}={value.pk if name == 'question' else value}" for name, value in self.selection().items()
        )


def room_page_query(
    *, page: int = 1, order: str = OLDEST, cursor: str | None = None, question_id=None, language=None
) -> str:
    """A room page's parameters in one canonical form, defaults left out
    ("language=es&page=2"): what its cached copy is keyed on (forum.cache).
    Orders paged by cursor carry the cursor instead of a page number."""
    by_cursor = is_cursor_order(order)
    pairs = [
        ("cursor", cursor if by_cursor else None),
        ("language", language),
        ("order", order if order != OLDEST else None),
        ("page", page if page != 1 and not by_cursor else None),
        ("question", question_id),
    ]
    return urlencode([(name, value) for name, value in pairs if value])


def read_room_order(data) -> str:
    """The order a room page's query asks for; an unknown one reads as the default."""
    order = data.get("order", OLDEST)
    return order if order in ORDERS else OLDEST


def read_room_cursor(data, order: str) -> Cursor | None:
    """The page of a cursor order the query asks for: None for its first page.
    A cursor we did not write is not found (Http404)."""
    token = data.get("cursor", "")
    if not token or not is_cursor_order(order):
        return None
    cursor = Cursor.decode(token, order)
    if cursor is None:
        raise Http404
    return cursor


_POSITIVE_NUMBER = re.compile(r"[1-9][0-9]{0,9}")


def read_room_page_query(data) -> str | None:
    """The parameters a room page reads from a query (`request.GET`), in
    room_page_query's form; the others are dropped. `answer` only fills the
    comment form, which an anonymous page does not draw. None when one is
    written otherwise than that form writes it (the page is then not cached)."""
    page, question, language = data.get("page", "1"), data.get("question", ""), data.get("language", "")
    order = data.get("order", OLDEST)
    token = data.get("cursor", "")
    cursor = Cursor.decode(token, order) if token else None
    if (
        not _POSITIVE_NUMBER.fullmatch(page)
        or (question and not _POSITIVE_NUMBER.fullmatch(question))
        or language not in ("", *settings.FORUM_COMMENT_LANGUAGES)
        or order not in ORDERS
        or (token and cursor is None)
    ):
        return None
    return room_page_query(
        page=int(page),
        order=order,
        cursor=cursor.encode() if cursor else None,
        question_id=int(question) if question else None,
        language=language or None,
    )


class FlagForm(forms.Form):
    colleague = forms.ModelChoiceField(
        label=_("Colleague"), queryset=None, empty_label=_("Choose a moderator or staff member")
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why this comment matters to them, for example which room or question it relates to."),
    )

    def __init__(self, *args, moderator, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["colleague"].queryset = flag_colleagues(exclude=moderator)


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong with this comment?"), choices=Report.Reason.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Anything the moderators should know (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class HideForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason, shown to readers"),
        max_length=300,
        help_text=_("For example: personal attack, against rule 2."),
    )


class ModerationActionForm(forms.Form):
    """What a moderator's one-click button sends: a reason (hide), on or off
    (pin, lock, highlight), a guiding question (tag). The service judges them."""

    reason = forms.CharField(required=False, strip=False)
    on = forms.CharField(required=False)
    question = forms.CharField(required=False)

    def __init__(self, *args, room, **kwargs):
        super().__init__(*args, **kwargs)
        self.room = room

    def turns_on(self) -> bool:
        return self.cleaned_data["on"] != "off"

    def clean_question(self):
        question_id = self.cleaned_data["question"]
        if not question_id:
            return None
        # Only this room's questions exist here: another room's id is as unknown as a made-up one.
        question = self.room.questions.filter(pk=question_id).first() if question_id.isdigit() else None
        if question is None:
            raise Http404
        return question


class TagForm(forms.Form):
    question = forms.ModelChoiceField(
        label=_("Guiding question it answers"), queryset=None, required=False, empty_label=_("None")
    )

    def __init__(self, *args, room, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["question"].queryset = room.questions.all()


SUSPENSION_LENGTHS = [("1", _("1 day")), ("7", _("7 days")), ("30", _("30 days")), ("", _("Until lifted"))]


class SuspendForm(forms.Form):
    reason = forms.CharField(label=_("Reason, shown to them"), max_length=300)
    days = forms.ChoiceField(label=_("For how long"), choices=SUSPENSION_LENGTHS, required=False)

    def until(self):
        days = self.cleaned_data.get("days")
        return timezone.now() + timedelta(days=int(days)) if days else None


class EmailSettingsForm(forms.Form):
    """One choice per kind of notification the person can receive, and the follow setting."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        deliveries = emails.email_deliveries(user)
        self.kinds = emails.notification_kinds_for(user)
        for kind in self.kinds:
            self.fields[kind] = forms.ChoiceField(
                label=Notification.Kind(kind).label,
                choices=EmailPreference.Delivery.choices,
                initial=deliveries[kind],
            )
        follow = get_user_model()._meta.get_field("follow_threads_on_post")
        self.fields["follow_threads_on_post"] = forms.BooleanField(
            label=follow.verbose_name, help_text=follow.help_text, required=False, initial=user.follow_threads_on_post
        )

    def kind_fields(self) -> list[forms.BoundField]:
        return [self[kind] for kind in self.kinds]

    def deliveries(self) -> dict[str, str]:
        return {kind: self.cleaned_data[kind] for kind in self.kinds}


class RoomSummaryForm(forms.Form):
    """Reads the form; the service decides what is valid."""

    kind = forms.ChoiceField(label=_("Kind"), choices=RoomSummary.Kind.choices, widget=forms.RadioSelect)
    period_start = forms.DateField(
        label=_("Covers from"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    period_end = forms.DateField(
        label=_("Covers until"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    body = forms.CharField(
        label=_("Summary"),
        strip=False,
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_(
            "You can use **bold**, _italic_, lists, > quotes and links. Paste a comment's permalink "
            "(the link on its time) to cite it: it is shown as a reference to the comment."
        ),
    )


class RoomDocumentForm(forms.ModelForm):
    """A room's document in the admin: its type and size come from the checked file."""

    class Meta:
        model = RoomDocument
        fields = ["title", "file", "position"]

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        # A newly chosen file is checked; the one already stored was checked when it came.
        if uploaded and "file" in self.changed_data:
            kind = documents.check_document(uploaded)
            self.instance.content_type = kind.content_type
            self.instance.size = uploaded.size
        return uploaded


class RotaLineForm(forms.ModelForm):
    """A line of a room's moderator rota in the admin: a person with an account, or
    an address to invite (the admin's formset saves that as an invitation). A shift
    fills the dates left empty, from the room's dates or else its consultation's;
    with JavaScript the page fills them as soon as the shift is chosen
    (static/js/admin-rota.js)."""

    invite_email = forms.EmailField(
        label=_("or invite by email"),
        required=False,
        help_text=_("Someone without an account yet: they get a link to sign up and join the rota."),
    )
    shift = forms.ChoiceField(
        label=_("Shift"),
        choices=[("", "—"), *Shift.choices],
        required=False,
        help_text=_("Fills the dates left empty, from the room's dates or else the consultation's."),
    )

    class Meta:
        model = RoomModerator
        fields = ["user", "invite_email", "shift", "starts_on", "ends_on"]

    def __init__(self, *args, shift_dates: dict | None = None, **kwargs):
        """`shift_dates`: each shift's first and last day, for the page's script."""
        super().__init__(*args, **kwargs)
        self.fields["user"].required = False
        for shift, days in (shift_dates or {}).items():
            self.fields["shift"].widget.attrs[f"data-dates-{shift}"] = "|".join(
                formats.localize_input(day) if day else "" for day in days
            )

    def clean(self):
        data = super().clean()
        user, email, room = data.get("user"), data.get("invite_email"), data.get("room")
        if email and (user or self.instance.pk):
            raise forms.ValidationError(_("Either choose a moderator or invite someone by email, on a new line."))
        if not user and not email and "invite_email" not in self.errors:
            raise forms.ValidationError(_("Choose a moderator, or invite someone by email."))
        if email and room is not None:
            try:
                data["invite_email"] = clean_invitation_email(room=room, email=email)
            except forms.ValidationError as error:
                self.add_error("invite_email", error)
        shift = data.get("shift")
        if shift and room is not None and data.get("starts_on") is None and data.get("ends_on") is None:
            opens_on, closes_on = room_dates(room)
            if opens_on is None:
                raise forms.ValidationError(
                    {"shift": _("Give the room or its consultation an opening date first, or type the dates.")}
                )
            data["starts_on"], data["ends_on"] = shift_dates(shift, opens_on=opens_on, closes_on=closes_on)
        return data

    def is_invitation(self) -> bool:
        return bool(self.cleaned_data.get("invite_email"))

    def _get_validation_exclusions(self):
        # An invitation's line has nobody on it yet: the rest of the line is still checked.
        excluded = super()._get_validation_exclusions()
        if self.cleaned_data.get("invite_email"):
            excluded.add("user")
        return excluded


class ShiftNoteForm(forms.Form):
    body = forms.CharField(
        label=_("A note for the next shifts"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Only this room's moderators and staff read it: what to watch, what you promised, what is left to do."
        ),
    )


class DeleteAccountForm(forms.Form):
    """Deleting an account: what becomes of its comments' texts, chosen with
    nothing ticked beforehand, and, for the person themself, their password."""

    KEEP, REMOVE = "keep", "remove"

    texts = forms.ChoiceField(
        label=_("Your comments' texts"),
        choices=[
            (KEEP, _("Keep them, without my name: they stay in their threads as a former participant's.")),
            (REMOVE, _("Remove them: each comment shows that it was deleted, and the replies to it stay.")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what becomes of the texts of the comments.")},
    )

    def __init__(self, *args, person, asks_password: bool, on_request: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        if on_request:
            self.fields["texts"].label = _("The comments' texts")
            self.fields["reason"] = forms.CharField(
                label=_("The request"),
                max_length=300,
                help_text=_(
                    "How and when the person asked, for the moderation log. Do not write their name: "
                    "the log keeps only the account's number."
                ),
            )
        if asks_password:
            self.fields["password"] = forms.CharField(
                label=_("Your password"),
                strip=False,
                widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
            )

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.person.check_password(password):
            raise forms.ValidationError(_("That is not your password."))
        return password

    @property
    def keeps_texts(self) -> bool:
        return self.cleaned_data["texts"] == self.KEEP


# --- The report's workbench -------------------------------------------------------

OTHER_THEMES = "other"
_COMMENT_REFERENCE = re.compile(r"(?:/comment/|#comment-|^\s*)(\d+)/?\s*$")


def section_choices(sections) -> list[tuple[str, str]]:
    """Each question of the report's outline, numbered as the report numbers it, then "other themes"."""
    return [
        (
            OTHER_THEMES if section.is_other else str(section.question.pk),
            _("Other themes")
            if section.is_other
            else f"{section.number}. {Truncator(section.question.text).chars(90)}",
        )
        for section in sections
    ]


class FindingForm(forms.Form):
    section = forms.ChoiceField(label=_("Under"))
    text = forms.CharField(label=_("Finding"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000, strip=True)

    def __init__(self, *args, sections, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = section_choices(sections)
        self._questions = {str(s.question.pk): s.question for s in sections if not s.is_other}

    def question(self):
        """The chosen guiding question, None for "other themes"."""
        return self._questions.get(self.cleaned_data["section"])


class EvidenceForm(forms.Form):
    finding = forms.TypedChoiceField(label=_("Finding it supports"), coerce=int)
    comment = forms.CharField(
        label=_("Comment"),
        max_length=500,
        help_text=_("Its number, or its permalink (for example https://…/comment/123/)."),
    )
    quote = forms.CharField(
        label=_("Exact words quoted (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Copy the words from the comment as they are; leave empty to cite the whole comment."),
    )
    start = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, sections, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["finding"].choices = [
            (finding.pk, f"{finding.number} {Truncator(finding.text).chars(80)}")
            for section in sections
            for finding in section.findings
        ]

    def clean_comment(self):
        match = _COMMENT_REFERENCE.search(self.cleaned_data["comment"])
        if not match:
            raise forms.ValidationError(_("Give the comment's number or its permalink."))
        return int(match.group(1))


class ReportTagForm(forms.Form):
    comment = forms.IntegerField(min_value=1)
    question = forms.IntegerField(min_value=1)


class ReviewForm(forms.Form):
    comment = forms.IntegerField(min_value=1)
    reviewed = forms.BooleanField(required=False)


class TextsInEveryLanguageForm(forms.ModelForm):
    """The admin's form for an object whose texts are kept in every language
    (forum/translation.py): every language's column is optional, but the fields
    in `required_texts` need a text in the consultation's language (for a
    consultation, the language chosen on the form), or, where that is not known
    yet, in some language."""

    required_texts: tuple[str, ...] = ()

    def source_language(self) -> str | None:
        return None

    def clean(self):
        cleaned = super().clean()
        language = self.source_language()
        for name in self.required_texts:
            columns = {code: build_localized_fieldname(name, code) for code, _name in settings.LANGUAGES}
            if not any(column in self.fields for column in columns.values()):
                continue
            if language:
                column = columns[language]
                if not (cleaned.get(column) or "").strip():
                    self.add_error(
                        column,
                        _("Write this in %(language)s, the consultation's language; other languages may wait.")
                        % {"language": language_name(language)},
                    )
            elif not any((cleaned.get(column) or "").strip() for column in columns.values()):
                self.add_error(columns[settings.LANGUAGE_CODE], _("Write this in at least one language."))
        return cleaned


class ConsultationAdminForm(TextsInEveryLanguageForm):
    required_texts = ("title",)

    def source_language(self):
        return self.cleaned_data.get("language")


class RoomAdminForm(TextsInEveryLanguageForm):
    required_texts = ("title",)

    def source_language(self):
        consultation = self.cleaned_data.get("consultation")
        return consultation.language if consultation else None


class QuestionGroupAdminForm(TextsInEveryLanguageForm):
    required_texts = ("heading",)


class GuidingQuestionAdminForm(TextsInEveryLanguageForm):
    required_texts = ("text",)
