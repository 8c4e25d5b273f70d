"""`python manage.py start_shifts`: the handover, for cron every hour.

Each moderator whose rota line starts today (in the consultation's time zone)
is told, once, of the room's latest shift notes and of what waits: open
reports, held comments, comments nobody has answered for 48 hours.
"""

from django.core.management.base import BaseCommand

from forum.services import start_shifts


class Command(BaseCommand):
    help = "Tell the moderators whose shift starts today what waits for them."

    def handle(self, *args, **options):
        told = start_shifts()
        if options["verbosity"] >= 1:
            self.stdout.write(f"Told {told} moderator(s) their shift starts.")
