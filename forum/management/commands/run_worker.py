"""`python manage.py run_worker`: the task worker (email), which waits out
database outages instead of exiting.

django-tasks-db's `db_worker` exits on the first database error it meets (its
connection cut, PostgreSQL restarted or failed over), and queued emails wait
until someone starts it again. This runs the same worker, with the same
options; on a database error it logs it, closes the connections, waits and
starts the worker again: 1 s, then 2, 4… up to --max-backoff seconds while the
database stays away, from 1 s again once the worker has run for a while. A
task the outage cut short stays marked as running; its emails go out with the
next `send_pending_emails` sweep.

It never reloads on code changes (`db_worker --reload` does, for development).
Run it under a supervisor all the same, which starts it again should it exit:
bin/serve-prod does, and so does the systemd unit in docs/deploy.md.
"""

import logging
import time

from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django_tasks_db.management.commands import db_worker

logger = logging.getLogger(__name__)

FIRST_BACKOFF_SECONDS = 1.0
# A worker that ran this long found the database working: the next wait starts from the first again.
HEALTHY_RUN_SECONDS = 60.0


class Command(db_worker.Command):
    help = "Run the task worker (email); on a database error, wait with a growing backoff and go on."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(reload=False)
        parser.add_argument(
            "--max-backoff",
            type=float,
            default=60.0,
            help="The longest wait, in seconds, before trying the database again (default: %(default)r)",
        )

    def handle(self, *args, max_backoff: float, **options):
        backoff = FIRST_BACKOFF_SECONDS
        while True:
            started = time.monotonic()
            try:
                return super().handle(*args, **options)
            except (OperationalError, InterfaceError) as error:
                if time.monotonic() - started >= HEALTHY_RUN_SECONDS:
                    backoff = FIRST_BACKOFF_SECONDS
                logger.warning(
                    "The task worker cannot reach the database (%s: %s); starting it again in %g s.",
                    type(error).__name__,
                    str(error).strip().splitlines()[0] if str(error).strip() else "",
                    backoff,
                )
            _close_connections()
            time.sleep(backoff)
            backoff = min(backoff * 2, max_backoff)


def _close_connections() -> None:
    """Drop the broken connections, so that the next attempt opens new ones."""
    for connection in connections.all(initialized_only=True):
        try:
            connection.close()
        except DatabaseError:
            pass
