"""Consultation benchmark: search, summaries and exports at 100,000 comments.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python benchmarks/consultation.py

Builds a consultation of 100,000 comments (8 rooms of 12,500 comments in 600
threads each, replies down to level 8, planned by room_page.py's builder) in a
throwaway database of its own, then measures through Django's test client:

- search: median and p95 server time of 50 searches of varied words across
  the site, and of the same 50 within one room;
- the summary pages of the consultation and of one room, signed in as staff;
- exports of all 100,000 rows (the consultation's CSV for the report, the
  staff moderation CSV, and the report as JSON): time, and the peak memory of
  a fresh process that serves each one.

Like room_page.py it reads DATABASE_URL only to choose the server: on
PostgreSQL it creates `bench_consultation` (dropped first if it exists, and
again at the end unless --keep); on SQLite it uses a temporary file. The search
target is for PostgreSQL; SQLite's search is a plain scan, measured all the same.
"""

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from benchmarks import room_page  # noqa: E402
from benchmarks.harness import throwaway_database  # noqa: E402

BENCH_DATABASE_NAME = "bench_consultation"

# Targets from the acceptance criteria.
SEARCH_MEDIAN_MS = 100.0
SUMMARY_MS = 500.0
EXPORT_PEAK_MB = 150.0

ROOMS = [
    ("Access to justice", "access-to-justice"),
    ("Independent courts", "independent-courts"),
    ("Legal aid and paralegals", "legal-aid"),
    ("Human rights defenders", "human-rights-defenders"),
    ("Anti-corruption institutions", "anti-corruption"),
    ("Elections and civic space", "civic-space"),
    ("Women's access to justice", "women-justice"),
    ("The next programme", "next-programme"),
]
QUESTIONS = [
    ("Results", "What has the programme achieved in your country?"),
    ("Results", "What did not work, and why?"),
    ("The future", "What should the next programme focus on?"),
    ("The future", "Who should the programme work with?"),
]

# Sentences people write, by language; bodies are drawn from them.
SENTENCES = {
    "en": [
        "In our experience the programme works best where local partners set the priorities.",
        "Funding cycles are too short for institutional reform to take root.",
        "Legal aid clinics run by bar associations reached thousands of people in rural districts.",
        "Paralegal networks need at least five years of support before they stand on their own.",
        "Access to justice means little without independent courts and a functioning registry.",
        "Could the secretariat say how the guiding questions will feed into the final report?",
        "Civil society was consulted late in the design phase, and mostly in English.",
        "Customary courts play a central role in our region and should be part of the review.",
        "Corruption in land registries keeps women from inheriting property.",
        "We trained two hundred judges on gender-sensitive procedures last year.",
        "Human rights defenders face harassment when they document police abuse.",
        "Election observers from our coalition reported intimidation at polling stations.",
        "The anti-corruption commission lacks the budget to investigate senior officials.",
        "Mobile courts brought hearings to refugee camps for the first time.",
        "Detention conditions improved after the ombudsman started unannounced visits.",
        "Our survey of court users found that delays are the main complaint.",
        "Translation of court documents into local languages made a real difference.",
        "Community mediation resolved most disputes before they reached a tribunal.",
        "Digital case management cut the backlog by a third in the capital.",
        "Donors should coordinate rather than fund competing pilot projects.",
    ],
    "es": [
        "En nuestra experiencia, el programa funciona mejor cuando los socios locales fijan las prioridades.",
        "Los tribunales necesitan independencia presupuestaria para resistir la presión política.",
        "Las clínicas jurídicas gratuitas atendieron a miles de personas en zonas rurales.",
        "La corrupción en los registros de la propiedad perjudica sobre todo a las mujeres.",
        "Los defensores de derechos humanos sufren amenazas cuando denuncian abusos policiales.",
        "La mediación comunitaria resolvió muchos conflictos antes de llegar a los juzgados.",
        "Proponemos consultas más tempranas y materiales en lenguas indígenas.",
        "Los observadores electorales de nuestra red documentaron intimidación en las mesas.",
        "La comisión anticorrupción carece de recursos para investigar a altos funcionarios.",
        "Los juzgados móviles llevaron audiencias a comunidades aisladas por primera vez.",
        "La formación de jueces en perspectiva de género debe continuar.",
        "Las demoras procesales son la queja principal de quienes acuden a la justicia.",
    ],
    "fr": [
        "Dans notre région, les tribunaux coutumiers jouent un rôle central.",
        "Les cliniques juridiques ont accueilli des milliers de personnes dans les zones rurales.",
        "L'indépendance des juges suppose un budget propre et des nominations transparentes.",
        "Les défenseurs des droits humains subissent des pressions lorsqu'ils dénoncent la torture.",
        "La corruption dans les registres fonciers prive les femmes de leur héritage.",
        "La médiation communautaire a réglé la plupart des litiges avant le tribunal.",
        "Nous proposons une consultation plus précoce et des documents en langues locales.",
        "Les observateurs électoraux de notre réseau ont signalé des intimidations.",
        "Les audiences foraines ont rapproché la justice des populations déplacées.",
        "La numérisation des dossiers a réduit les délais de moitié dans la capitale.",
        "Les bailleurs devraient se coordonner plutôt que de financer des projets concurrents.",
        "Les conditions de détention se sont améliorées après les visites du médiateur.",
    ],
}
LANGUAGE_SHARES = [("en", 0.6), ("es", 0.2), ("fr", 0.2)]
DISTINCT_BODIES = 3_000

FIRST_NAMES = [
    "Amina",
    "Jean",
    "Alvaro",
    "Li",
    "Fatima",
    "Olga",
    "Kwame",
    "Sofia",
    "Rahul",
    "Ana",
    "Tomasz",
    "Grace",
    "Hassan",
    "Emma",
    "Nguyen",
    "Lucia",
    "Yuki",
    "Chloe",
    "Mateo",
    "Aïcha",
    "Pedro",
    "Ingrid",
    "Samuel",
    "Mariam",
]
LAST_NAMES = [
    "Diallo",
    "Dupont",
    "Herrero",
    "Wei",
    "Zahra",
    "Petrova",
    "Mensah",
    "Rossi",
    "Mehta",
    "Lima",
    "Nowak",
    "Wanjiru",
    "Ali",
    "Schmidt",
    "Van An",
    "Fernández",
    "Tanaka",
    "Martin",
    "Gómez",
    "Traoré",
    "Okafor",
    "Lindqvist",
]
ORGANISATIONS = [
    "Legal Aid Network",
    "Justice Watch",
    "Fundación Justicia y Paz",
    "Avocats Sans Frontières Sahel",
    "Women Lawyers Association",
    "Transparency Coalition",
    "Red de Defensoras",
    "Observatoire des prisons",
    "Rural Paralegal Trust",
    "Bar Association of the Capital",
]
COUNTRIES = ["KE", "SN", "CO", "GT", "FR", "ES", "IN", "NG", "UA", "PH", "ML", "BR", "TN", "DE", "MX", "CD"]

# Fifty searches: single words in each language, names, organisations,
# phrases, rare words and one that matches nothing.
SEARCHES = [
    "justice",
    "courts",
    "corruption",
    "paralegal",
    "mediation",
    "judges",
    "registry",
    "detention",
    "election observers",
    "intimidation",
    "women property",
    "donors coordinate",
    "backlog",
    "refugee camps",
    "customary courts",
    "bar associations",
    "translation",
    "ombudsman",
    "survey delays",
    "budget",
    "tribunales",
    "corrupción",
    "mujeres",
    "defensores",
    "mediación comunitaria",
    "jueces género",
    "juzgados móviles",
    "lenguas indígenas",
    "demoras",
    "comisión anticorrupción",
    "tribunaux",
    "juges",
    "torture",
    "médiation",
    "héritage femmes",
    "audiences foraines",
    "numérisation",
    "bailleurs",
    "détention",
    "observateurs",
    "Diallo",
    "Herrero",
    "Okafor Mensah",
    "Justice Watch",
    "Legal Aid Network",
    "Transparency",
    "access to justice",
    "independent courts registry",
    "quasiquantum",
    "reform institutional",
]
SEARCH_ROOM_INDEX = 2


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Search, summaries and exports at 100,000 comments.")
    parser.add_argument("--rooms", type=int, default=8, help=f"rooms (default 8, at most {len(ROOMS)})")
    parser.add_argument("--comments-per-room", type=int, default=12_500, help="comments in each room (default 12500)")
    parser.add_argument("--threads-per-room", type=int, default=600, help="threads in each room (default 600)")
    parser.add_argument("--people", type=int, default=400, help="authors (default 400)")
    parser.add_argument("--summary-repeat", type=int, default=10, help="timed requests per summary page (default 10)")
    parser.add_argument("--seed", type=int, default=20240601, help="seed for the consultation's shape")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    # Internal: the fresh process that serves one export and reports on it.
    parser.add_argument("--serve-export", nargs=3, metavar=("DATABASE", "USER_ID", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not 1 <= args.rooms <= len(ROOMS):
        parser.error(f"--rooms must be between 1 and {len(ROOMS)}")
    if args.threads_per_room < 1 or args.comments_per_room < args.threads_per_room:
        parser.error("--comments-per-room must be at least --threads-per-room, and that at least 1")
    if args.people < 10 or args.summary_repeat < 1:
        parser.error("--people must be at least 10 and --summary-repeat at least 1")
    return args


# --- Building ----------------------------------------------------------------------


def make_bodies(rng):
    """DISTINCT_BODIES texts as (source, html, render version, language), each rendered once by forum.rendering."""
    from forum.rendering import render_comment_body

    languages = [code for code, _ in LANGUAGE_SHARES]
    weights = [share for _, share in LANGUAGE_SHARES]
    bodies = []
    for _ in range(DISTINCT_BODIES):
        language = rng.choices(languages, weights)[0]
        sentences = rng.sample(SENTENCES[language], rng.randint(1, 4))
        shape = rng.random()
        if shape < 0.15 and len(sentences) > 2:
            source = sentences[0] + "\n\n" + "\n".join(f"- {s}" for s in sentences[1:])
        elif shape < 0.25:
            source = f"**{sentences[0]}** " + " ".join(sentences[1:])
        elif shape < 0.3:
            source = " ".join(sentences) + " https://www.example.org/reports/2025/country-findings.pdf"
        elif shape < 0.4 and len(sentences) > 1:
            source = f"> {sentences[0]}\n\n" + " ".join(sentences[1:])
        else:
            source = " ".join(sentences)
        rendered = render_comment_body(source)
        bodies.append((source, rendered.html, rendered.version, language))
    return bodies


def build_people(rng, count):
    from allauth.account.models import EmailAddress

    from accounts.models import User

    consents = (
        [User.QuotingConsent.BY_NAME] * 16 + [User.QuotingConsent.ANONYMOUSLY] * 3 + [User.QuotingConsent.NOT_AT_ALL]
    )
    people = []
    for index in range(count):
        organisation = rng.choice(ORGANISATIONS) if rng.random() < 0.4 else ""
        speaks_for = bool(organisation) and index % 10 == 0
        name = organisation if speaks_for else f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        people.append(
            User.objects.create_user(
                email=f"person{index}@consultation-bench.example.org",
                password=None,
                display_name=name,
                organisation=organisation,
                speaks_for_organisation=speaks_for,
                country=rng.choice(COUNTRIES),
                quoting_consent=rng.choice(consents),
            )
        )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=person, email=person.email, primary=True, verified=True) for person in people
    )
    staff = User.objects.create_user(
        email="staff@consultation-bench.example.org", password=None, display_name="Sam Staff", is_staff=True
    )
    return people, staff


def build_consultation(args):
    from django.utils import timezone

    from forum.models import Consultation, Room
    from forum.services import add_guiding_questions

    consultation = Consultation.objects.create(
        title="Global review of the rule of law and human rights programme",
        slug="rule-of-law-global-review",
        introduction="We want to hear from you.",
        is_published=True,
    )
    rooms, questions = [], {}
    for position, (title, slug) in enumerate(ROOMS[: args.rooms]):
        room = Room.objects.create(
            consultation=consultation,
            title=title,
            slug=slug,
            position=position,
            is_published=True,
            introduction="Welcome to this discussion.",
            state=Room.State.OPEN,
        )
        rooms.append(room)
        questions[room.pk] = add_guiding_questions(room, QUESTIONS)
    return consultation, rooms, questions, timezone.localdate()


def assign_moderators(rooms, people, today):
    from forum.models import RoomModerator

    for index, room in enumerate(rooms):
        for moderator in people[2 * index : 2 * index + 2]:
            RoomModerator.objects.create(room=room, user=moderator, starts_on=today - timedelta(days=60))


def insert_room(rng, room, roots, people, questions, bodies):
    """Bulk insert one room level by level, so every parent has its id before its children."""
    from django.db.models import Max

    from forum.models import Comment

    first_tree_id = (Comment.objects.aggregate(top=Max("tree_id"))["top"] or 0) + 1
    by_level = {}
    for root in roots:
        for node in room_page.walk(root):
            by_level.setdefault(node.level, []).append(node)
    for level in sorted(by_level):
        objects = []
        for node in by_level[level]:
            source, body_html, version, language = bodies[rng.randrange(len(bodies))]
            roll = rng.random()
            state = "visible"
            if level:
                state = "hidden" if roll < 0.01 else "deleted" if roll < 0.02 else "visible"
            node.obj = Comment(
                room=room,
                parent=node.parent.obj if node.parent else None,
                author=people[node.author_index],
                thread_number=node.thread if level == 0 else None,
                body_source=source,
                body_html=body_html,
                render_version=version,
                language=language,
                guiding_question=rng.choice(questions) if level == 0 and rng.random() < 0.6 else None,
                state=state,
                hidden_reason="Off topic." if state == "hidden" else "",
                is_highlighted=state == "visible" and rng.random() < 0.01,
                created_at=node.created_at,
                tree_id=first_tree_id + node.thread - 1,
                lft=node.lft,
                rght=node.rght,
                level=level,
            )
            objects.append(node.obj)
        Comment.objects.bulk_create(objects, batch_size=1000)
        if any(obj.pk is None for obj in objects):
            # Backends that cannot return ids from a bulk insert: read them back.
            ids = {
                (tree_id, lft): pk
                for pk, tree_id, lft in Comment.objects.filter(room=room, level=level).values_list(
                    "pk", "tree_id", "lft"
                )
            }
            for obj in objects:
                obj.pk = obj.id = ids[(obj.tree_id, obj.lft)]
    return first_tree_id


def add_reports(rng, rooms, people, count):
    from forum.models import Comment, Report

    ids = list(Comment.objects.filter(room__in=rooms).values_list("pk", flat=True))
    pairs = {(rng.choice(ids), rng.randrange(len(people))) for _ in range(count)}
    Report.objects.bulk_create(
        Report(comment_id=comment_id, reporter=people[person], reason=rng.choice(Report.Reason.values))
        for comment_id, person in pairs
    )


def build(args, rng):
    from django.db import transaction
    from django.db.models import Max
    from django.utils import timezone

    from forum.models import Comment, Room
    from forum.services.summaries import write_summary

    started = time.perf_counter()
    bodies = make_bodies(rng)
    people, staff = build_people(rng, args.people)
    consultation, rooms, questions, today = build_consultation(args)
    assign_moderators(rooms, people, today)
    print(
        f"Rendered {len(bodies)} distinct bodies and made {len(people)} people in "
        f"{time.perf_counter() - started:.1f} s; inserting the comments...",
        flush=True,
    )
    for room in rooms:
        roots = room_page.plan_room(
            rng,
            threads=args.threads_per_room,
            comments=args.comments_per_room,
            max_depth=8,
            authors=len(people),
            start=timezone.now() - timedelta(days=90),
        )
        latest = max(node.created_at for root in roots for node in room_page.walk(root))
        shift = max(timedelta(0), latest - (timezone.now() - timedelta(hours=1)))
        for root in roots:
            for node in room_page.walk(root):
                node.created_at -= shift
        with transaction.atomic():
            first_tree_id = insert_room(rng, room, roots, people, questions[room.pk], bodies)
            comments = Comment.objects.filter(room=room)
            Room.objects.filter(pk=room.pk).update(
                thread_count=args.threads_per_room,
                comment_count=comments.filter(state=Comment.State.VISIBLE).count(),
                last_activity_at=comments.aggregate(last=Max("created_at"))["last"],
            )
        room_page.check_tree(room, [first_tree_id, first_tree_id + len(roots) - 1])
        print(
            f"  {room.title}: {comments.count()} comments, tree checked ({time.perf_counter() - started:.0f} s so far)",
            flush=True,
        )
    add_reports(rng, rooms, people, 300)
    # One room has a final summary, so the pages draw one.
    write_summary(
        staff,
        room=rooms[0],
        kind="final",
        period_start=today - timedelta(days=90),
        period_end=today - timedelta(days=1),
        body="Participants asked for longer funding cycles and more legal aid in rural areas.",
    )
    total = Comment.objects.filter(room__consultation=consultation).count()
    analyze()
    print(
        f"Built the consultation in {time.perf_counter() - started:.1f} s: {total} comments in {len(rooms)} rooms.",
        flush=True,
    )
    for room in rooms:
        room.refresh_from_db()
    return consultation, rooms, staff, total


def analyze():
    """Planner statistics, as a database that grew over weeks has them (autovacuum
    keeps them); after a bulk load there are none until it catches up, and plans
    made without them can be a hundred times slower."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- Measuring -----------------------------------------------------------------------


def timed_get(client, url):
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}")
    return elapsed, response


def query_count(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return len(captured.captured_queries)


def measure_searches(client, room):
    from urllib.parse import urlencode

    figures = {}
    for scope, extra in (("site", {}), ("room", {"room": room.pk})):
        urls = [f"/search/?{urlencode({'q': words, **extra})}" for words in SEARCHES]
        client.get(urls[0])  # warm-up, not counted
        samples, found = [], 0
        for url in urls:
            elapsed, response = timed_get(client, url)
            samples.append(elapsed)
            found += 'class="search-result"' in response.content.decode()
        figures[scope] = {"samples": samples, "found": found, "queries": query_count(client, urls[0])}
    return figures


def measure_page(client, url, repeat):
    client.get(url)  # warm-up, not counted
    samples = [timed_get(client, url)[0] for _ in range(repeat)]
    return {"samples": samples, "queries": query_count(client, url)}


def measure_export(database_name, staff, path):
    """Serve one export in a fresh process, as an app worker would, and read its report."""
    result = subprocess.run(
        [sys.executable, __file__, "--serve-export", database_name, str(staff.pk), path],
        capture_output=True, text=True, timeout=1800, cwd=PROJECT_ROOT,
    )  # fmt: skip
    if result.returncode != 0:
        raise SystemExit(f"The export of {path} failed:\n{result.stdout}\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _status_kb(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return None


def serve_export(database_name, user_id, path):
    """In the fresh process: GET the export as staff and read it to the end
    without keeping it; print time, size, rows and memory as JSON."""
    from django.conf import settings
    from django.test import Client

    settings.DATABASES["default"]["NAME"] = database_name
    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(pk=user_id))
    client.get("/")  # loads templates and URLs: what any worker holds before the export
    before_kb = _status_kb("VmRSS")
    try:
        # Resets the peak (VmHWM) to the current size, so the peak below is the export's.
        Path("/proc/self/clear_refs").write_text("5")
        reset = True
    except OSError:
        reset = False
    marker = f"{settings.SITE_URL}/comment/".encode()
    rows = size = 0
    tail = b""
    started = time.perf_counter()
    response = client.get(path)
    if response.status_code != 200 or not response.streaming:
        raise SystemExit(f"GET {path} answered {response.status_code}, streaming={response.streaming}")
    for piece in response.streaming_content:
        size += len(piece)
        # Each row holds exactly one permalink. The tail, too short to hold a
        # whole one, catches a permalink split between two pieces.
        window = tail + piece
        rows += window.count(marker)
        tail = window[-(len(marker) - 1) :]
    response.close()
    seconds = time.perf_counter() - started
    peak_kb = _status_kb("VmHWM") if reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "seconds": seconds,
                "bytes": size,
                "rows": rows,
                "before_kb": before_kb,
                "peak_kb": peak_kb,
                "process_peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            }
        )
    )


# --- Report -----------------------------------------------------------------------


def median(samples):
    return statistics.median(samples)


def row_for(name, samples, target=None):
    value = median(samples)
    rows = [
        (
            f"{name}: median",
            f"{value:.1f} ms",
            f"<= {target:.0f} ms" if target else "",
            room_page.verdict(value, target) if target else "",
        )
    ]
    rows.append((f"{name}: p95", f"{room_page.p95(samples):.1f} ms", "", ""))
    return rows


def run(args):
    from django.db import connection
    from django.test import Client

    from forum import exports

    rng = random.Random(args.seed)
    consultation, rooms, staff, total = build(args, rng)
    database_name = connection.settings_dict["NAME"]
    anonymous, signed_in = Client(), Client()
    signed_in.force_login(staff)

    print(f"Measuring {len(SEARCHES)} searches across the site and {len(SEARCHES)} within a room...", flush=True)
    search_room = rooms[min(SEARCH_ROOM_INDEX, len(rooms) - 1)]
    searches = measure_searches(anonymous, search_room)
    summary_room = rooms[0]
    pages = {}
    for label, url in (
        ("Consultation summary", f"/c/{consultation.slug}/summary/"),
        ("Room summary", f"/c/{consultation.slug}/{summary_room.slug}/summary/"),
    ):
        print(f"Measuring {label.lower()} ({url}), staff: {args.summary_repeat} requests...", flush=True)
        pages[label] = measure_page(signed_in, url, args.summary_repeat)

    export_results = {}
    connection.close()
    for label, url in (
        ("Export CSV, for the report", f"/c/{consultation.slug}/export.csv"),
        ("Export CSV, moderation (staff)", f"/c/{consultation.slug}/export.csv?for={exports.FOR_MODERATION}"),
        ("Export JSON, for the report", f"/c/{consultation.slug}/export.json"),
    ):
        print(f"Measuring {label.lower()} ({url}) in a fresh process...", flush=True)
        export_results[label] = measure_export(database_name, staff, url)

    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print()
    print(
        f"Consultation benchmark on {connection.display_name} {room_page.database_version(connection)} "
        f"(database {database_name})"
    )
    print(f"Machine: {os.cpu_count()} CPUs, load average {load} (1, 5, 15 min)")
    print(
        f"Consultation: {total} comments in {len(rooms)} rooms of {args.threads_per_room} threads, "
        f"{args.people} authors; timings through Django's test client after one warm-up request."
    )
    if connection.vendor != "postgresql":
        print("Note: SQLite searches by scanning every comment; the search target is for PostgreSQL.")
    print()
    rows = [("Measure", "Result", "Target", "")]
    search_target = SEARCH_MEDIAN_MS if connection.vendor == "postgresql" else None
    for scope, label in (("site", "Search, whole site"), ("room", f"Search, one room ({search_room.title})")):
        figure = searches[scope]
        rows += row_for(f"{label}, {len(SEARCHES)} queries", figure["samples"], search_target)
        rows.append((f"{label}: queries found something", f"{figure['found']} of {len(SEARCHES)}", "", ""))
        rows.append((f"{label}: SQL queries per search", figure["queries"], "", ""))
    for label, figure in pages.items():
        rows += row_for(label, figure["samples"], SUMMARY_MS)
        rows.append((f"{label}: SQL queries", figure["queries"], "", ""))
    for label, figure in export_results.items():
        peak_mb = figure["peak_kb"] / 1024
        rows += [
            (f"{label}: time", f"{figure['seconds']:.1f} s", "", ""),
            (f"{label}: rows", figure["rows"], f"= {total}", "PASS" if figure["rows"] == total else "MISS"),
            (f"{label}: size", f"{figure['bytes'] / 1024 / 1024:.1f} MB", "", ""),
            (
                f"{label}: peak memory of the process",
                f"{peak_mb:.0f} MB",
                f"< {EXPORT_PEAK_MB:.0f} MB",
                "PASS" if peak_mb < EXPORT_PEAK_MB else "MISS",
            ),
            (
                f"{label}: growth during the export",
                f"{(figure['peak_kb'] - figure['before_kb']) / 1024:.0f} MB",
                "",
                "",
            ),
        ]
    room_page.print_table(rows)
    print()
    print(
        "Peak memory is the resident size (VmHWM) of a fresh Python process with Django loaded that serves "
        "the export through the test client and reads it to the end without keeping it; growth is that peak "
        "less its size just before the request."
    )
    room_page.print_misses(rows)


def main(argv=None):
    args = parse_args(argv)
    room_page.setup_django()
    if args.serve_export:
        database_name, user_id, path = args.serve_export
        serve_export(database_name, int(user_id), path)
        return 0

    with throwaway_database(BENCH_DATABASE_NAME, keep=args.keep):
        run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
