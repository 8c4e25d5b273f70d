"""Fault checks: what the site acknowledges and what it stores when things break.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        python benchmarks/faults.py [--scenarios A B C] [--no-outage]

A. PostgreSQL stopped and started under a load of posts. gunicorn (2 workers,
   gunicorn.conf.py, DEBUG off) serves the site on 127.0.0.1; 4 signed-in
   people post comments for up to --seconds while, after --outage-after
   seconds, PostgreSQL is stopped (pg_ctlcluster ... stop -m fast) for
   --outage-seconds and started again. Every answer is recorded. Then: every
   comment answered 302 (posted) is in the database, answers during the outage
   are 503 with the friendly page (never 500), posts succeed again after it
   without restarting gunicorn, and a few malformed requests get a 4xx from
   the real server. --no-outage runs all of it but leaves PostgreSQL alone:
   STOPPING POSTGRESQL STOPS IT FOR EVERYONE ON THE MACHINE.
B. The mail server down: a comment mentioning someone is posted while
   EMAIL_PORT points where nothing listens. The comment is stored and the
   email waits; a small SMTP server is started there, and once the retry is
   due (a minute after the comment) `send_pending_emails` sends it, once.
C. A storm: 200 replies into one thread from 8 processes at once. All are
   stored, and `check_trees` finds the tree sound and equal to a rebuild.
D. Redis stopped, then frozen, under a load of posts and reads. gunicorn as in
   A, with a redis-server of the script's own (a free port, nothing saved) for
   its cache, and a posting limit high enough never to refuse, so that it is
   counted. After --redis-outage-after seconds Redis is stopped for
   --redis-outage-seconds and started again (empty); as long again later it is
   frozen (SIGSTOP) as long, then resumed. Every post answered 302 is stored,
   no answer is a 500, posts go on during both faults, no answer waits more
   than about a second, a fresh log-in works during each fault, /healthz says
   "degraded: cache" then, and everyone is still signed in at the end.

Everything runs in a throwaway database, `faults_check`, on the server that
DATABASE_URL names (it must be PostgreSQL; the database named there is only
used to create and drop `faults_check`), with Redis database 9 for gunicorn's
cache (D: a redis-server of its own). The database is dropped at the end, even after an error,
unless --keep; PostgreSQL is started again if the script stopped it. The exit
status is 1 when a check failed.
"""

import argparse
import http.client
import os
import re
import secrets
import shutil
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from benchmarks.harness import collect_static  # noqa: E402
from benchmarks.outages import PrivateRedis, free_port, stop_process  # noqa: E402

DATABASE_NAME = "faults_check"
REDIS_URL = "redis://127.0.0.1:6379/9"
PASSWORD = "faults-check-password"
FRIENDLY_503 = "Back in a moment"
MARKER = re.compile(r"fault-\d+-\d+-[0-9a-f]{8}")

STORM_PROCESSES = 8
STORM_REPLIES = 200
STORM_SECONDS = 120


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Fault checks: outage, mail server down, reply storm.")
    parser.add_argument(
        "--scenarios",
        nargs="+",
        choices=["A", "B", "C", "D"],
        default=["A", "B", "C", "D"],
        type=str.upper,
        help="which scenarios to run (default all)",
    )
    parser.add_argument(
        "--no-outage", action="store_true", help="scenario A without stopping PostgreSQL (for a machine others use)"
    )
    parser.add_argument("--seconds", type=float, default=40, help="length of A's load (default 40)")
    parser.add_argument("--threads", type=int, default=4, help="people posting at once in A (default 4)")
    parser.add_argument("--posts", type=int, default=3000, help="most posts A sends in all (default 3000)")
    parser.add_argument("--outage-after", type=float, default=12, help="seconds of load before the outage")
    parser.add_argument("--outage-seconds", type=float, default=5, help="how long PostgreSQL is down (default 5)")
    parser.add_argument("--cluster", default="main", help="the pg_ctlcluster cluster name (default main)")
    parser.add_argument("--redis-outage-after", type=float, default=6, help="D: seconds of load before Redis stops")
    parser.add_argument(
        "--redis-outage-seconds", type=float, default=6, help="D: how long Redis is stopped, then frozen (default 6)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the faults_check database afterwards")
    args = parser.parse_args(argv)
    if args.outage_after + args.outage_seconds + 5 > args.seconds:
        parser.error("--seconds must leave at least 5 seconds of load after the outage")
    if args.threads < 1 or args.posts < 1:
        parser.error("--threads and --posts must be at least 1")
    return args


# --- Reporting -----------------------------------------------------------------


class Report:
    """PASS/FAIL lines, kept for the summary and the exit status."""

    def __init__(self):
        self.failures = []

    def check(self, ok: bool, what: str):
        print(f"  {'PASS' if ok else 'FAIL'}  {what}", flush=True)
        if not ok:
            self.failures.append(what)

    @staticmethod
    def say(text: str):
        print(text, flush=True)


# --- Django in this process ------------------------------------------------------


def setup_django(secret_key: str):
    sys.path.insert(0, str(PROJECT_ROOT))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "consultation.settings",
            "SECRET_KEY": secret_key,
            "DEBUG": "0",
            "HTTPS": "0",
            "ALLOWED_HOSTS": "127.0.0.1,testserver",
            "REDIS_URL": REDIS_URL,
        }
    )
    import django

    django.setup()
    from django.conf import settings

    # This process posts for scenarios B and C; the limits are not what is tested.
    settings.FORUM_RATE_LIMITS = {}
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def database_url(name: str) -> str:
    from django.db import connection

    params = connection.settings_dict
    credentials = quote(params["USER"] or "", safe="")
    if params["PASSWORD"]:
        credentials += ":" + quote(params["PASSWORD"], safe="")
    return f"postgres://{credentials}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/{quote(name, safe='')}"


def make_person(display_name: str, *, password=None):
    from allauth.account.models import EmailAddress

    from accounts.models import User

    email = f"{uuid.uuid4().hex[:10]}@faults.example.org"
    user = User.objects.create_user(email=email, password=password, display_name=display_name)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user


def make_room():
    from forum.models import Consultation, Room

    tag = uuid.uuid4().hex[:6]
    consultation = Consultation.objects.create(
        title=f"Fault check {tag}", slug=f"faults-{tag}", introduction="Fault checks.", is_published=True
    )
    return Room.objects.create(
        consultation=consultation,
        title="Room under load",
        slug="room",
        introduction="Faults.",
        is_published=True,
        state=Room.State.OPEN,
    )


def new_comment_path(room) -> str:
    from django.urls import reverse

    return reverse("forum:new-comment", kwargs={"consultation_slug": room.consultation.slug, "room_slug": room.slug})


# --- A: PostgreSQL stopped under load ------------------------------------------------


class Browser:
    """One person's cookies against one server, over plain http.client."""

    def __init__(self, port: int):
        self.port = port
        self.cookies = {}

    def request(self, method, path, body=None, headers=None, timeout=15):
        """(status, text); status None when no answer came."""
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            try:
                connection.request(method, path, body=body, headers=headers)
            except OSError:
                # A server refusing a large body answers before reading it all and
                # hangs up: the answer is still there to read.
                if connection.sock is None:
                    raise
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as error:
            return None, f"{type(error).__name__}: {error}"
        finally:
            connection.close()
        for header in response.msg.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, text

    def post_form(self, path, fields):
        fields = {**fields, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
        return self.request(
            "POST", path, body=urlencode(fields), headers={"Content-Type": "application/x-www-form-urlencoded"}
        )

    def log_in(self, email):
        self.request("GET", "/accounts/login/")
        status, text = self.post_form("/accounts/login/", {"login": email, "password": PASSWORD})
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"could not log in as {email}: {status} {text[:200]}")


@dataclass
class Answer:
    marker: str
    started: float
    ended: float
    status: int | None
    friendly: bool
    detail: str


class PostBudget:
    """At most this many posts in all, shared by the posting threads."""

    def __init__(self, posts):
        self.left = posts
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            if self.left <= 0:
                return False
            self.left -= 1
            return True


def keep_posting(number, browser, path, deadline, budget, answers):
    n = 0
    while time.monotonic() < deadline and budget.take():
        marker = f"fault-{number}-{n}-{uuid.uuid4().hex[:8]}"
        started = time.monotonic()
        status, text = browser.post_form(
            path, {"body": f"Posted under load ({marker}).", "client_token": str(uuid.uuid4())}
        )
        answers.append(Answer(marker, started, time.monotonic(), status, FRIENDLY_503 in text, "" if status else text))
        n += 1
        # Refused or unanswered, a person waits a little before sending again.
        time.sleep(0.05 if status == 302 else 0.25 if status else 0.5)


def pg_ctlcluster(version: int, cluster: str, action: str):
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", str(version), cluster, action]
    if action == "stop":
        command += ["-m", "fast"]
    subprocess.run(command, check=True, timeout=120, capture_output=True)


def wait_until_healthy(port, seconds=30, saying=None) -> bool:
    """Whether /healthz answers 200 (and `saying`, when given) within `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status, text = Browser(port).request("GET", "/healthz", timeout=5)
        if status == 200 and saying in (None, text):
            return True
        time.sleep(0.5)
    return False


def start_gunicorn(workdir: Path, port: int, database: str, secret_key: str, *, redis_url=REDIS_URL, rate_limits=None):
    """gunicorn as production runs it, plus an overlay of settings kept out of
    the checkout: collected static files in `workdir`, and `rate_limits`
    (FORUM_RATE_LIMITS; by default none, as four people post as fast as the
    server answers)."""
    (workdir / "faults_settings.py").write_text(
        "from consultation.settings import *  # noqa: F403\n"
        f"STATIC_ROOT = {str(workdir / 'static')!r}\n"
        f"FORUM_RATE_LIMITS = {rate_limits or {}!r}\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(workdir), str(PROJECT_ROOT)]),
        "DJANGO_SETTINGS_MODULE": "faults_settings",
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "DEBUG": "0",
        "HTTPS": "0",
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "DATABASE_URL": database,
        "REDIS_URL": redis_url,
        "LOG_LEVEL": "WARNING",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
    }
    collect_static(env)
    log = open(workdir / "gunicorn.log", "wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return server, log


def signed_in_browsers(port, workdir, people) -> list[Browser]:
    """Once gunicorn answers, a Browser signed in through the login form for each person."""
    if not wait_until_healthy(port):
        raise RuntimeError(f"gunicorn did not answer /healthz; see {workdir / 'gunicorn.log'}")
    browsers = [Browser(port) for _ in people]
    for browser, person in zip(browsers, people):
        browser.log_in(person.email)
    return browsers


def stop_gunicorn(server, log, workdir, report, *, completed):
    """Stop gunicorn (when it was started) and close its log, which is kept when the scenario did not complete."""
    if server is not None:
        stop_process(server)
    if log is not None:
        log.close()
    if not completed:
        report.say(f"gunicorn's log is kept in {workdir}")


def scenario_a(args, report, secret_key):
    from django.core.management import call_command
    from django.db import connection

    report.say("\n== A. PostgreSQL stopped and started under a load of posts")
    room = make_room()
    people = [make_person(f"Poster {n}", password=PASSWORD) for n in range(args.threads)]
    path = new_comment_path(room)
    version = connection.pg_version // 10000
    workdir = Path(tempfile.mkdtemp(prefix="faults_"))
    port = free_port()
    server = log = None
    postgres_stopped = completed = False
    answers: list[Answer] = []
    outage = None
    try:
        server, log = start_gunicorn(workdir, port, database_url(DATABASE_NAME), secret_key)
        browsers = signed_in_browsers(port, workdir, people)
        report.say(f"gunicorn (2 workers) at http://127.0.0.1:{port}/, PostgreSQL {version}/{args.cluster}")
        start = time.monotonic()
        deadline = start + args.seconds
        budget = PostBudget(args.posts)
        posters = [
            threading.Thread(target=keep_posting, args=(n, browser, path, deadline, budget, answers))
            for n, browser in enumerate(browsers)
        ]
        for poster in posters:
            poster.start()
        time.sleep(max(0.0, start + args.outage_after - time.monotonic()))
        if args.no_outage:
            report.say(f"--no-outage: PostgreSQL left running (the outage would start {args.outage_after:.0f} s in)")
        else:
            report.say(f"Stopping PostgreSQL {version}/{args.cluster} for {args.outage_seconds:.0f} s...")
            postgres_stopped = True
            pg_ctlcluster(version, args.cluster, "stop")
            outage_started = time.monotonic()
            time.sleep(args.outage_seconds)
            pg_ctlcluster(version, args.cluster, "start")
            postgres_stopped = False
            outage = (outage_started, time.monotonic())
            report.say("PostgreSQL started again.")
        for poster in posters:
            poster.join(timeout=args.seconds + 60)
        healthy_after = wait_until_healthy(port, seconds=15)
        bad_request_statuses = malformed_requests(port, browsers[0], path)
        completed = True
    finally:
        if postgres_stopped:
            report.say("Starting PostgreSQL again after a failure...")
            try:
                pg_ctlcluster(version, args.cluster, "start")
            except subprocess.CalledProcessError as error:
                report.say(f"pg_ctlcluster start: {error.stderr.decode(errors='replace').strip()}")
        stop_gunicorn(server, log, workdir, report, completed=completed)

    # The script's own connection did not survive a restart of the server.
    connection.close()
    acknowledged = check_posts_stored(report, room, answers, args.seconds)
    server_errors = [answer for answer in answers if answer.status and answer.status >= 500 and answer.status != 503]
    report.check(not server_errors, f"no 500 answers ({len(server_errors)})")
    unfriendly = [answer for answer in answers if answer.status == 503 and not answer.friendly]
    report.check(not unfriendly, f"every 503 shows the friendly page ({len(unfriendly)} without it)")
    unanswered = [answer for answer in answers if answer.status is None]
    report.check(
        not unanswered,
        f"every post got an answer ({len(unanswered)} without{': ' + unanswered[0].detail if unanswered else ''})",
    )
    if outage:
        during = [answer for answer in answers if answer.started < outage[1] and answer.ended > outage[0]]
        report.say(
            f"During the outage: {len(during)} posts, "
            f"{sum(1 for answer in during if answer.status == 503)} answered 503, "
            f"{sum(1 for answer in during if answer.status == 302)} posted"
        )
        report.check(any(answer.status == 503 for answer in during), "the outage was seen (503 answers during it)")
        after = [answer for answer in answers if answer.started > outage[1]]
        report.check(
            any(answer.status == 302 for answer in after),
            f"posts succeed after the outage without restarting gunicorn "
            f"({sum(1 for answer in after if answer.status == 302)} of {len(after)})",
        )
    else:
        report.check(len(acknowledged) == len(answers) > 0, "with PostgreSQL running, every post succeeded")
    report.check(healthy_after, "/healthz answers 200 at the end")
    for what, (status, expected) in bad_request_statuses.items():
        report.check(status in expected, f"real server: {what} -> {status or 'no answer'}")
    report.say("check_trees:")
    try:
        call_command("check_trees")
        report.check(True, "every tree is sound")
    except Exception as error:  # CommandError: broken trees were printed above
        report.check(False, f"every tree is sound ({error})")
    shutil.rmtree(workdir, ignore_errors=True)


def check_posts_stored(report, room, answers, seconds):
    """Print what was acknowledged and what was stored; check that every post
    answered 302 is stored, once. Returns the acknowledged answers."""
    from forum.models import Comment

    stored = {}
    for body in Comment.objects.filter(room=room).values_list("body_source", flat=True):
        for marker in MARKER.findall(body):
            stored[marker] = stored.get(marker, 0) + 1
    acknowledged = [answer for answer in answers if answer.status == 302]
    report.say(f"Sent {len(answers)} posts in {seconds:.0f} s: {status_counts(answers)}")
    unacknowledged_stored = set(stored) - {answer.marker for answer in acknowledged}
    report.say(
        f"Acknowledged (302): {len(acknowledged)}; stored: {len(stored)} "
        f"({len(unacknowledged_stored)} stored without a success answer)"
    )
    lost = [answer.marker for answer in acknowledged if answer.marker not in stored]
    report.check(
        not lost, f"every acknowledged post is stored ({len(lost)} missing{': ' + ', '.join(lost[:5]) if lost else ''})"
    )
    report.check(all(count == 1 for count in stored.values()), "no post is stored twice")
    return acknowledged


def status_counts(answers) -> str:
    by_status = {}
    for answer in answers:
        by_status[answer.status] = by_status.get(answer.status, 0) + 1
    return ", ".join(f"{status or 'no answer'}: {count}" for status, count in sorted(by_status.items(), key=str))


def malformed_requests(port, browser, path):
    """What the real server (gunicorn in front of Django) answers to bad requests:
    {what: (status, acceptable statuses)}."""
    csrf = browser.cookies.get("csrftoken", "")
    client_errors = range(400, 500)
    results = {}
    big = urlencode({"csrfmiddlewaretoken": csrf, "body": "a" * (10 * 1024 * 1024)})
    results["a 10 MB form"] = (
        browser.request("POST", path, big, {"Content-Type": "application/x-www-form-urlencoded"})[0],
        client_errors,
    )
    results["a 100,000-character comment"] = (
        browser.post_form(path, {"body": "Too long. " * 10_000})[0],
        [400],
    )
    broken = f'--x\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{csrf}\r\n--x\r\nContent-Dis'
    results["a truncated multipart body"] = (
        browser.request("POST", path, broken, {"Content-Type": "multipart/form-data; boundary=x"})[0],
        client_errors,
    )
    results["a multipart body without a boundary"] = (
        browser.request("POST", path, "--x--\r\n", {"Content-Type": "multipart/form-data"})[0],
        client_errors,
    )
    results["invalid UTF-8 in a comment"] = (
        browser.request(
            "POST",
            path,
            f"csrfmiddlewaretoken={csrf}&body=%FF%FE+broken".encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )[0],
        [302, 400],
    )
    room_page = path.rsplit("comment/", 1)[0]
    results["invalid UTF-8 and a null byte in the query"] = (
        browser.request("GET", room_page + "?page=%FF%00&order=%00")[0],
        [200, 404],
    )
    results["an 8 KB query string"] = (browser.request("GET", "/search/?q=" + "x" * 8000)[0], client_errors)
    return results


# --- B: the mail server down ----------------------------------------------------------


class SmtpSink(socketserver.ThreadingTCPServer):
    """Just enough SMTP to take messages and keep them."""

    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, port):
        self.messages = []
        super().__init__(("127.0.0.1", port), SmtpSession)


class SmtpSession(socketserver.StreamRequestHandler):
    def handle(self):
        self.reply("220 faults-check sink")
        envelope = {"to": [], "from": None}
        while line := self.rfile.readline():
            command = line.decode("latin-1").strip()
            verb = command[:4].upper()
            if verb in ("HELO", "EHLO"):
                self.reply("250 faults-check")
            elif verb == "MAIL":
                envelope["from"] = command[10:]
                self.reply("250 OK")
            elif verb == "RCPT":
                envelope["to"].append(command[8:].strip("<> "))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk
                self.server.messages.append({**envelope, "data": data.decode("utf-8", "replace")})
                envelope = {"to": [], "from": None}
                self.reply("250 OK: queued")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:  # RSET, NOOP and anything else
                self.reply("250 OK")

    def reply(self, text):
        self.wfile.write(text.encode() + b"\r\n")


def scenario_b(report):
    from django.test.utils import override_settings

    report.say("\n== B. The mail server down")
    port = free_port()
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        EMAIL_TIMEOUT=5,
        # The email is tried as soon as the comment commits, as the task worker would.
        TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
    ):
        mail_server_down(report, port)


def mail_server_down(report, port):
    import logging

    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from forum.emails import next_attempt_at
    from forum.models import Comment, Notification

    room = make_room()
    author, colleague = make_person("Ana Author"), make_person("Colin Colleague")
    client = Client()
    client.force_login(author)
    # The refused connection is logged with its traceback (and the task's run at
    # INFO); the notification's counts below say the same in one line.
    quiet = [logging.getLogger(name) for name in ("forum.emails", "django_tasks")]
    levels = [logger.level for logger in quiet]
    for logger in quiet:
        logger.setLevel(logging.CRITICAL)
    try:
        response = client.post(
            new_comment_path(room), {"body": f"Flagging this to @{colleague.handle}: what do you think?"}
        )
    finally:
        for logger, level in zip(quiet, levels):
            logger.setLevel(level)
    comment = Comment.objects.filter(room=room).first()
    report.check(
        response.status_code == 302 and comment is not None,
        f"the comment is posted while nothing listens on port {port} (answer {response.status_code})",
    )
    notification = Notification.objects.get(comment=comment, recipient=colleague)
    report.say(
        f"Acknowledged: comment {comment.pk}; notification {notification.pk}: "
        f"email {notification.email}, {notification.email_attempts} failed attempt(s)"
    )
    report.check(
        notification.email == Notification.Email.PENDING and notification.email_attempts == 1,
        "the email waits after one failed attempt",
    )

    sink = SmtpSink(port)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    try:
        due = next_attempt_at(notification)
        wait = max(0.0, (due - timezone.now()).total_seconds()) + 1
        report.say(f"SMTP sink listening on port {port}; waiting {wait:.0f} s for the retry to fall due...")
        time.sleep(wait)
        call_command("send_pending_emails")
        call_command("send_pending_emails")  # a second sweep must send nothing more
    finally:
        sink.shutdown()
        sink.server_close()
    notification.refresh_from_db()
    to_colleague = [message for message in sink.messages if colleague.email in message["to"]]
    report.say(
        f"Stored: comment {comment.pk}; notification email {notification.email}; "
        f"the sink received {len(sink.messages)} message(s)"
    )
    report.check(Comment.objects.filter(pk=comment.pk).exists(), "the comment is stored")
    report.check(notification.email == Notification.Email.SENT, "the notification is marked sent")
    report.check(len(to_colleague) == 1 == len(sink.messages), "the email went out once, to the person mentioned")


# --- C: a storm of replies --------------------------------------------------------------


def reply_in_storm(url, secret_key, tree_id, author_ids, count, seed, barrier, results):
    """One process of the storm: `count` replies under random comments of the thread."""
    import random

    sys.path.insert(0, str(PROJECT_ROOT))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "consultation.settings",
            "DATABASE_URL": url,
            "SECRET_KEY": secret_key,
            "REDIS_URL": "",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
        }
    )
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from accounts.models import User
    from forum import services
    from forum.models import Comment

    settings.FORUM_RATE_LIMITS = {}
    rng = random.Random(seed)
    stored, error = [], None
    try:
        authors = list(User.objects.filter(pk__in=author_ids))
        barrier.wait(timeout=STORM_SECONDS)
        for n in range(count):
            in_thread = list(Comment.objects.filter(tree_id=tree_id).values_list("pk", flat=True))
            parent = Comment.objects.get(pk=rng.choice(in_thread))
            stored.append(services.reply_to_comment(rng.choice(authors), parent=parent, body=f"Storm {seed}.{n}").pk)
    except Exception as failure:  # reported to the main process
        error = repr(failure)
    finally:
        connection.close()
        results.put((seed, stored, error))


def scenario_c(report, secret_key):
    import multiprocessing

    from django.core.management import call_command

    from forum import services
    from forum.models import Comment

    report.say(f"\n== C. A storm: {STORM_REPLIES} replies from {STORM_PROCESSES} processes into one thread")
    room = make_room()
    root = services.post_comment(make_person("Thread Starter"), room=room, body="Where should the programme go next?")
    author_ids = [make_person(f"Stormer {n}").pk for n in range(16)]
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(STORM_PROCESSES), context.Queue()
    shares = [STORM_REPLIES // STORM_PROCESSES + (n < STORM_REPLIES % STORM_PROCESSES) for n in range(STORM_PROCESSES)]
    url = database_url(DATABASE_NAME)
    processes = [
        context.Process(
            target=reply_in_storm, args=(url, secret_key, root.tree_id, author_ids, share, seed, barrier, results)
        )
        for seed, share in enumerate(shares)
    ]
    started = time.monotonic()
    for process in processes:
        process.start()
    outcomes = {}
    try:
        for _ in processes:
            seed, stored, error = results.get(timeout=STORM_SECONDS)
            outcomes[seed] = (stored, error)
    finally:
        for process in processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
    acknowledged = [pk for stored, _ in outcomes.values() for pk in stored]
    errors = [error for _, error in outcomes.values() if error]
    thread = Comment.objects.filter(tree_id=root.tree_id)
    report.say(
        f"Acknowledged: {len(acknowledged)} replies in {time.monotonic() - started:.1f} s "
        f"({len(errors)} process error(s){': ' + errors[0] if errors else ''}); "
        f"stored in the thread: {thread.count() - 1} replies"
    )
    report.check(not errors and len(set(acknowledged)) == STORM_REPLIES, f"all {STORM_REPLIES} replies acknowledged")
    report.check(
        set(acknowledged) <= set(thread.values_list("pk", flat=True)) and thread.count() == STORM_REPLIES + 1,
        "every acknowledged reply is stored in the thread, nothing else",
    )
    report.say("check_trees:")
    try:
        call_command("check_trees", "--tree", str(root.tree_id))
        report.check(True, "the thread's tree is sound")
    except Exception as error:  # CommandError: the problems were printed above
        report.check(False, f"the thread's tree is sound ({error})")
    as_stored = list(thread.order_by("pk").values_list("pk", "parent_id", "lft", "rght", "level"))
    Comment.objects.partial_rebuild(root.tree_id)
    rebuilt = list(thread.order_by("pk").values_list("pk", "parent_id", "lft", "rght", "level"))
    report.check(rebuilt == as_stored, "django-mptt's rebuild from the parent links changes nothing")


# --- D: Redis stopped, then frozen --------------------------------------------------------


def keep_reading(browser, path, deadline, answers):
    while time.monotonic() < deadline:
        started = time.monotonic()
        status, text = browser.request("GET", path)
        answers.append(Answer("", started, time.monotonic(), status, False, "" if status else text))
        time.sleep(0.05)


def arrive_and_check_health(port, email) -> tuple[bool, str]:
    """A person signing in now, and what /healthz says: (signed in, '<status> <body>')."""
    try:
        Browser(port).log_in(email)
        signed_in = True
    except RuntimeError:
        signed_in = False
    status, text = Browser(port).request("GET", "/healthz", timeout=5)
    return signed_in, f"{status} {text.strip()[:60]}"


def scenario_d(args, report, secret_key):
    report.say("\n== D. Redis stopped, then frozen, under a load of posts and reads")
    room = make_room()
    people = [make_person(f"Poster {n}", password=PASSWORD) for n in range(args.threads)]
    arriving = make_person("Arriving during the faults", password=PASSWORD)
    path = new_comment_path(room)
    room_page = path.rsplit("comment/", 1)[0]
    fault_seconds = args.redis_outage_seconds
    seconds = args.redis_outage_after + 3 * fault_seconds + 5
    workdir = Path(tempfile.mkdtemp(prefix="faults_"))
    port = free_port()
    redis_server = PrivateRedis()
    server = log = None
    posts: list[Answer] = []
    reads: list[Answer] = []
    faults = {}
    completed = False
    try:
        redis_server.start()
        server, log = start_gunicorn(
            workdir,
            port,
            database_url(DATABASE_NAME),
            secret_key,
            redis_url=redis_server.url,
            # Counted, so that the counting meets the outage, but never reached.
            rate_limits={"post": [(100_000, 60)]},
        )
        browsers = signed_in_browsers(port, workdir, people)
        report.say(f"gunicorn (2 workers) at http://127.0.0.1:{port}/, its own Redis at port {redis_server.port}")
        start = time.monotonic()
        deadline = start + seconds
        budget = PostBudget(args.posts)
        workers = [
            threading.Thread(target=keep_posting, args=(n, browser, path, deadline, budget, posts))
            for n, browser in enumerate(browsers)
        ] + [threading.Thread(target=keep_reading, args=(Browser(port), room_page, deadline, reads)) for _ in range(2)]
        for worker in workers:
            worker.start()
        time.sleep(max(0.0, start + args.redis_outage_after - time.monotonic()))
        for name, begin, end in (
            ("stopped", redis_server.stop, redis_server.start),
            ("frozen", redis_server.freeze, redis_server.resume),
        ):
            report.say(f"Redis {name} for {fault_seconds:.0f} s...")
            began = time.monotonic()
            begin()
            time.sleep(min(1.0, fault_seconds / 2))
            probe = arrive_and_check_health(port, arriving.email)
            time.sleep(max(0.0, began + fault_seconds - time.monotonic()))
            end()
            faults[name] = (began, time.monotonic(), *probe)
            report.say(f"Redis {'started' if name == 'stopped' else 'resumed'} again.")
            time.sleep(fault_seconds)
        for worker in workers:
            worker.join(timeout=seconds + 60)
        recovered = wait_until_healthy(port, seconds=15, saying="ok")
        signed_in_at_end = [browser.request("GET", "/notifications/")[0] for browser in browsers]
        completed = True
    finally:
        redis_server.stop()
        stop_gunicorn(server, log, workdir, report, completed=completed)

    check_posts_stored(report, room, posts, seconds)
    report.say(f"Read the room page {len(reads)} times: {status_counts(reads)}")
    answers = posts + reads
    server_errors = [answer for answer in answers if answer.status and answer.status >= 500]
    report.check(not server_errors, f"no 5xx answers ({len(server_errors)})")
    unanswered = [answer for answer in answers if answer.status is None]
    report.check(
        not unanswered,
        f"every request got an answer ({len(unanswered)} without{': ' + unanswered[0].detail if unanswered else ''})",
    )
    for name, (began, ended, signed_in, health) in faults.items():
        during = [answer for answer in answers if answer.started < ended and answer.ended > began]
        posted = sum(1 for answer in during if answer.status == 302 and answer.marker)
        read = sum(1 for answer in during if answer.status == 200 and not answer.marker)
        slowest = max((answer.ended - answer.started for answer in during), default=0.0)
        report.say(
            f"Redis {name}: {len(during)} requests, {posted} posted, {read} pages read, "
            f"slowest {slowest:.2f} s; a fresh log-in {'worked' if signed_in else 'failed'}; /healthz: {health}"
        )
        report.check(posted > 0 and read > 0, f"posting and reading go on while Redis is {name}")
        report.check(slowest <= 1.0, f"no request waits more than a second while Redis is {name} ({slowest:.2f} s)")
        report.check(signed_in, f"a fresh log-in works while Redis is {name}")
        report.check(health == "200 degraded: cache", f"/healthz says 200 degraded while Redis is {name}")
    report.check(recovered, "/healthz says ok again once Redis is back")
    report.check(
        all(status == 200 for status in signed_in_at_end),
        f"everyone is still signed in at the end ({signed_in_at_end})",
    )
    shutil.rmtree(workdir, ignore_errors=True)


# --- Main ---------------------------------------------------------------------------------


def main(argv=None):
    args = parse_args(argv)
    secret_key = "faults-check-" + secrets.token_urlsafe(32)
    setup_django(secret_key)

    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("faults.py needs PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres")
    database = settings.DATABASES["default"]
    database["TEST"]["NAME"] = DATABASE_NAME
    original_name = database["NAME"]
    print(f"Creating the database {DATABASE_NAME}...", flush=True)
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    report = Report()
    try:
        if "A" in args.scenarios:
            scenario_a(args, report, secret_key)
        if "B" in args.scenarios:
            scenario_b(report)
        if "C" in args.scenarios:
            scenario_c(report, secret_key)
        if "D" in args.scenarios:
            scenario_d(args, report, secret_key)
    finally:
        connection.close()
        if args.keep:
            print(f"\nKept the database {DATABASE_NAME}.")
        else:
            connection.creation.destroy_test_db(original_name, verbosity=0)
            print(f"\nDropped the database {DATABASE_NAME}.")
    if report.failures:
        print(f"{len(report.failures)} check(s) failed:")
        for failure in report.failures:
            print(f"  - {failure}")
        return 1
    print("All checks passed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
