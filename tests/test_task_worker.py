"""The email worker keeps going: `manage.py run_worker` waits out a cut
database connection, and `bin/keep-running` starts it again when it is killed.
Each test runs the worker as production does, in a process of its own on the
test database, and prints what was queued and what was sent."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection
from django_tasks_db.management.commands import db_worker

from benchmarks.outages import TcpProxy, stop_process
from forum.management.commands import run_worker
from forum.models import Notification
from tests import factories

ROOT = Path(__file__).resolve().parent.parent
# How long an email may take to go out once the worker can reach the database:
# its poll interval, and the backoff that follows an outage of a few seconds.
SENDING_SECONDS = 15

# The worker runs in a process of its own: it needs the test database on a server, and committed rows.
in_a_worker_process = pytest.mark.django_db(transaction=True)


@pytest.fixture
def queue(settings):
    """Tasks go into the database queue, as in production."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def outbox(tmp_path):
    """The worker's settings: production's, with email written to files in a folder the test reads."""
    (tmp_path / "worker_settings.py").write_text(
        "from consultation.settings import *  # noqa: F403\n"
        "EMAIL_BACKEND = 'django.core.mail.backends.filebased.EmailBackend'\n"
        f"EMAIL_FILE_PATH = {str(tmp_path / 'outbox')!r}\n"
    )
    return tmp_path / "outbox"


def database_url(port=None):
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{port or db['PORT'] or 5432}/{db['NAME']}"


def start(command, outbox, database, log_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_"))}
    env |= {
        "PYTHONPATH": os.pathsep.join([str(outbox.parent), str(ROOT)]),
        "DJANGO_SETTINGS_MODULE": "worker_settings",
        "DEBUG": "0",
        "SECRET_KEY": "task-worker-test-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "DATABASE_URL": database,
    }
    log = open(log_path, "wb")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    return process, log


def stop(process) -> int | None:
    """SIGTERM, as a process manager stops it: its exit status, or None if it had to be killed."""
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        stop_process(process, timeout=1)
        return None


WORKER = [sys.executable, "manage.py", "run_worker", "--interval", "0.2", "--no-startup-delay"]
# What the worker logs when it cannot reach the database.
WAITING = "The task worker cannot reach the database"


def queue_email(room, author, colleague, text):
    """A comment mentioning a colleague: once it commits, the worker tells them
    of it (announce_comment) and sends the notification's email."""
    comment = factories.make_comment(room, author, body=f"{text} @{colleague.handle}")
    comment.colleague = colleague
    return comment


def sent(comment) -> bool:
    return Notification.objects.filter(
        comment=comment, recipient=comment.colleague, email=Notification.Email.SENT
    ).exists()


def wait_until(condition, seconds) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def report(queued, outbox, log_path):
    messages = sorted(outbox.glob("*.log")) if outbox.exists() else []
    print(f"\nQueued: {len(queued)} email(s): " + ", ".join(f"comment {comment.pk}" for comment in queued))
    print(f"Sent: {sum(sent(n) for n in queued)} marked sent; {len(messages)} message file(s) written")
    print("Worker's log (last lines):\n  " + "\n  ".join(log_path.read_text().splitlines()[-8:]))
    return messages


@pytest.mark.postgresql
@in_a_worker_process
def test_the_worker_waits_out_a_cut_database_connection_and_sends_what_was_queued_meanwhile(
    queue, outbox, tmp_path, room
):
    author, colleague = factories.make_user("Ana Author"), factories.make_user("Colin Colleague")
    proxy = TcpProxy(connection.settings_dict["HOST"] or "127.0.0.1", int(connection.settings_dict["PORT"] or 5432))
    log_path = tmp_path / "worker.log"
    worker, log = start(WORKER, outbox, database_url(proxy.port), log_path)
    queued = []
    try:
        queued.append(queue_email(room, author, colleague, "Before the cut,"))
        assert wait_until(lambda: sent(queued[0]), SENDING_SECONDS), "the worker never sent the first email"

        proxy.cut()
        queued.append(queue_email(room, author, colleague, "While the worker cannot reach the database,"))
        # Cut long enough for two attempts to fail, the second after a longer wait.
        wait_until(lambda: worker.poll() is not None or log_path.read_text().count(WAITING) >= 2, 8)
        assert worker.poll() is None, "the worker exited when its database connection was cut"
        assert log_path.read_text().count(WAITING) >= 2
        assert not sent(queued[1])

        proxy.restore()
        assert wait_until(lambda: sent(queued[1]), SENDING_SECONDS), "the worker never sent the email queued meanwhile"
        assert worker.poll() is None
    finally:
        exit_status = stop(worker)
        log.close()
        proxy.close()
        messages = report(queued, outbox, log_path)
    assert len(messages) == 2
    assert exit_status == 0, "the worker did not stop cleanly on SIGTERM"


def worker_pid(supervisor) -> int | None:
    children = Path(f"/proc/{supervisor.pid}/task/{supervisor.pid}/children").read_text().split()
    return int(children[0]) if children else None


@pytest.mark.postgresql
@in_a_worker_process
def test_keep_running_starts_the_worker_again_when_it_is_killed(queue, outbox, tmp_path, room):
    author, colleague = factories.make_user("Ana Author"), factories.make_user("Colin Colleague")
    log_path = tmp_path / "worker.log"
    supervisor, log = start([str(ROOT / "bin" / "keep-running"), *WORKER], outbox, database_url(), log_path)
    queued, workers = [], []
    try:
        queued.append(queue_email(room, author, colleague, "For the first worker,"))
        assert wait_until(lambda: sent(queued[0]), SENDING_SECONDS)
        first = worker_pid(supervisor)
        workers.append(first)

        os.kill(first, signal.SIGKILL)
        queued.append(queue_email(room, author, colleague, "For the worker started after it was killed,"))
        assert wait_until(lambda: sent(queued[1]), SENDING_SECONDS), "no worker sent the email queued after the kill"
        second = worker_pid(supervisor)
        workers.append(second)
        print(f"\nWorker {first} killed; worker {second} started in its place")
        assert second not in (None, first)
    finally:
        exit_status = stop(supervisor)
        left_running = [pid for pid in workers if pid and is_running(pid)]
        for pid in left_running:
            os.kill(pid, signal.SIGKILL)
        log.close()
        messages = report(queued, outbox, log_path)
    assert len(messages) == 2
    assert exit_status == 0, "keep-running did not stop on SIGTERM"
    assert left_running == [], "keep-running left its worker running"


def is_running(pid) -> bool:
    try:
        return "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False


class FakeClock:
    """time for run_worker: sleeping moves the clock on, and so does a worker's run."""

    def __init__(self):
        self.now = 0.0
        self.slept = []

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def test_the_worker_waits_longer_each_time_the_database_stays_away_and_from_the_start_after_a_good_run(
    queue, monkeypatch
):
    clock = FakeClock()
    # Each run: how long it lasts before it meets an unreachable database (None: it ends as asked).
    runs = iter([0, 0, 0, 0, 0, 0, 0, 0, 3600, 0, None])

    def worker_run(self, *args, **options):
        lasted = next(runs)
        if lasted is None:
            return None
        clock.now += lasted
        raise OperationalError("connection refused")

    monkeypatch.setattr(run_worker, "time", clock)
    monkeypatch.setattr(db_worker.Command, "handle", worker_run)
    call_command("run_worker", "--max-backoff", "30")
    assert clock.slept == [1, 2, 4, 8, 16, 30, 30, 30, 1, 2]
