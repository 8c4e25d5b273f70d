"""Page weight benchmark.

Builds a room of 20 threads with five comments each (100 comments, posted
through forum.services) in a throwaway database of its own, renders the room
page through Django's test client for an anonymous visitor and for a
signed-in participant, and weighs what a browser downloads for it: the HTML
and every stylesheet, script, image and font it references, each compressed
with gzip at level 6 as a web server would. It also counts references to
other hosts that a browser would load (scripts, styles, fonts, images,
frames) and checks that every action on the page is a plain link or form.

    python benchmarks/page_weight.py [--lighthouse] [--keep]

With --lighthouse, and once `npm ci` has been run in benchmarks/lighthouse/,
it also serves the room on 127.0.0.1 and runs Lighthouse with Debian's
chromium for the performance and accessibility scores.

DATABASE_URL chooses the server as it does for the site (SQLite by default).
The benchmark never writes into that database: on PostgreSQL it creates
`bench_page_weight` (dropped first if it exists, and again at the end unless
--keep); on SQLite it uses a temporary file.
"""

import argparse
import gzip
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BENCH_DATABASE_NAME = "bench_page_weight"
LIGHTHOUSE_DIR = Path(__file__).resolve().parent / "lighthouse"
LIGHTHOUSE_BIN = LIGHTHOUSE_DIR / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-background-networking"
LIGHTHOUSE_TIMEOUT_SECONDS = 240

# Target from the acceptance criteria: HTML, CSS and JavaScript, compressed.
WEIGHT_LIMIT_BYTES = 150_000
THREADS = 20
REPLIES_PER_THREAD = 4
GZIP_LEVEL = 6

# Attributes through which a browser loads something by itself.
LOADING_ATTRIBUTES = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "iframe": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "input": ("src",),
}
# <link rel=…> values that make a browser fetch or connect.
LOADING_LINK_RELS = {
    "stylesheet",
    "icon",
    "shortcut",
    "apple-touch-icon",
    "manifest",
    "preload",
    "modulepreload",
    "prefetch",
    "preconnect",
    "dns-prefetch",
    "prerender",
}
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Weigh the room page of a 20-thread room.")
    parser.add_argument(
        "--lighthouse", action="store_true", help="also run Lighthouse (benchmarks/lighthouse/) with Debian's chromium"
    )
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    return parser.parse_args(argv)


def setup_django():
    sys.path.insert(0, str(PROJECT_ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "consultation.settings"
    # Settings refuse to start without a key unless DEBUG is on; this run
    # signs nothing that outlives it.
    os.environ.setdefault("SECRET_KEY", "page-weight-benchmark-throwaway-key")
    # Served over plain HTTP on 127.0.0.1: no redirect to HTTPS, no secure-only cookies.
    os.environ["HTTPS"] = "0"
    import django

    django.setup()

    from django.conf import settings

    # What production sends: DEBUG off.
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver", "127.0.0.1", "localhost"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # The room is posted by a few people within seconds.
    settings.FORUM_RATE_LIMITS = {}
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


# --- The room ----------------------------------------------------------------

PEOPLE = [
    # display name, organisation, speaks for the organisation
    ("Amina Diallo", "Legal Aid Network", False),
    ("Jean Dupont", "", False),
    ("Alvaro Herrero", "Fundación Justicia Abierta", False),
    ("Li Wei", "", False),
    ("Grace Wanjiru", "Kenya Paralegal Alliance", False),
    ("Justice Watch", "Justice Watch", True),
    ("Olga Petrova", "", False),
    ("Kwame Mensah", "West Africa Bar Forum", False),
    ("Lucía Fernández", "", False),
    ("Rahul Mehta", "Centre for Court Data", False),
    ("Chloé Martin", "Avocats Sans Frontières", False),
    ("Tomasz Nowak", "", False),
]

# {0}, {1}: handles of two people of the room; {earlier}: the permalink of an
# earlier comment, which the renderer turns into a reference. A person whose
# account is a day old may put at most three links in a comment.
THREAD_OPENINGS = [
    "Thank you for opening this discussion. In our experience the programme worked best where "
    "local partners set the priorities and the international team stayed in the background. "
    "Where priorities were set in the capital, the projects looked good on paper and were "
    "forgotten within a year of the funding ending.\n\n"
    "We documented this in three provinces: "
    "https://www.example.org/reports/2023/locally-led-justice-reform-lessons-from-three-provinces.pdf",
    "Speaking for our network of 40 organisations: we would like the review to look at how civil "
    "society was consulted during the design phase, not only at the results. Consultation came "
    "late and mostly in English, which kept many grassroots groups out.\n\n"
    "We suggest:\n\n1. earlier consultation, before the budget is fixed\n"
    "2. materials in local languages\n3. a standing advisory group with rotating membership",
    "Two examples from our work that the review should look at:\n\n"
    "- legal aid clinics run by bar associations, which reached people the courts never see\n"
    "- paralegal networks in rural districts, trained over three years\n\n"
    "Both needed at least five years before they ran by themselves. @{0} may have figures "
    "for the clinics.",
    "Merci pour cette consultation. Dans notre région, les tribunaux coutumiers règlent la plupart "
    "des litiges fonciers et familiaux, et le programme les a longtemps ignorés. Nous proposons "
    "que la prochaine phase finance des formations communes pour les chefs coutumiers et les "
    "juges de paix, avec un suivi des décisions rendues.",
    "> the programme should focus on access to justice\n\n"
    "Yes, but access to justice means little without independent courts. Judges who can be "
    "moved at a minister's wish will not rule against the government, however many people "
    "reach their courtroom. The programme should fund judicial councils as well as legal aid.",
    "Gracias por la invitación. En nuestro país el programa apoyó la creación de casas de "
    "justicia en barrios periféricos, y funcionaron bien mientras hubo financiación. Cuando "
    "terminó el proyecto, el municipio no asumió los costes y la mitad cerró. Sugerimos que "
    "cualquier apoyo futuro incluya desde el principio un plan de financiación local.",
    "Could the secretariat say how the *guiding questions* will feed into the final report? "
    "Several of us have submitted written evidence before and never learned whether it was "
    "read. A short note on what happens to these comments would encourage people to take part.",
    "Our court data project found that the median time to a first hearing fell from 14 months "
    "to 9 in the pilot districts, and did not change elsewhere. The method and the data are "
    "public: https://www.example.org/court-data/first-hearing-times\n\n"
    "I would be glad to walk anyone through it. cc @{0}",
    "A point nobody has raised yet: women's access to justice. In the districts we work in, "
    "most women bring disputes to family or religious leaders first, and only a few reach a "
    "court. Legal aid needs to meet them where they are, with female paralegals and "
    "confidential spaces.",
    "I would add that **funding cycles** are too short for institutional reform to take root. "
    "Three-year projects spend the first year recruiting and the last year closing down, "
    "which leaves one year of real work. Ten-year commitments with yearly reviews would "
    "serve reform far better.",
]

REPLIES = [
    "Agreed, and thank you for the report. Did you find the same pattern in urban districts, or only in rural ones?",
    "This matches what we saw. @{0}, your team ran something similar in the north: would you share what worked?",
    "I am not sure I agree. Local priorities can also mean local elites deciding, and the "
    "people who most need legal aid are rarely in the room. Some outside pressure helped in "
    "our case.",
    "See my earlier comment on this, which has the numbers: {earlier}",
    "Thank you, this is useful. Could you say more about how the paralegals were paid once the project ended?",
    "Tout à fait d'accord. Nous avons vu la même chose au Sénégal : sans budget national, les "
    "structures créées par le projet disparaissent.",
    "Exactamente. @{0} lo explicó muy bien en la reunión de Bogotá el año pasado.",
    "Short answer: it depends on the country. Longer answer in our submission, "
    "[available here](https://www.example.org/submission).",
    "Flagging this to @{0} and @{1}, as it relates to the discussion on judicial councils.",
    "Good point. The review team should speak with the bar associations directly; they keep records nobody else has.",
    "We tried mobile clinics for two years: they reached many people, but follow-up was hard "
    "because each visit was months apart.",
    "As a moderator: thank you all, this thread is one of the clearest on the question. We "
    "will quote it in the interim summary.",
]


def build_room(*, threads=THREADS, replies_per_thread=REPLIES_PER_THREAD):
    """A published, open room with guiding questions, two moderators on duty
    and `threads` threads of 1 + `replies_per_thread` comments, posted through
    the services by people with confirmed email addresses. Returns the room
    and its authors."""
    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.utils import timezone

    from accounts.models import User
    from forum import services
    from forum.models import Consultation, Room, RoomModerator

    consultation = Consultation.objects.create(
        title="Review of the rule of law programme",
        slug="rule-of-law-review",
        introduction="We want to hear from you.",
        is_published=True,
    )
    room = Room.objects.create(
        consultation=consultation,
        title="Access to justice",
        slug="access-to-justice",
        introduction="Welcome to this discussion. Over four weeks we ask how people reach justice "
        "in the countries the programme covers, and what should change.\n\n"
        "Please read the guiding questions first, and say which one you answer.",
        objective="Learn what worked, what did not, and why.",
        outcome="A summary of the discussion for the policy report.",
        is_published=True,
        state=Room.State.OPEN,
    )
    questions = services.add_guiding_questions(
        room,
        [
            ("Results", "What has the programme achieved in your country?"),
            ("Results", "What did not work, and why?"),
            ("The future", "What should the next programme focus on?"),
        ],
    )
    authors = []
    for index, (name, organisation, speaks) in enumerate(PEOPLE):
        user = User.objects.create_user(
            email=f"person{index}@bench.example.org",
            password=None,
            display_name=name,
            organisation=organisation,
            speaks_for_organisation=speaks,
        )
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
        authors.append(user)
    today = timezone.localdate()
    for moderator in authors[:2]:
        RoomModerator.objects.create(room=room, user=moderator, starts_on=today)

    def body(template, turn, earlier):
        first = authors[(turn + 3) % len(authors)].handle
        second = authors[(turn + 7) % len(authors)].handle
        return template.format(first, second, earlier=f"{settings.SITE_URL}{earlier.get_absolute_url()}")

    turn = 0
    previous_root = None
    for number in range(threads):
        author = authors[number % len(authors)]
        root = services.post_comment(
            author,
            room=room,
            body=body(THREAD_OPENINGS[number % len(THREAD_OPENINGS)], number, previous_root or room),
            guiding_question=questions[number % len(questions)] if number % 2 == 0 else None,
        )
        comments = [root]
        for reply_index in range(replies_per_thread):
            turn += 1
            # Some replies answer the opening, some continue the latest reply.
            parent = root if reply_index % 2 == 0 else comments[-1]
            replier = authors[(number + reply_index + 1) % len(authors)]
            if replier.pk == parent.author_id:
                replier = authors[(number + reply_index + 2) % len(authors)]
            comments.append(
                services.reply_to_comment(
                    replier,
                    parent=parent,
                    body=body(REPLIES[turn % len(REPLIES)], turn, previous_root or root),
                )
            )
        previous_root = root
    room.refresh_from_db()
    return room, authors


# --- What the page loads ----------------------------------------------------


class PageReferences(HTMLParser):
    """Every URL the page makes a browser load, and the links a person may follow."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.loaded = []  # (what, url)
        self.links = []  # href of <a>
        self.inline_css = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link":
            rels = set((attrs.get("rel") or "").lower().split())
            if rels & LOADING_LINK_RELS and attrs.get("href"):
                self.loaded.append((f"link rel={attrs.get('rel')}", attrs["href"]))
        for name in LOADING_ATTRIBUTES.get(tag, ()):
            value = attrs.get(name)
            if not value:
                continue
            urls = (
                [part.strip().split()[0] for part in value.split(",") if part.strip()] if name == "srcset" else [value]
            )
            self.loaded += [(f"{tag} {name}", url) for url in urls]
        if tag == "a" and attrs.get("href") is not None:
            self.links.append(attrs["href"])
        if attrs.get("style"):
            self.inline_css.append(attrs["style"])
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.inline_css.append(data)


def css_references(css):
    return [match.group(2) or match.group(4) for match in CSS_URL.finditer(css)]


def is_offsite(url):
    """True for a URL on another host; data: and relative URLs are this site's."""
    parts = urlsplit(url.strip())
    if parts.scheme in {"data", "blob"} or not (parts.netloc or url.strip().startswith("//")):
        return False
    return parts.hostname not in {"testserver", "127.0.0.1", "localhost"}


def read_local(client, url):
    """The bytes behind one of the site's URLs: static files as the configured
    storage holds them after collectstatic, anything else through the site."""
    from django.conf import settings
    from django.contrib.staticfiles import finders
    from django.contrib.staticfiles.storage import staticfiles_storage

    path = unquote(urlsplit(url).path)
    if path.startswith(settings.STATIC_URL):
        name = path[len(settings.STATIC_URL) :]
        if staticfiles_storage.exists(name):
            with staticfiles_storage.open(name) as handle:
                return handle.read()
        found = finders.find(name)
        if found:
            return Path(found).read_bytes()
        raise SystemExit(f"The page references {url}, which is not among the static files.")
    response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"The page references {url}, which answers {response.status_code}.")
    return b"".join(response.streaming_content) if response.streaming else response.content


def gzipped_size(data):
    return len(gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0))


def weigh_page(client, url):
    """The page and everything it loads: [(resource, raw, gzipped)], offsite
    references, and the page's links."""
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}")
    html = response.content
    references = PageReferences()
    references.feed(html.decode())
    rows = [(f"{url} (HTML)", len(html), gzipped_size(html))]
    offsite = [(what, ref) for what, ref in references.loaded if is_offsite(ref)]
    offsite += [
        ("inline CSS url()", ref) for css in references.inline_css for ref in css_references(css) if is_offsite(ref)
    ]
    seen = set()
    queue = [urljoin(url, ref) for _, ref in references.loaded if not is_offsite(ref)]
    queue += [
        urljoin(url, ref)
        for css in references.inline_css
        for ref in css_references(css)
        if not is_offsite(ref) and not ref.startswith("data:")
    ]
    while queue:
        asset = queue.pop(0)
        if asset in seen or asset.startswith("data:"):
            continue
        seen.add(asset)
        data = read_local(client, asset)
        rows.append((urlsplit(asset).path, len(data), gzipped_size(data)))
        if urlsplit(asset).path.endswith(".css"):
            # Fonts and images named by a stylesheet load with it.
            for ref in css_references(data.decode()):
                if ref.startswith("data:"):
                    continue
                if is_offsite(ref):
                    offsite.append((f"url() in {urlsplit(asset).path}", ref))
                else:
                    queue.append(urljoin(asset, ref))
    return {"rows": rows, "offsite": offsite, "links": references.links, "html": html.decode()}


def without_javascript(page, room):
    """What on the page would need JavaScript: links that go nowhere without it,
    and the number of reply links that lead to the plain reply page."""
    needs_script = [
        href for href in page["links"] if href.strip() in {"", "#"} or href.strip().lower().startswith("javascript:")
    ]
    reply_prefix = f"{room.get_absolute_url()}reply/"
    reply_links = [href for href in page["links"] if href.startswith(reply_prefix)]
    return needs_script, reply_links


def collect_static(static_root):
    """Run collectstatic into a fresh directory, as a deployment does; with a
    manifest storage the page then names the hashed files."""
    from django.conf import settings
    from django.core.management import call_command

    settings.STATIC_ROOT = static_root
    call_command("collectstatic", interactive=False, verbosity=0)


# --- Lighthouse -------------------------------------------------------------


def lighthouse_unavailable():
    """Why Lighthouse cannot run here, or None."""
    if not LIGHTHOUSE_BIN.exists():
        return f"{LIGHTHOUSE_BIN.relative_to(PROJECT_ROOT)} is missing (run `npm ci` in benchmarks/lighthouse/)"
    if not shutil.which("node"):
        return "node is not installed"
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    return None


def gzip_text(application):
    """Compress text responses the app sends uncompressed, as the web server in
    front of it would. Files whitenoise already sends compressed pass through."""
    compressible = ("text/", "application/javascript", "application/json", "image/svg+xml")

    def compressed(environ, start_response):
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        chunks = application(environ, capture)
        try:
            body = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        headers = captured["headers"]
        names = {name.lower(): value for name, value in headers}
        if (
            "gzip" in environ.get("HTTP_ACCEPT_ENCODING", "")
            and "content-encoding" not in names
            and names.get("content-type", "").startswith(compressible)
            and body
        ):
            body = gzip.compress(body, compresslevel=GZIP_LEVEL)
            headers = [(name, value) for name, value in headers if name.lower() != "content-length"]
            headers += [("Content-Encoding", "gzip"), ("Content-Length", str(len(body)))]
            if "vary" not in names:
                headers.append(("Vary", "Accept-Encoding"))
        start_response(captured["status"], headers)
        return [body]

    return compressed


def start_server():
    """The site on 127.0.0.1 (a free port), in threads of this process, so it
    reads the benchmark database. Returns (base URL, server)."""
    from socketserver import ThreadingMixIn
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    from django.conf import settings
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.wsgi import get_wsgi_application

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    class ThreadingServer(ThreadingMixIn, WSGIServer):
        daemon_threads = True

    application = get_wsgi_application()
    if not any("whitenoise" in name for name in settings.MIDDLEWARE):
        # Without whitenoise the project leaves static files to the web server.
        application = StaticFilesHandler(application)
    server = make_server(
        "127.0.0.1", 0, gzip_text(application), server_class=ThreadingServer, handler_class=QuietHandler
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


def run_lighthouse(url, cookie=None):
    """Lighthouse's performance and accessibility report for `url`, as a dict,
    or a string saying why there is none."""
    command = [
        str(LIGHTHOUSE_BIN),
        url,
        "--only-categories=performance,accessibility",
        "--output=json",
        "--output-path=stdout",
        "--quiet",
        "--throttling-method=simulate",
        "--no-enable-error-reporting",
        f"--chrome-flags={CHROME_FLAGS}",
    ]
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    environment = {**os.environ, "CHROME_PATH": CHROMIUM, "CI": "1", "NO_UPDATE_NOTIFIER": "1"}
    try:
        finished = subprocess.run(
            command,
            cwd=LIGHTHOUSE_DIR,
            env=environment,
            capture_output=True,
            text=True,
            timeout=LIGHTHOUSE_TIMEOUT_SECONDS,
        )
    except subprocess.TimeoutExpired:
        return f"Lighthouse did not finish within {LIGHTHOUSE_TIMEOUT_SECONDS} s"
    if finished.returncode != 0:
        reason = (finished.stderr.strip().splitlines() or [f"exit status {finished.returncode}"])[-1]
        return f"Lighthouse failed: {reason}"
    try:
        report = json.loads(finished.stdout)
    except json.JSONDecodeError:
        return "Lighthouse printed no JSON report"
    if report.get("runtimeError"):
        return f"Lighthouse could not load the page: {report['runtimeError'].get('message')}"
    return report


def summarise_lighthouse(report):
    categories, audits = report["categories"], report["audits"]

    def score(category):
        value = categories[category]["score"]
        return "n/a" if value is None else f"{round(value * 100)}"

    metrics = [
        (audit, audits[audit].get("displayValue", ""))
        for audit in (
            "first-contentful-paint",
            "largest-contentful-paint",
            "total-blocking-time",
            "cumulative-layout-shift",
            "speed-index",
            "total-byte-weight",
        )
        if audit in audits
    ]
    failing = {}
    for audit_ref in categories["accessibility"]["auditRefs"]:
        audit = audits[audit_ref["id"]]
        if audit_ref.get("weight") and audit.get("score") not in (None, 1):
            items = (audit.get("details") or {}).get("items", [])
            failing[audit_ref["id"]] = (
                audit.get("title", ""),
                len(items),
                [item["node"].get("snippet", "") for item in items[:2] if "node" in item],
            )
    return score("performance"), score("accessibility"), metrics, failing


# --- Report -----------------------------------------------------------------


def print_table(rows, aligns):
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(aligns))]
    for row in rows:
        cells = [
            str(cell).rjust(widths[i]) if aligns[i] == ">" else str(cell).ljust(widths[i]) for i, cell in enumerate(row)
        ]
        print("  " + "  ".join(cells).rstrip())


def run(args):
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from accounts.models import User
    from allauth.account.models import EmailAddress
    from forum.models import Comment

    print(
        f"Building the room: {THREADS} threads of {1 + REPLIES_PER_THREAD} comments, posted through forum.services...",
        flush=True,
    )
    room, _authors = build_room()
    reader = User.objects.create_user(email="reader@bench.example.org", password=None, display_name="Visiting Reader")
    EmailAddress.objects.create(user=reader, email=reader.email, primary=True, verified=True)
    visible = Comment.objects.filter(room=room, state=Comment.State.VISIBLE).count()
    languages = sorted(
        {language or "?" for language in Comment.objects.filter(room=room).values_list("language", flat=True)}
    )

    anonymous = Client()
    signed_in = Client()
    signed_in.force_login(reader)
    url = room.get_absolute_url()
    pages = {"anonymous": weigh_page(anonymous, url), "signed in": weigh_page(signed_in, url)}
    drawn = len(re.findall(r'id="comment-\d+"', pages["anonymous"]["html"]))
    if drawn != THREADS * (1 + REPLIES_PER_THREAD):
        raise SystemExit(f"The room page shows {drawn} comments, expected {THREADS * (1 + REPLIES_PER_THREAD)}.")

    storage = settings.STORAGES["staticfiles"]["BACKEND"].rsplit(".", 1)[-1]
    print()
    print(f"Page weight of the room page on {connection.display_name} (database {connection.settings_dict['NAME']})")
    print(
        f"Room: {room.thread_count} threads, {visible} visible comments (languages: {', '.join(languages)}), "
        f"all {drawn} drawn; static files from {storage} after collectstatic."
    )
    print(f"Sizes are response bodies; compressed = gzip level {GZIP_LEVEL} of each body.")
    verdicts = []
    for who, page in pages.items():
        print()
        print(f"Room page, {who}:")
        total_raw = sum(row[1] for row in page["rows"])
        total_gzip = sum(row[2] for row in page["rows"])
        rows = [("Resource", "Raw bytes", "Compressed")]
        rows += [(name, f"{raw:,}", f"{packed:,}") for name, raw, packed in page["rows"]]
        rows.append(("Total", f"{total_raw:,}", f"{total_gzip:,}"))
        print_table(rows, "<>>")
        verdict = "PASS" if total_gzip <= WEIGHT_LIMIT_BYTES else "MISS"
        verdicts.append(verdict)
        print(
            f"  Compressed total {total_gzip:,} bytes ({total_gzip / 1000:.1f} KB) vs target "
            f"<= {WEIGHT_LIMIT_BYTES / 1000:.0f} KB: {verdict}"
        )
        print(
            f"  References to other hosts that the browser would load: {len(page['offsite'])} "
            f"(target 0: {'PASS' if not page['offsite'] else 'MISS'})"
        )
        verdicts.append("PASS" if not page["offsite"] else "MISS")
        for what, ref in page["offsite"]:
            print(f"    {what}: {ref}")
        needs_script, reply_links = without_javascript(page, room)
        offsite_links = sum(1 for href in page["links"] if is_offsite(href))
        print(f"  Links to other sites in comment bodies (followed only when clicked, not loaded): {offsite_links}")
        print(
            f"  Links that need JavaScript (href '#', empty or javascript:): {len(needs_script)} "
            f"(target 0: {'PASS' if not needs_script else 'MISS'}); "
            f"reply links to the plain reply page: {len(reply_links)}"
        )
        verdicts.append("PASS" if not needs_script else "MISS")

    print()
    if not args.lighthouse:
        print("Lighthouse: not run (pass --lighthouse).")
    elif reason := lighthouse_unavailable():
        print(f"Lighthouse: cannot run here: {reason}.")
    else:
        base, server = start_server()
        # Chromium asks for /favicon.ico, which the site does not have; the 404
        # would be logged as a warning in the middle of the report.
        request_log = logging.getLogger("django.request")
        request_log_level = request_log.level
        request_log.setLevel(logging.ERROR)
        try:
            session = f"{settings.SESSION_COOKIE_NAME}={signed_in.cookies[settings.SESSION_COOKIE_NAME].value}"
            for who, cookie in (("anonymous", None), ("signed in", session)):
                print(
                    f"Running Lighthouse on {base}{url}, {who} (chromium {CHROMIUM}, simulated throttling)...",
                    flush=True,
                )
                report = run_lighthouse(base + url, cookie)
                if isinstance(report, str):
                    print(f"Lighthouse: cannot run here: {report}.")
                    break
                performance, accessibility, metrics, failing = summarise_lighthouse(report)
                print(
                    f"  Lighthouse {report.get('lighthouseVersion')}, {who}: performance {performance}, "
                    f"accessibility {accessibility}"
                )
                print("  " + "; ".join(f"{name} {value}" for name, value in metrics))
                for audit, (title, count, snippets) in sorted(failing.items()):
                    print(f"  Accessibility audit not passed: {audit} ({title}): {count} element(s), e.g.")
                    for snippet in snippets:
                        print(f"    {snippet[:160]}")
        finally:
            server.shutdown()
            server.server_close()
            request_log.setLevel(request_log_level)

    print()
    misses = verdicts.count("MISS")
    print(f"MISS: {misses} target(s) missed." if misses else "All targets met.")


def main(argv=None):
    args = parse_args(argv)
    setup_django()

    from benchmarks.harness import throwaway_database

    with throwaway_database(BENCH_DATABASE_NAME, keep=args.keep) as temporary_dir:
        collect_static(os.path.join(temporary_dir, "static"))
        run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
