"""Notifications: who is told about a comment, the bell in the header, and /notifications/."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from forum import services
from forum.models import Comment, Mention, Notification
from forum.services.notifications import notify_mentions_added
from tests import factories

pytestmark = pytest.mark.django_db

NOTIFICATIONS_URL = "/notifications/"
Kind = Notification.Kind


def bell_count(client):
    """The number in the header's bell, or None when it shows no number."""
    html = client.get(reverse("forum:home")).content.decode()
    found = re.search(r'<span class="bell__count">(\d+)</span>', html)
    return int(found.group(1)) if found else None


def kinds_for(person):
    return list(Notification.objects.filter(recipient=person).values_list("kind", flat=True))


def established(person):
    """An account older than a day, which may notify up to ten people per comment."""
    User.objects.filter(pk=person.pk).update(date_joined=timezone.now() - timedelta(days=2))
    return User.objects.get(pk=person.pk)


def post_comment_through_the_form(client, room, body, **extra):
    url = reverse("forum:new-comment", args=[room.consultation.slug, room.slug])
    return client.post(url, {"body": body}, **extra)


# --- The list and the bell -------------------------------------------------


def test_a_mention_is_listed_with_who_did_what_where_and_a_link_to_open_it(
    client, room, participant, other_participant
):
    comment = factories.make_comment(room, other_participant, body="Over to @amina_diallo on legal aid.")
    client.force_login(participant)

    html = client.get(NOTIFICATIONS_URL).content.decode()

    notification = Notification.objects.get(recipient=participant)
    assert notification.kind == Kind.MENTION
    assert notification.comment == comment
    assert f"<bdi>Jean Dupont</bdi> mentioned you in <bdi>{room.title}</bdi>" in html
    assert "on legal aid." in html
    assert f'<a class="notification__open" href="/notifications/{notification.pk}/">Open the comment</a>' in html


def test_the_notifications_page_needs_log_in(client, db):
    response = client.get(NOTIFICATIONS_URL)

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={NOTIFICATIONS_URL}"


def test_the_bell_counts_unread_notifications_and_shows_no_number_when_there_are_none(client, room, participant):
    client.force_login(participant)
    assert bell_count(client) is None

    for n in range(3):
        factories.make_comment(room, body=f"@amina_diallo point {n}")

    assert bell_count(client) == 3


def test_notifications_are_listed_newest_first(client, room, participant):
    for word in ["first", "second", "third"]:
        factories.make_comment(room, body=f"@amina_diallo {word} word")
    client.force_login(participant)

    html = client.get(NOTIFICATIONS_URL).content.decode()

    assert html.index("third word") < html.index("second word") < html.index("first word")


def test_opening_a_notification_marks_it_read_and_lands_on_the_comment(client, room, participant):
    comment = factories.make_comment(room, body="@amina_diallo have a look")
    factories.make_comment(room, body="@amina_diallo and this one")
    notification = Notification.objects.get(comment=comment)
    client.force_login(participant)
    assert bell_count(client) == 2

    opened = client.get(f"/notifications/{notification.pk}/")

    assert opened.status_code == 302
    assert opened.url == f"/comment/{comment.pk}/"
    permalink = client.get(opened.url)
    assert permalink.status_code == 302
    assert permalink.url == f"{room.get_absolute_url()}#comment-{comment.pk}"
    page = client.get(permalink.url.split("#")[0]).content.decode()
    assert f'id="comment-{comment.pk}"' in page
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert bell_count(client) == 1


def test_someone_elses_notification_is_not_found_and_stays_unread(client, room, participant, other_participant):
    factories.make_comment(room, body="@amina_diallo for you")
    notification = Notification.objects.get(recipient=participant)
    client.force_login(other_participant)

    assert client.get(f"/notifications/{notification.pk}/").status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_as_read_empties_the_count(client, room, participant):
    for n in range(3):
        factories.make_comment(room, body=f"@amina_diallo point {n}")
    client.force_login(participant)
    assert "Mark all as read" in client.get(NOTIFICATIONS_URL).content.decode()

    response = client.post("/notifications/read/", follow=True)

    assert response.redirect_chain == [(NOTIFICATIONS_URL, 302)]
    html = response.content.decode()
    assert "All your notifications are marked as read." in html
    assert 'class="bell__count"' not in html
    assert "notification--unread" not in html
    assert not Notification.objects.filter(recipient=participant, read_at__isnull=True).exists()


def test_mark_all_as_read_touches_only_ones_own(client, room, participant, other_participant):
    factories.make_comment(room, body="@amina_diallo and @jean_dupont")
    client.force_login(participant)

    client.post("/notifications/read/")

    assert Notification.objects.get(recipient=other_participant).read_at is None


def test_marking_all_read_is_refused_on_get(client, room, participant):
    factories.make_comment(room, body="@amina_diallo for you")
    client.force_login(participant)

    assert client.get("/notifications/read/").status_code == 405
    assert bell_count(client) == 1


def test_notifications_are_paged(client, room, participant, settings):
    settings.FORUM_NOTIFICATIONS_PER_PAGE = 3
    for n in range(1, 6):
        factories.make_comment(room, body=f"@amina_diallo item-{n}-end")
    client.force_login(participant)

    first = client.get(NOTIFICATIONS_URL).content.decode()
    second = client.get(NOTIFICATIONS_URL + "?page=2").content.decode()

    assert re.findall(r"item-(\d)-end", first) == ["5", "4", "3"]
    assert re.findall(r"item-(\d)-end", second) == ["2", "1"]
    assert "Page 1 of 2" in first
    assert '<a rel="next" href="?page=2">' in first
    assert "Page 2 of 2" in second


# --- Who is told -----------------------------------------------------------


def test_a_reply_tells_the_author_of_the_parent(client, room, participant, other_participant):
    mine = factories.make_comment(room, participant, body="My point.")
    factories.make_reply(mine, other_participant, body="I disagree.")
    client.force_login(participant)

    html = client.get(NOTIFICATIONS_URL).content.decode()

    assert kinds_for(participant) == [Kind.REPLY]
    assert f"<bdi>Jean Dupont</bdi> replied to your comment in <bdi>{room.title}</bdi>" in html


def test_a_reply_that_mentions_the_parent_author_who_follows_the_thread_gives_one_mention(
    room, participant, other_participant
):
    mine = factories.make_comment(room, participant, body="My point.")
    services.follow_room(participant, room=room)

    factories.make_reply(mine, other_participant, body="@amina_diallo I disagree, @amina_diallo.")

    assert kinds_for(participant) == [Kind.MENTION]


def test_a_reply_to_someone_who_follows_the_thread_and_the_room_gives_one_reply(room, participant, other_participant):
    mine = factories.make_comment(room, participant, body="My point.")
    services.follow_room(participant, room=room)

    factories.make_reply(mine, other_participant, body="I disagree.")

    assert kinds_for(participant) == [Kind.REPLY]


def test_a_room_follower_who_is_mentioned_gets_one_mention(room, participant, other_participant):
    services.follow_room(participant, room=room)

    factories.make_comment(room, other_participant, body="What does @amina_diallo think?")

    assert kinds_for(participant) == [Kind.MENTION]


def test_no_one_is_told_about_their_own_comment(room, participant):
    services.follow_room(participant, room=room)

    mine = factories.make_comment(room, participant, body="I, @amina_diallo, think so.")
    factories.make_reply(mine, participant, body="And @amina_diallo adds this.")

    assert not Notification.objects.exists()


def test_mentioning_someone_twice_tells_them_once(room, participant, other_participant):
    factories.make_comment(room, other_participant, body="@amina_diallo, yes, you @AMINA_DIALLO.")

    assert kinds_for(participant) == [Kind.MENTION]


def test_inactive_people_are_not_told(room, participant, other_participant):
    mine = factories.make_comment(room, participant, body="My point.")
    follower = factories.make_user("Gone Follower")
    services.follow_room(follower, room=room)
    User.objects.filter(pk__in=[participant.pk, follower.pk]).update(is_active=False)

    factories.make_reply(mine, other_participant, body="Replying to @amina_diallo.")

    assert not Notification.objects.exists()


def test_a_comment_mentioning_500_handles_keeps_them_all_and_tells_only_the_first_ten(client, room):
    author = established(factories.make_user("Busy Writer"))
    people = [factories.make_user(f"Named Person {n}", handle=f"named{n}") for n in range(12)]
    handles = [f"@unknown{n}" for n in range(488)]
    for n, person in enumerate(people):
        handles.insert(n * 40, f"@{person.handle}")
    client.force_login(author)

    response = post_comment_through_the_form(client, room, " ".join(handles), follow=True)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Posted. You mentioned more people than we notify at once: 2 of them were not notified." in html
    comment = Comment.objects.get()
    assert comment.body_html.count('class="mention"') == 12
    for person in people:
        assert f'<a href="/u/{person.handle}/" class="mention">@{person.display_name}</a>' in html
    assert "@unknown0 @unknown1" in comment.body_html
    assert "@unknown487" in comment.body_html
    told = set(Notification.objects.filter(kind=Kind.MENTION).values_list("recipient_id", flat=True))
    assert told == {person.pk for person in people[:10]}
    assert Mention.objects.filter(comment=comment).count() == 12


def test_a_new_account_tells_only_two_people_and_is_told_so(client, room):
    author = factories.make_user("New Writer")
    people = [factories.make_user(f"Named Person {n}", handle=f"named{n}") for n in range(3)]
    client.force_login(author)

    response = post_comment_through_the_form(client, room, "@named0 @named1 @named2 please look", follow=True)

    html = response.content.decode()
    assert "Posted. You mentioned more people than we notify at once: 1 of them was not notified." in html
    assert html.count('class="mention"') == 3
    told = set(Notification.objects.values_list("recipient_id", flat=True))
    assert told == {people[0].pk, people[1].pk}


def test_no_message_when_everyone_mentioned_is_told(client, room, participant, other_participant):
    client.force_login(participant)

    response = post_comment_through_the_form(client, room, "@jean_dupont please look", follow=True)

    assert "You mentioned more people" not in response.content.decode()
    assert kinds_for(other_participant) == [Kind.MENTION]


def test_an_edit_tells_the_people_it_newly_mentions_but_never_the_author(room, participant, other_participant):
    comment = factories.make_comment(room, participant, body="A first version.")

    notify_mentions_added(comment, mentioned_ids=[other_participant.pk, participant.pk])

    notification = Notification.objects.get()
    assert (notification.recipient, notification.kind, notification.actor) == (
        other_participant,
        Kind.MENTION,
        participant,
    )


def test_an_edit_does_not_tell_again_someone_the_comment_already_mentioned(room, participant, other_participant):
    newcomer = factories.make_user("Ngozi Okafor", handle="ngozi")
    comment = factories.make_comment(room, participant, body="cc @jean_dupont")

    # The edited body mentions both; only Ngozi is new to it.
    notify_mentions_added(comment, mentioned_ids=[other_participant.pk, newcomer.pk])

    assert kinds_for(other_participant) == [Kind.MENTION]
    assert kinds_for(newcomer) == [Kind.MENTION]


def test_editing_a_mention_out_and_back_in_tells_them_once(
    room, participant, other_participant, mailoutbox, django_capture_on_commit_callbacks
):
    comment = factories.make_comment(room, participant, body="hello")

    with django_capture_on_commit_callbacks(execute=True):
        for body in ["hello @jean_dupont", "hello", "hello @jean_dupont", "hello", "hello @jean_dupont"]:
            comment = services.edit_comment(participant, comment=comment, body=body)

    assert kinds_for(other_participant) == [Kind.MENTION]
    assert len([message for message in mailoutbox if other_participant.email in message.to]) == 1


# --- What the page shows of the comment -----------------------------------


def test_the_excerpt_shows_the_words_as_they_were_written(client, room, participant):
    factories.make_comment(room, body='@amina_diallo Tom & Jerry say "yes" <often>')
    client.force_login(participant)

    html = client.get(NOTIFICATIONS_URL).content.decode()
    excerpt = re.search(r'<p class="notification__excerpt">(.*?)</p>', html, re.S).group(1)

    assert "Tom &amp; Jerry say &quot;yes&quot; &lt;often&gt;" in excerpt
    assert "&amp;amp;" not in excerpt


@pytest.mark.parametrize(
    ("state", "says"),
    [
        (Comment.State.HIDDEN, "This comment has since been hidden by a moderator."),
        (Comment.State.DELETED, "This comment has since been deleted by its author."),
    ],
)
def test_a_notification_about_a_removed_comment_does_not_show_its_text(client, room, participant, state, says):
    comment = factories.make_comment(room, body="@amina_diallo an insult nobody should read")
    Comment.objects.filter(pk=comment.pk).update(state=state)
    client.force_login(participant)

    html = client.get(NOTIFICATIONS_URL).content.decode()

    assert f"mentioned you in <bdi>{room.title}</bdi>" in html
    assert "an insult nobody should read" not in html
    assert says in html


# --- What it costs ---------------------------------------------------------


def _fill_inbox(person, room, moderator, count):
    """Notifications of every kind for the person, from several people, until there are `count`."""
    other_room = factories.make_room(room.consultation)
    services.follow_room(person, room=other_room)
    factories.assign_moderator(other_room, person)
    own = Comment.objects.filter(author=person, level=0).first() or factories.make_comment(room, person, body="Mine.")
    writers = [factories.make_user(f"Writer {n}") for n in range(3)]
    while Notification.objects.filter(recipient=person).count() < count:
        n = Notification.objects.filter(recipient=person).count()
        writer = writers[n % 3]
        step = n % 4
        if step == 0:
            factories.make_comment(room, writer, body=f"@{person.handle} point {n}")
        elif step == 1:
            factories.make_reply(own, writer, body=f"Reply {n}")
        elif step == 2:
            factories.make_comment(other_room, writer, body=f"News {n}")
        else:
            flagged = factories.make_comment(room, writer, body=f"Flag me {n}")
            services.flag_comment(moderator, comment=flagged, colleague=person, note=f"Note {n}")


def _notifications_page_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(NOTIFICATIONS_URL)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_the_notifications_page_costs_the_same_queries_with_10_and_200_notifications(
    client, room, participant, moderator, settings
):
    settings.FORUM_NOTIFICATIONS_PER_PAGE = 250
    client.force_login(participant)
    _fill_inbox(participant, room, moderator, 10)
    few, html = _notifications_page_queries(client)
    assert html.count('class="notification__open"') == 10

    _fill_inbox(participant, room, moderator, 200)
    many, html = _notifications_page_queries(client)
    assert html.count('class="notification__open"') == 200
    assert set(kinds_for(participant)) == {Kind.MENTION, Kind.REPLY, Kind.FOLLOW, Kind.FLAG}

    assert few == many
