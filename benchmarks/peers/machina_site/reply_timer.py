"""Times machina's reply, in machina's own virtualenv, one at a time on request:

    python -m machina_site.reply_timer TOPIC_ID AUTHOR_ID...   (PYTHONPATH=benchmarks/peers)

Prints "ready", then for each line "reply N" on stdin prints the milliseconds
one reply took: Post.objects.create on the topic, which is what machina's
PostForm.save does for a reply (post.save(): the body rendered by its pre_save
receiver, the poster's post count raised, then Topic.update_trackers, which
counts the topic's posts and updates the forum's trackers). The topic and the
poster are loaded first, outside the timed part, as its view loads them."""

import random
import sys
import time

BODY = (
    "Speaking for our network of 40 organisations: we would like the review to look at how civil society "
    "was consulted during the design phase, not only at the results."
)


def main(topic_id, author_ids):
    import django

    django.setup()

    from django.contrib.auth import get_user_model
    from machina.core.db.models import get_model

    Post = get_model("forum_conversation", "Post")
    Topic = get_model("forum_conversation", "Topic")
    User = get_user_model()
    rng = random.Random(20240601)

    print("ready", flush=True)
    for line in sys.stdin:
        index = int(line.split()[1])
        topic = Topic.objects.select_related("forum").get(pk=topic_id)
        poster = User.objects.get(pk=rng.choice(author_ids))
        started = time.perf_counter()
        Post.objects.create(
            topic=topic,
            poster=poster,
            subject=f"Re: {topic.subject}",
            content=f"{BODY}\n\n(reply {index})",
            approved=True,
        )
        print(f"{(time.perf_counter() - started) * 1000:.3f}", flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]), [int(arg) for arg in sys.argv[2:]])
