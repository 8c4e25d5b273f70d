"""`python manage.py send_pending_emails`: the sweep, for cron every few minutes.

Sends the notification emails that are due and still waiting: retries after
the mail server failed, and any whose queued task was lost. It never sends an
email twice, even while the task worker runs at the same time.
"""

from django.core.management.base import BaseCommand

from forum.emails import sweep_pending_notification_emails


class Command(BaseCommand):
    help = "Send the notification emails that are due and still waiting (retries and lost tasks)."

    def handle(self, *args, **options):
        run = sweep_pending_notification_emails()
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"Sent {len(run.sent)} email(s); {len(run.failed)} to retry later; {len(run.given_up)} given up."
            )
