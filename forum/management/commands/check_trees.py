"""`python manage.py check_trees [--tree N …] [--repair]`: are the comment trees sound?

Prints one line per broken tree and a summary. With --repair each broken tree
is rebuilt from its parent links (replies in posting order) while its thread's
root row is locked, as replying locks it. Exits with status 1 when broken trees
were found and not repaired, so cron or a fault script can tell.
"""

from django.core.management.base import BaseCommand, CommandError

from forum.trees import DEFAULT_BATCH_SIZE, TreeRepairFailed, check_trees, repair_tree


class Command(BaseCommand):
    help = "Check every thread's tree (lft/rght/level, one root per tree); --repair rebuilds broken ones."

    def add_arguments(self, parser):
        parser.add_argument(
            "--tree", type=int, action="append", dest="trees", metavar="N", help="check only this tree id (repeatable)"
        )
        parser.add_argument("--repair", action="store_true", help="rebuild the broken trees")
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help=f"trees checked per round of queries (default {DEFAULT_BATCH_SIZE})",
        )

    def handle(self, *args, trees=None, repair=False, batch_size=DEFAULT_BATCH_SIZE, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        check = check_trees(trees, batch_size=batch_size)
        unrepaired = len(check.broken)
        if repair and check.broken:
            rebuilt = set()
            for broken in check.broken:
                try:
                    rebuilt_now = repair_tree(broken.tree_id)
                except TreeRepairFailed as error:
                    self.stdout.write(f"{broken} -> NOT repaired: {error}")
                    continue
                rebuilt.update(rebuilt_now)
                done = f"rebuilt tree(s) {', '.join(map(str, rebuilt_now))}" if rebuilt_now else "sound by now"
                self.stdout.write(f"{broken} -> {done}")
            # The last word: a tree may have been fixed (or not) by another's repair.
            still_broken = check_trees({broken.tree_id for broken in check.broken} | rebuilt).broken
            for broken in still_broken:
                self.stdout.write(f"still broken: {broken}")
            unrepaired = len(still_broken)
        else:
            for broken in check.broken:
                self.stdout.write(str(broken))
        summary = f"Checked {check.checked} tree(s): {len(check.broken)} broken"
        if repair:
            summary += f", {len(check.broken) - unrepaired} repaired"
        self.stdout.write(summary + ".")
        if unrepaired:
            raise CommandError(f"{unrepaired} broken tree(s) left as they were.", returncode=1)
