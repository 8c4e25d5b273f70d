"""Machine translation benchmark: what a translation costs, and that stored
translations cost the room page nothing.

Measures, with Apertium (offline, the default engine): translating one comment
of about 1,000 characters (Spanish to English, directly; English to French,
through Spanish), as the task worker does (shielding names and markup, the
engine run, putting them back); then a room page of 100 Spanish comments, its
queries anonymous and signed in, before and after each comment's translations
are stored, and signed in with the page in French, where each comment offers
its translation.

    python benchmarks/translation.py [--comments 100] [--repeat 5]

DATABASE_URL chooses the server as it does for the site (SQLite by default);
the benchmark uses a database of its own (`bench_translation` on PostgreSQL).
"""

import argparse
import os
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from benchmarks.harness import throwaway_database  # noqa: E402
from benchmarks.room_page import (  # noqa: E402
    build_people,
    build_room,
    count_queries,
    database_version,
    median,
    print_misses,
    print_table,
    setup_django,
    verdict,
)

BENCH_DATABASE_NAME = "bench_translation"
# A translation is made in the worker, not while someone waits; still, a
# worker should keep up with a busy room (a few comments a minute).
TRANSLATE_SECONDS = 5.0

SPANISH = (
    "En nuestro país, el acceso a la justicia para las personas sordas depende de los intérpretes de lengua "
    "de señas, y hay muy pocos. @{handle} lo explicó bien en la reunión de Dakar: sin intérpretes, los "
    "tribunales no pueden escuchar a quien no oye. El programa del PNUD financió una formación de dos años "
    "en tres regiones, y funcionó; pero cuando terminó el proyecto, nadie pagó los salarios. Propongo que el "
    "próximo programa incluya a las asociaciones de personas sordas desde el principio, que el registro civil "
    "reconozca la lengua de señas como lengua oficial y que cada tribunal regional tenga al menos un intérprete "
    "contratado. Las organizaciones de la sociedad civil pueden ayudar a formar a los jueces y a los "
    "funcionarios, y a medir cada año cuántas audiencias se celebraron con intérprete. "
    "Véase también el informe de 2019 sobre el estado civil: https://example.org/informe-2019 ."
)
ENGLISH = (
    "In our country, access to justice for deaf people depends on sign language interpreters, and there are "
    "very few of them. @{handle} explained it well at the Dakar meeting: without interpreters, the courts "
    "cannot hear those who do not hear. The UNDP programme funded two years of training in three regions, "
    "and it worked; but when the project ended, nobody paid the salaries. I propose that the next programme "
    "involve associations of deaf people from the start, that the civil registry recognise sign language as "
    "an official language, and that every regional court have at least one interpreter on its staff. Civil "
    "society organisations can help train judges and clerks, and count every year how many hearings were "
    "held with an interpreter. See also the 2019 report on civil status: https://example.org/report-2019 ."
)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Measure what machine translation of comments costs.")
    parser.add_argument("--comments", type=int, default=100, help="Spanish comments in the room (default 100)")
    parser.add_argument("--repeat", type=int, default=5, help="timed translations of each pair (default 5)")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    args = parser.parse_args(argv)
    if args.comments < 1 or args.repeat < 1:
        parser.error("--comments and --repeat must be at least 1")
    return args


def timed_translation(comment, language):
    from forum.models import CommentTranslation
    from forum.services.translations import translate_comment

    CommentTranslation.objects.filter(comment=comment, language=language).delete()
    started = time.perf_counter()
    result = translate_comment.call(comment.pk, [language])
    seconds = time.perf_counter() - started
    if result["translated"] != [language]:
        raise SystemExit(f"Comment {comment.pk} was not translated into {language}: is Apertium installed?")
    return seconds


def room_queries(client, room, viewer):
    """Queries of the room page, each asked twice and counted the second time
    (the first visit also records it)."""
    from django.test import Client

    url = room.get_absolute_url()
    anonymous, _ = count_queries(Client(), url)
    client.force_login(viewer)
    count_queries(client, url)
    signed_in, _ = count_queries(client, url)
    french = Client(HTTP_ACCEPT_LANGUAGE="fr")
    french.force_login(viewer)
    signed_in_french, page = count_queries(french, url)
    return anonymous, signed_in, signed_in_french, page.content.decode().count("data-translate=")


def run(args):
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from forum import services
    from forum.models import CommentTranslation
    from forum.services.translations import translate_comment

    room, _questions = build_room()
    authors, viewer = build_people(room, 12)
    handle = authors[3].handle

    settings.TRANSLATION_BACKEND = "none"
    spanish = [
        services.post_comment(authors[4 + n % 8], room=room, body=SPANISH.format(handle=handle), language="es")
        for n in range(args.comments)
    ]
    english = services.post_comment(authors[5], room=room, body=ENGLISH.format(handle=handle), language="en")
    settings.TRANSLATION_BACKEND = "forum.machine_translation.apertium.Apertium"
    before = room_queries(Client(), room, viewer)
    print(f"Translating a {len(spanish[0].body_source):,}-character comment {args.repeat} times a pair...", flush=True)
    es_en = [timed_translation(spanish[0], "en") for _ in range(args.repeat)]
    en_fr = [timed_translation(english, "fr") for _ in range(args.repeat)]
    print(f"Translating the room's {args.comments} comments into English and French...", flush=True)
    started = time.perf_counter()
    for comment in spanish:
        translate_comment.call(comment.pk)
    whole_room = time.perf_counter() - started
    stored = CommentTranslation.objects.filter(comment__room=room, status=CommentTranslation.Status.DONE).count()
    after = room_queries(Client(), room, viewer)
    sample = CommentTranslation.objects.get(comment=spanish[0], language="en").body_html

    load = ", ".join(f"{value:.1f}" for value in os.getloadavg()) if hasattr(os, "getloadavg") else "unknown"
    print()
    print(f"Translation benchmark on {connection.display_name} {database_version(connection)}")
    print(f"Machine: {os.cpu_count()} CPUs, load average {load} (1, 5, 15 min)")
    print(f"Medians of {args.repeat}; {stored} translations stored for the room's {args.comments} comments.")
    print()
    rows = [("Measure", "Result", "Target", "")]
    for label, samples in (("Spanish → English", es_en), ("English → French (through Spanish)", en_fr)):
        seconds = median(samples)
        rows.append(
            (
                f"Translate ~1,000 characters, {label}",
                f"{seconds * 1000:.0f} ms",
                f"<= {TRANSLATE_SECONDS:.0f} s",
                verdict(seconds, TRANSLATE_SECONDS),
            )
        )
    rows.append((f"Translate the room's {args.comments} comments into 2 languages", f"{whole_room:.1f} s", "", ""))
    for label, old, new in zip(("anonymous", "signed in", "signed in, in French"), before[:3], after[:3], strict=True):
        rows.append((f"Room page queries, {label}: before → after", f"{old} → {new}", f"= {old}", verdict(new, old)))
    rows.append(("Translations offered on the French page: before → after", f"{before[3]} → {after[3]}", "", ""))
    print_table(rows)
    print()
    print("The English translation of the first comment:")
    print(sample)
    print()
    print_misses(rows)


def main(argv=None):
    args = parse_args(argv)
    setup_django()
    with throwaway_database(BENCH_DATABASE_NAME, keep=args.keep):
        run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
