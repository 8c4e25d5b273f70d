"""Moderators at work: the queue of reported and held comments, hiding with a
reason, restoring, dismissing, the moderation log, and the tools they use in
their rooms (pin, highlight, lock, close, tag, suspend)."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from forum import permissions, selectors, services
from forum.models import Comment, ModerationAction, Notification, Report, Suspension
from tests import factories

pytestmark = pytest.mark.django_db

QUEUE_URL = "/moderation/"
Action = ModerationAction.Action


def act_url(comment, action):
    return reverse("forum:act-on-comment", args=[comment.pk, action])


def reply_url(comment):
    room = comment.room
    return reverse("forum:reply", args=[room.consultation.slug, room.slug, comment.pk])


def new_comment_url(room):
    return reverse("forum:new-comment", args=[room.consultation.slug, room.slug])


def room_state_url(room):
    return reverse("forum:room-state", args=[room.consultation.slug, room.slug])


def suspend_url(consultation, person):
    return reverse("forum:suspend", args=[consultation.slug, person.handle])


def html_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def article_in(html, comment):
    found = re.search(rf'<article id="comment-{comment.pk}".*?</article>', html, re.S)
    return found.group(0) if found else None


def queue_items(html):
    """Each queue item's <li>, in the order shown."""
    return re.findall(r'<li class="queue__item card">.*?</li>\s*(?=<li class="queue__item|</ol>)', html, re.S)


def shown_comment_ids(html):
    return [int(found) for found in re.findall(r'<article id="comment-(\d+)"', html)]


def report(comment, reporter=None, reason=Report.Reason.ABUSIVE, note=""):
    return services.report_comment(reporter or factories.make_user(), comment=comment, reason=reason, note=note)


@pytest.fixture
def comment(room, participant):
    return factories.make_comment(room, participant, body="People from that region are all liars.")


@pytest.fixture
def moderator_client(moderator):
    """Its own client, so that the moderator and a participant can act in turn."""
    moderator_client = Client()
    moderator_client.force_login(moderator)
    return moderator_client


# --- The queue ------------------------------------------------------------------------


def test_a_room_moderator_sees_reports_in_their_rooms_only_and_staff_see_every_room(
    client, consultation, room, comment, moderator, staff
):
    other_room = factories.make_room(consultation, title="Elsewhere")
    elsewhere = factories.make_comment(other_room, body="Reported in the other room.")
    report(comment)
    report(elsewhere)

    client.force_login(moderator)
    html = html_of(client, QUEUE_URL)
    assert "People from that region are all liars." in html
    assert "Reported in the other room." not in html
    assert len(queue_items(html)) == 1

    client.force_login(staff)
    html = html_of(client, QUEUE_URL)
    assert "People from that region are all liars." in html
    assert "Reported in the other room." in html
    assert len(queue_items(html)) == 2


def test_a_moderator_whose_rota_ended_no_longer_sees_the_queue(client, room, comment):
    finished = factories.make_user("Rota Ended")
    factories.assign_moderator(room, finished, starts_in_days=-10, ends_in_days=-1)
    report(comment)
    client.force_login(finished)

    assert client.get(QUEUE_URL).status_code == 403


def test_participants_cannot_open_the_queue_and_visitors_are_sent_to_log_in(client, participant_client, comment):
    report(comment)

    response = participant_client.get(QUEUE_URL)
    assert response.status_code == 403
    assert "People from that region" not in response.content.decode()

    client.logout()
    response = client.get(QUEUE_URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_an_empty_queue_says_nothing_is_waiting(moderator_client):
    html = html_of(moderator_client, QUEUE_URL)

    assert "Nothing is waiting. Thank you!" in html
    assert queue_items(html) == []


def test_two_reports_on_one_comment_are_one_item_listing_both(moderator_client, comment):
    report(comment, factories.make_user("Ana Reporter"), Report.Reason.ABUSIVE, note="A slur against a group")
    report(comment, factories.make_user("Ben Reporter"), Report.Reason.OTHER)

    html = html_of(moderator_client, QUEUE_URL)

    [item] = queue_items(html)
    assert "2 reports" in item
    assert "<strong>Abusive or hateful</strong>: “A slur against a group” — Ana Reporter" in item
    assert "<strong>Something else</strong> — Ben Reporter" in item
    assert item.count(f'<article id="comment-{comment.pk}"') == 1


def test_the_longest_waiting_comment_comes_first(moderator_client, room):
    posted_first = factories.make_comment(room, body="Posted first, reported an hour ago.")
    posted_second = factories.make_comment(room, body="Posted second, reported three hours ago.")
    posted_third = factories.make_comment(room, body="Posted third, reported two hours ago.")
    now = timezone.now()
    for comment, hours in [(posted_first, 1), (posted_second, 3), (posted_third, 2)]:
        reported = report(comment)
        Report.objects.filter(pk=reported.pk).update(created_at=now - timedelta(hours=hours))

    html = html_of(moderator_client, QUEUE_URL)

    assert [shown_comment_ids(item)[-1] for item in queue_items(html)] == [
        posted_second.pk,
        posted_third.pk,
        posted_first.pk,
    ]


def test_a_reported_reply_is_shown_with_its_parent_and_a_link_into_the_thread(moderator_client, room, comment):
    parent = comment
    reply = factories.make_reply(parent, factories.make_user("Rude Replier"), body="You are an idiot.")
    report(reply)

    html = html_of(moderator_client, QUEUE_URL)

    [item] = queue_items(html)
    assert "In reply to Amina Diallo" in item
    assert "People from that region are all liars." in item
    assert "You are an idiot." in item
    assert item.index(f'id="comment-{parent.pk}"') < item.index(f'id="comment-{reply.pk}"')
    assert f'<a href="/comment/{reply.pk}/">See it in the thread</a>' in item
    assert moderator_client.get(f"/comment/{reply.pk}/").url == f"{room.get_absolute_url()}#comment-{reply.pk}"


def test_the_queue_costs_the_same_queries_with_3_and_30_items(client, consultation, room, moderator):
    client.force_login(moderator)

    def fill_queue(count):
        root = factories.make_comment(room, body="A thread that attracts trouble.")
        reporter = factories.make_user()
        for n in range(count):
            reply = factories.make_reply(root, factories.make_user(organisation=f"Org {n}"), body=f"Trouble {n}")
            report(reply, reporter, note=f"note {n}")
        # A second report from someone else on one of them, and a comment held for approval.
        report(reply)
        held_room = factories.make_room(consultation, premoderate_first=1)
        factories.assign_moderator(held_room, moderator)
        factories.make_comment(held_room, body="Held for approval.")

    def queries_for_the_queue():
        with CaptureQueriesContext(connection) as queries:
            html = html_of(client, QUEUE_URL)
        return len(queries), len(queue_items(html))

    fill_queue(3)
    few, shown_few = queries_for_the_queue()
    fill_queue(27)
    many, shown_many = queries_for_the_queue()

    assert (shown_few, shown_many) == (4, 25)
    assert many == few


# --- Hiding, restoring, dismissing --------------------------------------------------------


def test_hiding_needs_a_reason(moderator_client, room, comment):
    response = moderator_client.post(act_url(comment, "hide"), {"reason": "   "}, follow=True)

    assert "Please give a reason; readers will see it." in response.content.decode()
    comment.refresh_from_db()
    assert comment.is_visible
    assert not ModerationAction.objects.exists()
    assert not Notification.objects.filter(kind=Notification.Kind.MODERATION).exists()


def test_hiding_from_the_queue_shows_readers_the_reason_and_tells_the_author(
    moderator_client, client, room, comment, participant, moderator
):
    report(comment)
    factories.make_comment(room, body="A civil comment.")

    response = moderator_client.post(
        act_url(comment, "hide"), {"reason": "Personal attack, against rule 2", "next": QUEUE_URL}, follow=True
    )

    assert response.redirect_chain == [(QUEUE_URL, 302)]
    html = response.content.decode()
    assert "The comment is hidden; its author has been told." in html
    assert "Nothing is waiting. Thank you!" in html
    comment.refresh_from_db()
    assert (comment.state, comment.hidden_reason) == (Comment.State.HIDDEN, "Personal attack, against rule 2")
    room.refresh_from_db()
    assert room.comment_count == 1
    assert set(Report.objects.values_list("outcome", flat=True)) == {Report.Outcome.HIDDEN}

    client.logout()
    article = article_in(html_of(client, room.get_absolute_url()), comment)
    assert "Hidden by a moderator: Personal attack, against rule 2" in article
    assert "all liars" not in article

    told = Notification.objects.get(recipient=participant, kind=Notification.Kind.MODERATION)
    assert (told.comment, told.actor, told.note) == (comment, moderator, "Personal attack, against rule 2")
    client.force_login(participant)
    inbox = html_of(client, reverse("forum:notifications"))
    assert f"A moderator acted on your comment in <bdi>{room.title}</bdi>" in inbox
    assert "Personal attack, against rule 2" in inbox


def test_a_hiding_reason_with_markup_is_shown_as_plain_text(client, room, comment, moderator):
    services.hide_comment(moderator, comment=comment, reason='<script>alert("x")</script> rule 2')

    article = article_in(html_of(client, room.get_absolute_url()), comment)

    assert "<script>alert" not in article
    assert "Hidden by a moderator: &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; rule 2" in article


def test_moderators_still_read_a_hidden_comment_in_the_room(moderator_client, room, comment, moderator):
    services.hide_comment(moderator, comment=comment, reason="Personal attack")

    article = article_in(html_of(moderator_client, room.get_absolute_url()), comment)

    assert "Hidden by a moderator: Personal attack" in article
    assert "Show the text (moderators only)" in article
    assert "People from that region are all liars." in article


def test_restoring_shows_the_comment_again_and_tells_the_author(
    moderator_client, client, room, comment, participant, moderator
):
    services.hide_comment(moderator, comment=comment, reason="Personal attack")

    response = moderator_client.post(act_url(comment, "restore"), follow=True)

    assert "The comment is shown again." in response.content.decode()
    comment.refresh_from_db()
    assert comment.is_visible and comment.hidden_reason == ""
    room.refresh_from_db()
    assert room.comment_count == 1
    article = article_in(html_of(client, room.get_absolute_url()), comment)
    assert "People from that region are all liars." in article
    assert "Hidden by a moderator" not in article
    assert list(
        Notification.objects.filter(recipient=participant, kind=Notification.Kind.MODERATION)
        .order_by("pk")
        .values_list("note", flat=True)
    ) == ["Personal attack", "restored"]


def test_dismissing_takes_the_comment_off_the_queue_and_leaves_it_shown(moderator_client, room, comment, moderator):
    report(comment)
    report(comment)

    response = moderator_client.post(act_url(comment, "dismiss"), {"next": QUEUE_URL}, follow=True)

    assert response.redirect_chain == [(QUEUE_URL, 302)]
    assert "Nothing is waiting. Thank you!" in response.content.decode()
    comment.refresh_from_db()
    assert comment.is_visible
    assert list(Report.objects.values_list("outcome", "resolved_by")) == [
        (Report.Outcome.DISMISSED, moderator.pk),
        (Report.Outcome.DISMISSED, moderator.pk),
    ]


def test_a_next_address_on_another_site_is_ignored(moderator_client, comment):
    response = moderator_client.post(act_url(comment, "dismiss"), {"next": "https://evil.example/"})

    assert response.url == reverse("forum:moderate-comment", args=[comment.pk])


# --- The moderation log ------------------------------------------------------------------


def test_every_moderator_action_is_logged_with_who_what_and_why(
    moderator_client, consultation, room, comment, participant, moderator, staff
):
    question = factories.make_question(room, "How can legal aid reach rural areas?")
    report(comment)

    moderator_client.post(act_url(comment, "dismiss"))
    moderator_client.post(act_url(comment, "hide"), {"reason": "Generalises about a group"})
    moderator_client.post(act_url(comment, "restore"))
    moderator_client.post(act_url(comment, "pin"))
    moderator_client.post(act_url(comment, "lock"))
    moderator_client.post(act_url(comment, "highlight"))
    moderator_client.post(act_url(comment, "tag"), {"question": question.pk})
    moderator_client.post(room_state_url(room), {"confirm": "yes"})
    moderator_client.post(suspend_url(consultation, participant), {"reason": "Repeated generalisations", "days": "7"})
    moderator_client.post(f"/comment/{comment.pk}/flag/", {"colleague": staff.pk, "note": "Worth a second look"})

    logged = list(
        ModerationAction.objects.order_by("pk").values_list(
            "action", "moderator", "room", "comment", "target_user", "note"
        )
    )
    assert logged == [
        (Action.DISMISS, moderator.pk, room.pk, comment.pk, None, "1 reports"),
        (Action.HIDE, moderator.pk, room.pk, comment.pk, participant.pk, "Generalises about a group"),
        (Action.RESTORE, moderator.pk, room.pk, comment.pk, participant.pk, ""),
        (Action.PIN, moderator.pk, room.pk, comment.pk, None, ""),
        (Action.LOCK, moderator.pk, room.pk, comment.pk, None, ""),
        (Action.HIGHLIGHT, moderator.pk, room.pk, comment.pk, None, ""),
        (Action.TAG, moderator.pk, room.pk, comment.pk, None, "How can legal aid reach rural areas?"),
        (Action.CLOSE, moderator.pk, room.pk, None, None, ""),
        (Action.SUSPEND, moderator.pk, None, None, participant.pk, "Repeated generalisations"),
        (Action.FLAG, moderator.pk, room.pk, comment.pk, staff.pk, "Worth a second look"),
    ]
    assert set(ModerationAction.objects.values_list("consultation", flat=True)) == {consultation.pk}
    assert all(action.created_at is not None for action in ModerationAction.objects.all())


def test_the_moderation_page_lists_what_moderators_did_to_the_comment(moderator_client, comment, moderator):
    services.hide_comment(moderator, comment=comment, reason="Generalises about a group")

    html = html_of(moderator_client, reverse("forum:moderate-comment", args=[comment.pk]))

    assert "Hid a comment — Maria Moderator (“Generalises about a group”)" in html


def test_the_moderation_log_is_browsable_in_the_django_admin(admin_client, room, comment, moderator):
    services.hide_comment(moderator, comment=comment, reason="Generalises about a group")
    services.restore_comment(moderator, comment=comment)
    services.close_room(moderator, room=room)
    changelist = reverse("admin:forum_moderationaction_changelist")

    html = html_of(admin_client, changelist)

    for text in [
        "Hid a comment",
        "Restored a comment",
        "Closed the room",
        "Maria Moderator",
        "Generalises about a group",
    ]:
        assert text in html
    filtered = html_of(admin_client, f"{changelist}?action__exact=hide")
    assert '<td class="field-action">Hid a comment</td>' in filtered
    assert '<td class="field-action">Closed the room</td>' not in filtered
    entry = ModerationAction.objects.get(action=Action.HIDE)
    assert admin_client.get(reverse("admin:forum_moderationaction_change", args=[entry.pk])).status_code == 200


# --- Pinning -------------------------------------------------------------------------------


def test_a_pinned_thread_leads_the_first_page_and_its_permalink_goes_there(moderator_client, room, settings):
    settings.FORUM_THREADS_PER_PAGE = 2
    threads = [factories.make_comment(room, body=f"Thread {n}") for n in range(1, 7)]
    welcome = threads[4]
    assert (
        moderator_client.get(f"/comment/{welcome.pk}/").url == f"{room.get_absolute_url()}?page=3#comment-{welcome.pk}"
    )

    response = moderator_client.post(act_url(welcome, "pin"), follow=True)

    assert "Done: the thread&#x27;s place in the room is updated." in response.content.decode()
    first_page = html_of(moderator_client, room.get_absolute_url())
    assert shown_comment_ids(first_page) == [welcome.pk, threads[0].pk, threads[1].pk]
    assert '<span class="badge badge--muted">Pinned</span>' in article_in(first_page, welcome)
    assert "Pinned" not in article_in(first_page, threads[0])
    third_page = html_of(moderator_client, f"{room.get_absolute_url()}?page=3")
    assert shown_comment_ids(third_page) == [threads[5].pk]
    assert moderator_client.get(f"/comment/{welcome.pk}/").url == f"{room.get_absolute_url()}#comment-{welcome.pk}"


def test_unpinning_puts_the_thread_back_in_its_place(moderator_client, room, moderator, settings):
    settings.FORUM_THREADS_PER_PAGE = 2
    threads = [factories.make_comment(room, body=f"Thread {n}") for n in range(1, 7)]
    services.pin_thread(moderator, comment=threads[4])

    moderator_client.post(act_url(threads[4], "pin"), {"on": "off"})

    assert shown_comment_ids(html_of(moderator_client, room.get_absolute_url())) == [threads[0].pk, threads[1].pk]
    assert shown_comment_ids(html_of(moderator_client, f"{room.get_absolute_url()}?page=3")) == [
        threads[4].pk,
        threads[5].pk,
    ]


def test_only_a_threads_first_comment_can_be_pinned_or_locked(moderator_client, comment):
    reply = factories.make_reply(comment, body="A reply")

    for action in ("pin", "lock"):
        response = moderator_client.post(act_url(reply, action), follow=True)

        assert "Only a thread&#x27;s first comment can be pinned or locked." in response.content.decode()
    reply.refresh_from_db()
    assert not reply.is_pinned and not reply.is_locked


# --- Highlighting ---------------------------------------------------------------------------


def test_a_highlighted_comment_carries_a_mark_and_its_author_is_told(
    moderator_client, client, room, comment, participant, moderator
):
    reply = factories.make_reply(comment, factories.make_user("Insightful Person"), body="A useful distinction.")

    response = moderator_client.post(act_url(reply, "highlight"), follow=True)

    assert "Done: the highlight is updated." in response.content.decode()
    html = html_of(client, room.get_absolute_url())
    article = article_in(html, reply)
    assert "comment--highlighted" in article
    assert '<span class="badge badge--highlight">Highlighted by the moderators</span>' in article
    assert "Highlighted by the moderators" not in article_in(html, comment)
    told = Notification.objects.get(kind=Notification.Kind.MODERATION)
    assert (told.recipient, told.comment, told.actor, told.note) == (
        reply.author,
        reply,
        moderator,
        "highlighted as a notable contribution",
    )


def test_removing_a_highlight_removes_the_mark_without_telling_anyone_again(
    moderator_client, client, room, comment, moderator
):
    services.highlight_comment(moderator, comment=comment)

    moderator_client.post(act_url(comment, "highlight"), {"on": "off"})

    assert "Highlighted by the moderators" not in html_of(client, room.get_absolute_url())
    assert Notification.objects.filter(kind=Notification.Kind.MODERATION).count() == 1


# --- Locking ----------------------------------------------------------------------------------


def test_a_locked_thread_shows_a_notice_and_offers_no_reply_links(moderator_client, participant_client, room, comment):
    reply = factories.make_reply(comment, body="A reply in the locked thread.")
    open_thread = factories.make_comment(room, body="Another thread, still open.")

    response = moderator_client.post(act_url(comment, "lock"), follow=True)

    assert "Done: the thread is updated." in response.content.decode()
    html = html_of(participant_client, room.get_absolute_url())
    assert "A moderator has locked this thread: no more replies can be added." in article_in(html, comment)
    assert f'href="{reply_url(comment)}"' not in html
    assert f'href="{reply_url(reply)}"' not in html
    assert f'href="{reply_url(open_thread)}"' in html


def test_a_reply_sent_to_a_locked_thread_is_refused_and_the_text_is_kept(participant_client, comment, moderator):
    reply = factories.make_reply(comment, body="A reply in the locked thread.")
    services.lock_thread(moderator, comment=comment)
    before = Comment.objects.count()

    for parent in (comment, reply):
        response = participant_client.post(reply_url(parent), {"body": "But I had one more point to make."})

        assert response.status_code == 403
        html = response.content.decode()
        assert "A moderator has locked this thread: no more replies can be added." in html
        assert "But I had one more point to make.</textarea>" in html
    assert Comment.objects.count() == before


def test_unlocking_lets_people_reply_again(moderator_client, participant_client, comment, moderator):
    services.lock_thread(moderator, comment=comment)

    moderator_client.post(act_url(comment, "lock"), {"on": "off"})

    response = participant_client.post(reply_url(comment), {"body": "Now I can add my point."})
    assert response.status_code == 302
    assert Comment.objects.get(parent=comment).body_source == "Now I can add my point."


# --- Closing the room ------------------------------------------------------------------------


def test_a_moderator_closes_and_reopens_the_room_from_the_room_page(moderator_client, participant_client, room):
    assert "Close the room</button>" in html_of(moderator_client, room.get_absolute_url())

    # The room page's button asks first; nothing changes until the moderator confirms.
    asked = moderator_client.post(room_state_url(room))
    assert asked.status_code == 200
    assert "Yes, close the room" in asked.content.decode()
    room.refresh_from_db()
    assert room.is_open

    closed = moderator_client.post(room_state_url(room), {"confirm": "yes"}, follow=True)

    html = closed.content.decode()
    assert "The room is closed: it can be read but not added to." in html
    assert "Reopen the room</button>" in html
    room.refresh_from_db()
    assert room.is_closed
    refused = participant_client.post(new_comment_url(room), {"body": "Can I still post?"})
    assert refused.status_code == 403
    assert "This room is closed" in refused.content.decode()

    reopened = moderator_client.post(room_state_url(room), {"on": "off"}, follow=True)

    assert "The room is open again." in reopened.content.decode()
    room.refresh_from_db()
    assert room.is_open
    assert participant_client.post(new_comment_url(room), {"body": "Now I can."}).status_code == 302
    assert list(ModerationAction.objects.order_by("pk").values_list("action", flat=True)) == [
        Action.CLOSE,
        Action.REOPEN,
    ]


def test_participants_cannot_close_a_room(participant_client, room):
    assert "Close the room" not in html_of(participant_client, room.get_absolute_url())

    response = participant_client.post(room_state_url(room))

    assert response.status_code == 403
    room.refresh_from_db()
    assert room.is_open


# --- Tagging with a guiding question ------------------------------------------------------------


def test_a_moderator_tags_a_comment_with_one_of_the_rooms_guiding_questions(moderator_client, room, comment):
    factories.make_question(room, "What works?", position=1)
    answered = factories.make_question(room, "How can legal aid reach rural areas?", position=2)

    response = moderator_client.post(act_url(comment, "tag"), {"question": answered.pk}, follow=True)

    assert "The guiding question is saved." in response.content.decode()
    comment.refresh_from_db()
    assert comment.guiding_question == answered
    page = html_of(moderator_client, reverse("forum:moderate-comment", args=[comment.pk]))
    assert f'<option value="{answered.pk}" selected>How can legal aid reach rural areas?</option>' in page

    moderator_client.post(act_url(comment, "tag"), {"question": ""})

    comment.refresh_from_db()
    assert comment.guiding_question is None


def test_a_question_of_another_room_cannot_be_used_as_a_tag(moderator_client, consultation, room, comment):
    own = factories.make_question(room, "What works?")
    foreign = factories.make_question(factories.make_room(consultation), "A question of another room")
    moderator_client.post(act_url(comment, "tag"), {"question": own.pk})

    response = moderator_client.post(act_url(comment, "tag"), {"question": foreign.pk})

    assert response.status_code == 404
    comment.refresh_from_db()
    assert comment.guiding_question == own
    assert ModerationAction.objects.filter(action=Action.TAG).count() == 1


# --- Suspending a participant ---------------------------------------------------------------------


def test_a_suspended_participant_can_read_but_not_post_and_is_told_why_and_until_when(
    moderator_client, participant_client, consultation, room, comment, participant
):
    page = html_of(moderator_client, suspend_url(consultation, participant))
    assert "Suspend <bdi>Amina Diallo</bdi>" in page

    response = moderator_client.post(
        suspend_url(consultation, participant), {"reason": "Repeated personal attacks", "days": "1"}, follow=True
    )

    assert response.redirect_chain == [(consultation.get_absolute_url(), 302)]
    assert "Amina Diallo can no longer post in this consultation." in response.content.decode()
    suspension = Suspension.objects.get()
    assert abs(suspension.until - (timezone.now() + timedelta(days=1))) < timedelta(minutes=1)
    told = (
        "A moderator has suspended you from posting in this consultation until "
        f"{date_format(timezone.localtime(suspension.until), 'DATETIME_FORMAT')}: Repeated personal attacks"
    )

    refused = participant_client.post(new_comment_url(room), {"body": "Let me explain myself."})
    assert refused.status_code == 403
    assert told in refused.content.decode()
    assert "Let me explain myself.</textarea>" in refused.content.decode()
    refused_reply = participant_client.post(reply_url(comment), {"body": "A reply."})
    assert refused_reply.status_code == 403
    assert told in refused_reply.content.decode()
    refused_edit = participant_client.post(reverse("forum:edit-comment", args=[comment.pk]), {"body": "Softer."})
    assert refused_edit.status_code == 403

    room_page = html_of(participant_client, room.get_absolute_url())
    assert f'<p class="notice">{told}</p>' in room_page
    assert 'id="comment-form-heading"' not in room_page
    assert "People from that region are all liars." in room_page
    assert Comment.objects.count() == 1


def test_a_suspension_in_one_consultation_does_not_stop_posting_in_another(
    participant_client, consultation, participant, moderator
):
    services.suspend_participant(
        moderator,
        consultation=consultation,
        person=participant,
        reason="Personal attacks",
        until=timezone.now() + timedelta(days=1),
    )
    other_room = factories.make_room(factories.make_consultation())

    assert participant_client.post(new_comment_url(other_room), {"body": "Elsewhere I may."}).status_code == 302


def test_lifting_a_suspension_lets_the_participant_post_again(
    moderator_client, participant_client, consultation, room, participant, moderator
):
    suspension = services.suspend_participant(
        moderator, consultation=consultation, person=participant, reason="Personal attacks", until=None
    )
    assert participant_client.post(new_comment_url(room), {"body": "Still here?"}).status_code == 403

    response = moderator_client.post(
        reverse("forum:lift-suspension", args=[consultation.slug, suspension.pk]), follow=True
    )

    assert "Amina Diallo can post again." in response.content.decode()
    assert participant_client.post(new_comment_url(room), {"body": "Thank you, I will be civil."}).status_code == 302
    assert Comment.objects.get().body_source == "Thank you, I will be civil."
    assert ModerationAction.objects.order_by("-pk").first().action == Action.UNSUSPEND


def test_a_suspension_ends_by_itself_when_its_time_is_up(
    participant_client, consultation, room, participant, moderator
):
    suspension = services.suspend_participant(
        moderator,
        consultation=consultation,
        person=participant,
        reason="Cooling off",
        until=timezone.now() + timedelta(days=1),
    )
    Suspension.objects.filter(pk=suspension.pk).update(until=timezone.now() - timedelta(minutes=1))

    assert participant_client.post(new_comment_url(room), {"body": "Back again."}).status_code == 302


def test_a_moderator_of_another_consultation_cannot_suspend_or_lift(client, consultation, participant, moderator):
    stranger = factories.make_user("Other Consultation Moderator")
    factories.assign_moderator(factories.make_room(factories.make_consultation()), stranger)
    suspension = services.suspend_participant(
        moderator, consultation=consultation, person=participant, reason="Personal attacks"
    )
    client.force_login(stranger)

    assert client.get(suspend_url(consultation, participant)).status_code == 403
    response = client.post(suspend_url(consultation, participant), {"reason": "I dislike them", "days": "30"})
    assert response.status_code == 403
    lift = client.post(reverse("forum:lift-suspension", args=[consultation.slug, suspension.pk]))
    assert lift.status_code == 403

    assert list(Suspension.objects.values_list("reason", "lifted_at")) == [("Personal attacks", None)]


def test_a_suspended_moderator_neither_lifts_their_own_suspension_nor_moderates(client, consultation, room, moderator):
    colleague = factories.make_user("Colleague Moderator")
    factories.assign_moderator(room, colleague)
    suspension = services.suspend_participant(
        colleague, consultation=consultation, person=moderator, reason="Abused the moderation tools"
    )
    comment = factories.make_comment(room, body="An ordinary comment.")
    client.force_login(moderator)

    lift = client.post(reverse("forum:lift-suspension", args=[consultation.slug, suspension.pk]))
    hide = client.post(act_url(comment, "hide"), {"reason": "Because I can"})
    queue = client.get(reverse("forum:moderation-queue"))

    assert lift.status_code == 403
    assert hide.status_code == 403
    assert queue.status_code == 403
    assert Suspension.objects.get().lifted_at is None
    comment.refresh_from_db()
    assert comment.is_visible
    assert "Moderator tools:" not in html_of(client, room.get_absolute_url())
    assert moderator not in selectors.on_duty_in(selectors.room_rota(room))


def test_a_suspension_does_not_reach_a_moderator_s_rooms_in_another_consultation(client, consultation, moderator):
    other_room = factories.make_room(factories.make_consultation())
    factories.assign_moderator(other_room, moderator)
    colleague = factories.make_user("Colleague Moderator")
    factories.assign_moderator(factories.make_room(consultation), colleague)
    services.suspend_participant(colleague, consultation=consultation, person=moderator, reason="Rude")

    assert permissions.is_room_moderator(moderator, other_room)
    assert permissions.is_moderator_anywhere(moderator)


def test_a_suspension_needs_a_reason(moderator_client, consultation, participant):
    response = moderator_client.post(suspend_url(consultation, participant), {"reason": "", "days": "1"})

    assert response.status_code == 400
    assert not Suspension.objects.exists()
