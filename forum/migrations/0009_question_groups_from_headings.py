from django.db import migrations


def headings_to_groups(apps, schema_editor):
    """One group per heading in each room, in the order of the heading's first
    question; questions keep their positions within their group."""
    GuidingQuestion = apps.get_model("forum", "GuidingQuestion")
    QuestionGroup = apps.get_model("forum", "QuestionGroup")
    groups = {}
    groups_in_room = {}
    for question in GuidingQuestion.objects.exclude(group_heading="").order_by("room_id", "position", "id"):
        key = (question.room_id, question.group_heading)
        if key not in groups:
            groups_in_room[question.room_id] = groups_in_room.get(question.room_id, 0) + 1
            groups[key] = QuestionGroup.objects.create(
                room_id=question.room_id, heading=question.group_heading, position=groups_in_room[question.room_id]
            )
        question.group = groups[key]
        question.save(update_fields=["group"])


def groups_to_headings(apps, schema_editor):
    GuidingQuestion = apps.get_model("forum", "GuidingQuestion")
    for question in GuidingQuestion.objects.filter(group__isnull=False).select_related("group"):
        question.group_heading = question.group.heading
        question.save(update_fields=["group_heading"])


class Migration(migrations.Migration):

    dependencies = [
        ('forum', '0008_question_groups'),
    ]

    operations = [
        migrations.RunPython(headings_to_groups, groups_to_headings),
    ]
