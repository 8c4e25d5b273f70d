"""python manage.py rerender_bodies [--all]: render again the comments and
summaries stored by an older renderer (render_version below RENDER_VERSION)."""

from django.core.management.base import BaseCommand

from forum import services
from forum.models import Comment, RoomSummary
from forum.rendering import RENDER_VERSION
from forum.services import summaries


class Command(BaseCommand):
    help = (
        "Render again the comments and summaries stored by an older renderer, so that they show what the "
        "current one does (run after an upgrade that raised RENDER_VERSION)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--all", action="store_true", dest="everything", help="render every comment and summary again"
        )

    def handle(self, *args, everything=False, **options):
        stale = {} if everything else {"render_version__lt": RENDER_VERSION}
        fields = ("pk", "room_id", "body_source")
        rendered_comments = services.rerender_comments(Comment.objects.filter(**stale).order_by("pk").only(*fields))
        rendered_summaries = summaries.rerender_summaries(
            RoomSummary.objects.filter(**stale).order_by("pk").only(*fields)
        )
        self.stdout.write(
            f"Rendered {rendered_comments} comment(s) and {rendered_summaries} summary(ies) "
            f"with render version {RENDER_VERSION}."
        )
