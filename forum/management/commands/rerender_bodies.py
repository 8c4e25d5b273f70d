"""python manage.py rerender_bodies [--all]: render again the comments,
summaries and consultations' and rooms' texts stored by an older renderer
(render version below RENDER_VERSION)."""

from django.core.management.base import BaseCommand

from forum import services
from forum.models import Comment, Consultation, Room, RoomSummary
from forum.rendering import RENDER_VERSION
from forum.services import summaries, texts


class Command(BaseCommand):
    help = (
        "Render again the comments, summaries and room texts stored by an older renderer, so that they show what the "
        "current one does (run after an upgrade that raised RENDER_VERSION)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--all", action="store_true", dest="everything", help="render every comment, summary and text again"
        )

    def handle(self, *args, everything=False, **options):
        stale = {} if everything else {"render_version__lt": RENDER_VERSION}
        fields = ("pk", "room_id", "body_source")
        rendered_comments = services.rerender_comments(Comment.objects.filter(**stale).order_by("pk").only(*fields))
        rendered_summaries = summaries.rerender_summaries(
            RoomSummary.objects.filter(**stale).order_by("pk").only(*fields)
        )
        stale_texts = {} if everything else {"texts_render_version__lt": RENDER_VERSION}
        rendered_texts = texts.rerender_place_texts(
            [
                *Consultation.objects.filter(**stale_texts).order_by("pk"),
                *Room.objects.filter(**stale_texts).order_by("pk"),
            ]
        )
        self.stdout.write(
            f"Rendered {rendered_comments} comment(s), {rendered_summaries} summary(ies) and the texts of "
            f"{rendered_texts} consultation(s) and room(s) "
            f"with render version {RENDER_VERSION}."
        )
