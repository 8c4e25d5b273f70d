"""Fill machina's database with the benchmark's topic, in machina's own virtualenv:

    python -m machina_site.seed DATA.json     (PYTHONPATH=benchmarks/peers)

DATA.json (written by benchmarks/peers.py from our room): the distinct comment
texts, then each comment as [text index, author index] in reading order, the
number of authors, the subject, and the first post's date and the minutes
between posts. This migrates the database, makes the authors and one reader,
grants anonymous and signed-in users what they need to read and post (global
forum permissions, as machina's admin sets them), and writes one forum with one
topic of all those posts: bulk inserted with the HTML machina's renderer makes
of each text, then machina's own trackers and counters brought up to date
(Topic.update_trackers, which also updates the forum's, and each member's post
count). Prints one JSON line: the topic's address, its last page, the forum and
topic ids, the posters' ids, a session cookie of the signed-in reader, and the
queries of the topic's first page (anonymous and signed in, in-process)."""

import json
import math
import sys
from datetime import datetime, timedelta


def main(path):
    import django

    django.setup()

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import AnonymousUser
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from machina.apps.forum_permission.shortcuts import ALL_AUTHENTICATED_USERS, assign_perm
    from machina.core.db.models import get_model
    from machina.models.fields import render_func

    Forum = get_model("forum", "Forum")
    Topic = get_model("forum_conversation", "Topic")
    Post = get_model("forum_conversation", "Post")
    ForumProfile = get_model("forum_member", "ForumProfile")
    User = get_user_model()

    with open(path) as data_file:
        data = json.load(data_file)
    call_command("migrate", verbosity=0, interactive=False)

    with transaction.atomic():
        authors = [
            User.objects.create_user(username=f"person{index}", email=f"person{index}@bench.example.org")
            for index in range(data["authors"])
        ]
        reader = User.objects.create_user(username="reader", email="reader@bench.example.org")
        reading = ["can_see_forum", "can_read_forum", "can_download_file"]
        posting = ["can_start_new_topics", "can_reply_to_topics", "can_post_without_approval"]
        for codename in reading + posting:
            assign_perm(codename, AnonymousUser())
        for codename in settings.MACHINA_DEFAULT_AUTHENTICATED_USER_FORUM_PERMISSIONS:
            assign_perm(codename, ALL_AUTHENTICATED_USERS)

        forum = Forum.objects.create(name="Review of the rule of law programme", type=Forum.FORUM_POST)
        posts = data["posts"]
        topic = Topic.objects.create(
            forum=forum,
            poster=authors[posts[0][1]],
            subject=data["subject"],
            type=Topic.TOPIC_POST,
            status=Topic.TOPIC_UNLOCKED,
        )
        rendered = [render_func(text) for text in data["bodies"]]
        reply_subject = f"Re: {data['subject']}"
        Post.objects.bulk_create(
            [
                Post(
                    topic=topic,
                    poster=authors[author],
                    subject=data["subject"] if number == 0 else reply_subject,
                    content=data["bodies"][body],
                    _content_rendered=rendered[body],
                    approved=True,
                )
                for number, (body, author) in enumerate(posts)
            ],
            batch_size=1000,
        )
        # Dates spread as in our room, in insertion order (machina orders posts by date).
        start = datetime.fromisoformat(data["start"])
        with connection.cursor() as cursor:
            table = Post._meta.db_table
            cursor.execute(
                f"UPDATE {table} SET created = %s + ({table}.id - first.id) * %s, updated = %s + ({table}.id - first.id) * %s "
                f"FROM (SELECT MIN(id) AS id FROM {table} WHERE topic_id = %s) first WHERE {table}.topic_id = %s",
                [start, timedelta(minutes=data["minutes"])] * 2 + [topic.pk, topic.pk],
            )
        topic.refresh_from_db()
        topic.update_trackers()
        counts = {author: 0 for author in range(len(authors))}
        for _, author in posts:
            counts[author] += 1
        ForumProfile.objects.bulk_create(
            [ForumProfile(user=user, posts_count=counts.get(index, 0)) for index, user in enumerate([*authors, reader])]
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    topic.refresh_from_db()
    if (
        topic.posts_count != len(posts)
        or topic.first_post_id is None
        or forum.__class__.objects.get().direct_posts_count != len(posts)
    ):
        raise SystemExit(f"machina's trackers disagree: topic {topic.posts_count} posts, expected {len(posts)}")
    client = Client()
    client.force_login(reader)
    url = reverse(
        "forum_conversation:topic",
        kwargs={"forum_slug": forum.slug, "forum_pk": forum.pk, "slug": topic.slug, "pk": topic.pk},
    )
    queries = {}
    for who, visitor in (("anonymous", Client()), ("signed in", client)):
        visitor.get(url)
        with CaptureQueriesContext(connection) as captured:
            visitor.get(url)
        queries[who] = len(captured.captured_queries)
    last_page = math.ceil(topic.posts_count / settings.MACHINA_TOPIC_POSTS_NUMBER_PER_PAGE)
    print(
        json.dumps(
            {
                "topic_url": url,
                "last_page_url": f"{url}?page={last_page}",
                "forum_id": forum.pk,
                "topic_id": topic.pk,
                "author_ids": [author.pk for author in authors],
                "posts": topic.posts_count,
                "queries": queries,
                "session_cookie": [settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value],
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
