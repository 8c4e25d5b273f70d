"""`python manage.py send_digests`: the daily emails, for cron once a day.

Each person with notifications waiting for the digest gets one email listing
them by room; they are then marked sent, so the next digest starts after this
one. When the mail server fails, the next run tries again. Each moderator on
duty gets the day's activity of their rooms (forum.emails.send_room_activity).
"""

from django.core.management.base import BaseCommand

from forum.emails import send_digests, send_room_activity


class Command(BaseCommand):
    help = "Email each person the digest of their notifications waiting for it."

    def handle(self, *args, **options):
        run = send_digests()
        moderators = send_room_activity()
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"Sent {run.people} digest(s) with {run.notifications} notification(s); "
                f"{run.failed_people} failed and wait for the next run. "
                f"Sent {moderators} moderator(s) their rooms' activity."
            )
