"""The discussion itself: the home page, consultations, rooms and threads, writing
comments and replies, permalinks, and a comment's own pages (its author edits or
deletes it, a reader reports it)."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe

from accounts import terms
from forum import display, links, permissions, selectors, services
from forum.cache import anonymous_room_page
from forum.selectors.translations import reading_language
from forum.forms import (
    CommentForm,
    ReportForm,
    RoomFilterForm,
    read_room_cursor,
    read_room_order,
    read_room_page_query,
    room_page_query,
)
from forum.selectors.orders import OLDEST, ORDERS
from forum.views.attempts import attempt
from forum.views.pages import comment_for, comment_page

logger = logging.getLogger(__name__)


def _page_number(request) -> int:
    try:
        return int(request.GET.get("page", "1"))
    except ValueError:
        raise Http404 from None


@require_safe
def home(request):
    consultations = selectors.visible_consultations(request.user)
    return render(request, "forum/home.html", {"consultations": consultations})


@require_safe
def consultation_detail(request, consultation_slug):
    consultation = selectors.get_consultation(request.user, consultation_slug)
    rooms = selectors.consultation_rooms(request.user, consultation)
    context = {
        "consultation": consultation,
        "rooms": rooms,
        "final_summaries": selectors.final_summaries(consultation),
        "can_see_statistics": permissions.can_view_consultation_statistics(
            request.user, consultation, [room for room in rooms if room.is_published]
        ),
        "report_published": consultation.report_snapshots.exists(),
        "can_work_on_report": permissions.can_work_on_report(request.user, consultation),
    }
    return render(request, "forum/consultation_detail.html", context)


def _room_context(request, room, comments=(), reading=None, translations=None, questions=None):
    """What every page of a room shows around its comments, and how it draws them
    (`drawing`, for forum.display); `reading` marks what is new to the viewer,
    `questions` (numbered) say which question each comment answers."""
    rota = selectors.room_rota(room)
    moderators = selectors.on_duty_in(rota)
    moderator_ids = frozenset(moderator.pk for moderator in moderators)
    room_followed, followed_thread_ids = selectors.viewer_follows(request.user, room, list(comments))
    posting_refusal = permissions.why_cannot_post(request.user, room)
    viewer_moderates = permissions.is_room_moderator(request.user, room, on_duty_ids=moderator_ids)
    drawing = display.Drawing(
        viewer=request.user,
        room=room,
        viewer_moderates=viewer_moderates,
        followed_thread_ids=frozenset(followed_thread_ids),
        posting_refusal=posting_refusal,
        locked_tree_ids=selectors.locked_threads_of(list(comments)) if request.user.is_authenticated else frozenset(),
        new_after_id=reading.new_after_id if reading else None,
        translations=translations,
        question_numbers={question.pk: question.number for question in questions} if questions else None,
        evidence_url=links.fill("forum:report-add-evidence", room.consultation.slug)
        if request.user.is_authenticated
        and permissions.offers_evidence_in_room(request.user, room, moderates=viewer_moderates)
        else None,
    )
    return {
        "room": room,
        "consultation": room.consultation,
        "moderators": moderators,
        "rota": rota,
        "drawing": drawing,
        "viewer_moderates": viewer_moderates,
        "room_followed": room_followed,
        "can_post": posting_refusal is None,
        "posting_refusal": posting_refusal,
        "needs_email_confirmation": request.user.is_authenticated
        and room.is_open
        and not permissions.has_confirmed_email(request.user),
    }


@require_safe
def room_detail(request, consultation_slug, room_slug):
    room, reading = selectors.get_room_to_read(request.user, consultation_slug, room_slug)
    response = anonymous_room_page(
        request, room, lambda: _render_room(request, room, reading), query=read_room_page_query(request.GET)
    )
    _record_visit(request, room, reading, response)
    return response


def _render_room(request, room, reading):
    if room.latest_summary is not None:
        room.latest_summary.room = room  # already loaded: the partial names the room
    questions = selectors.numbered_questions(room)
    filters = RoomFilterForm(request.GET, questions=questions)
    context = {
        "question_groups": selectors.guiding_question_groups(questions),
        "documents": selectors.room_documents(room),
        "filters": filters,
        "form": CommentForm(
            questions=questions,
            documents=terms.documents_to_accept(request.user),
            initial={"guiding_question": request.GET.get("answer")},
        ),
    }
    if selection := filters.selection():
        page = selectors.room_comments_filtered(room, **selection, number=request.GET.get("page"), viewer=request.user)
        context |= _room_context(request, room, page.object_list, reading, questions=questions)
        cards = display.draw_room_list(context["drawing"], list(page.object_list))
        context |= {"filtered_page": page, "cards": cards}
        question = selection.get("question")
        shown = room_page_query(
            page=page.number, question_id=question.pk if question else None, language=selection.get("language")
        )
    else:
        order = read_room_order(request.GET)
        cursor = read_room_cursor(request.GET, order)
        page = selectors.room_threads_page(
            room,
            number=1 if cursor else _page_number(request),
            order=order,
            cursor=cursor,
            viewer=request.user,
            translated_into=reading_language(request.user),
        )
        context |= _room_context(request, room, page.comments, reading, page.translations, questions) | {
            "page": page,
            "order": order,
            "orders": ORDERS.items(),
            # Carried by the numbered pages' links (pagination.html's `extra`).
            "order_extra": f"&{room_page_query(order=order)}" if order != OLDEST else "",
        }
        context["cards"] = _thread_cards(context["drawing"], page)
        shown = room_page_query(page=page.number, order=order, cursor=cursor.encode() if cursor else None)
    context["new_comments"] = _new_comments(context["cards"], reading)
    response = render(request, "forum/room_detail.html", context)
    # What the page shows, which forum.cache compares with what was asked.
    response.room_page_query = shown
    return response


def _new_comments(cards, reading):
    if reading is None:
        return None
    return display.new_comments(cards, count=reading.new_count, first_new_id=reading.first_new_id)


def _record_visit(request, room, reading, response) -> None:
    """After the page is drawn, it counts as seen. Recording it is a convenience:
    a failure is logged, and the page is served all the same."""
    if reading is None or request.method != "GET" or response.status_code != 200:
        return
    try:
        services.record_room_visit(request.user, room=room, reading=reading)
    except DatabaseError:
        logger.warning("Could not record that person %s read room %s", request.user.pk, room.pk, exc_info=True)


def _thread_cards(drawing, page):
    return display.draw_threads(
        drawing,
        page.comments,
        backlinks=page.backlinks,
        off_page_parents=page.off_page_parents,
        continued_thread_ids=page.continued_thread_ids,
    )


@require_safe
def thread_detail(request, consultation_slug, room_slug, comment_id):
    room, reading = selectors.get_room_to_read(request.user, consultation_slug, room_slug)
    translated_into = reading_language(request.user)
    root = selectors.get_thread_root(room, comment_id, viewer=request.user, translated_into=translated_into)
    page = selectors.thread_page(
        root, number=_page_number(request), viewer=request.user, translated_into=translated_into
    )
    # Numbered only when a comment here answers one: "Answers question 2".
    questions = selectors.numbered_questions(room) if any(c.guiding_question_id for c in page.comments) else None
    context = _room_context(request, room, page.comments, reading, page.translations, questions) | {
        "root": root,
        "page": page,
    }
    # The comment box under the thread, and the reply form forum.js clones from it.
    context["form"] = CommentForm(documents=terms.documents_to_accept(request.user))
    context["cards"] = _thread_cards(context["drawing"], page)
    context["new_comments"] = _new_comments(context["cards"], reading)
    response = render(request, "forum/thread_detail.html", context)
    _record_visit(request, room, reading, response)
    return response


@require_http_methods(["GET", "POST"])
@login_required
def new_comment(request, consultation_slug, room_slug):
    room = selectors.get_room(request.user, consultation_slug, room_slug)
    return _comment_form_view(
        request,
        room=room,
        parent=None,
        post=lambda form: services.post_comment(
            request.user, room=room, client_token=form.cleaned_data["client_token"], **form.service_arguments()
        ),
    )


@require_http_methods(["GET", "POST"])
@login_required
def reply(request, consultation_slug, room_slug, comment_id):
    room = selectors.get_room(request.user, consultation_slug, room_slug)
    parent = selectors.get_room_comment(room, comment_id)
    return _comment_form_view(
        request,
        room=room,
        parent=parent,
        post=lambda form: services.reply_to_comment(
            request.user, parent=parent, client_token=form.cleaned_data["client_token"], **form.service_arguments()
        ),
    )


def _is_preview(request) -> bool:
    """The form's Preview button: the text is rendered and the form drawn again, nothing posted."""
    return request.method == "POST" and "preview" in request.POST


def _preview_in(request, room):
    return lambda form: services.preview_comment(request.user, room=room, body=form.cleaned_data["body"])


def _comment_form_view(request, *, room, parent, post):
    """The plain page for writing a comment or reply: the form without
    JavaScript, where a refused post comes back with its text kept, and where
    a preview is shown above the text."""
    form = CommentForm(
        request.POST if request.method == "POST" else None,
        questions=selectors.numbered_questions(room) if parent is None else None,
        documents=terms.documents_to_accept(request.user),
        is_reply=parent is not None,
        initial={"guiding_question": request.GET.get("answer")},
    )
    previewing = _is_preview(request)
    outcome = attempt(form, _preview_in(request, room) if previewing else post, error_field="body")
    if outcome.done and not previewing:
        comment = outcome.result
        # extra_tags="posted" tells drafts.js, on the page this redirects to, that its draft is safe to forget.
        if getattr(comment, "mentions_not_notified", 0):
            messages.info(
                request,
                ngettext(
                    "Posted. You mentioned more people than we notify at once: %(count)d of them was not notified.",
                    "Posted. You mentioned more people than we notify at once: %(count)d of them were not notified.",
                    comment.mentions_not_notified,
                )
                % {"count": comment.mentions_not_notified},
                extra_tags="posted",
            )
        elif comment.is_pending:
            messages.info(
                request,
                _("Thank you. Your comment will appear once a moderator has looked at it."),
                extra_tags="posted",
            )
        else:
            messages.success(request, _("Your comment has been posted."), extra_tags="posted")
        return redirect(selectors.comment_location(comment))
    preview = outcome.result if previewing and outcome.done else None
    context = _room_context(request, room) | {"form": form, "parent": parent, "preview": preview}
    if parent is not None:
        # The comment replied to, drawn above the form as the room page draws it for this
        # person: a held comment is not there for anyone but its author and the moderators.
        if parent.is_pending and not permissions.can_read_text(
            request.user, parent, moderates=context["viewer_moderates"]
        ):
            raise Http404
        context["parent_card"] = display.draw_single(request.user, parent, viewer_moderates=context["viewer_moderates"])
        refusal = permissions.why_cannot_reply(request.user, parent)
        context |= {"can_post": refusal is None, "posting_refusal": refusal}
    return outcome.respond(render(request, "forum/comment_form.html", context))


@require_safe
def comment_permalink(request, comment_id):
    comment = selectors.get_comment_for_permalink(request.user, comment_id)
    return redirect(selectors.comment_location(comment))


# --- A comment's own pages: its author edits or deletes it, a reader reports it --


@require_http_methods(["GET", "POST"])
@login_required
def edit_comment(request, comment_id):
    comment = comment_for(request, comment_id, permissions.why_cannot_edit)
    form = CommentForm(
        request.POST if request.method == "POST" else None,
        documents=terms.documents_to_accept(request.user),
        initial={
            "body": comment.body_source,
            "language": comment.language or "auto",
            "do_not_quote": not comment.may_be_quoted,
        },
    )
    previewing = _is_preview(request)
    outcome = attempt(
        form,
        _preview_in(request, comment.room)
        if previewing
        else lambda form: services.edit_comment(request.user, comment=comment, **form.service_arguments()),
        error_field="body",
    )
    if outcome.done and not previewing:
        if outcome.result.is_pending and comment.is_visible:
            messages.info(
                request,
                _("Your comment has been updated. A moderator will look at your edit before others can see it."),
                extra_tags="posted",
            )
        else:
            messages.success(request, _("Your comment has been updated."), extra_tags="posted")
        return redirect(comment.get_absolute_url())
    preview = outcome.result if previewing and outcome.done else None
    return outcome.respond(
        comment_page(request, "forum/comment_edit.html", comment, {"form": form, "preview": preview})
    )


@require_http_methods(["GET", "POST"])
@login_required
def delete_comment(request, comment_id):
    comment = comment_for(request, comment_id, permissions.why_cannot_delete)
    if request.method == "POST":
        services.delete_comment(request.user, comment=comment)
        messages.success(request, _("Your comment has been deleted."))
        return redirect(comment.room.get_absolute_url())
    return comment_page(request, "forum/comment_delete.html", comment)


@require_http_methods(["GET", "POST"])
@login_required
def report_comment(request, comment_id):
    comment = comment_for(request, comment_id, permissions.why_cannot_report)
    form = ReportForm(request.POST if request.method == "POST" else None)
    outcome = attempt(
        form,
        lambda form: services.report_comment(
            request.user, comment=comment, reason=form.cleaned_data["reason"], note=form.cleaned_data["note"]
        ),
    )
    if outcome.done:
        messages.success(request, _("Thank you. The moderators have been told and will look at it."))
        return redirect(comment.get_absolute_url())
    return outcome.respond(comment_page(request, "forum/comment_report.html", comment, {"form": form}))
