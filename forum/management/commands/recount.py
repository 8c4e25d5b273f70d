"""python manage.py recount [--check]: verify every room's stored counts against its comments, and repair them."""

from django.core.management.base import BaseCommand, CommandError

from forum.counts import recount_rooms


class Command(BaseCommand):
    help = "Check each room's comment and thread counts against its comments, and repair those that are wrong."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="only report; change nothing, exit 1 if a count is wrong"
        )

    def handle(self, *args, check=False, **options):
        wrong = recount_rooms(repair=not check)
        for miscount in wrong:
            verb = "is wrong" if check else "fixed"
            self.stdout.write(
                f"{miscount.room.consultation_id}/{miscount.room.slug}: {miscount.field} {verb}: "
                f"stored {miscount.stored}, counted {miscount.counted}"
            )
        if not wrong:
            self.stdout.write("Every room's counts match its comments.")
        elif check:
            raise CommandError(f"{len(wrong)} count(s) are wrong; run python manage.py recount to repair them.")
        else:
            self.stdout.write(f"Repaired {len(wrong)} count(s).")
