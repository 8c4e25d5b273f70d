"""Guiding questions under headings typed once: the groups, their order, and the
migration that turned the headings typed on every question into groups."""

from forum import selectors
from tests import factories

BEFORE = [("forum", "0008_question_groups")]
AFTER = [("forum", "0009_question_groups_from_headings")]


def test_questions_without_a_group_come_first_then_each_group_in_its_order(room):
    later = factories.make_question_group(room, "Looking ahead", position=2)
    first = factories.make_question_group(room, "What works", position=1)
    factories.make_question(room, "What should change?", position=1, group=later)
    factories.make_question(room, "Who are you?", position=5)
    factories.make_question(room, "What does it cost?", position=2, group=first)
    factories.make_question(room, "Who lacks access?", position=1, group=first)
    groups = selectors.guiding_question_groups(selectors.numbered_questions(room))
    assert [(str(heading), [(q.number, q.text) for q in questions]) for heading, questions in groups] == [
        ("", [(1, "Who are you?")]),
        ("What works", [(2, "Who lacks access?"), (3, "What does it cost?")]),
        ("Looking ahead", [(4, "What should change?")]),
    ]


def test_deleting_a_group_keeps_its_questions_ungrouped(room):
    group = factories.make_question_group(room, "Access")
    question = factories.make_question(room, "Who lacks access?", group=group)
    group.delete()
    question.refresh_from_db()
    assert question.group is None


def test_the_migration_makes_one_group_per_heading_in_each_room_in_order(migrator):
    migrator.migrate(BEFORE)
    apps = migrator.loader.project_state(BEFORE).apps
    Consultation = apps.get_model("forum", "Consultation")
    Room = apps.get_model("forum", "Room")
    GuidingQuestion = apps.get_model("forum", "GuidingQuestion")
    consultation = Consultation.objects.create(title="Review", slug="review")
    room = Room.objects.create(consultation=consultation, title="One", slug="one")
    other = Room.objects.create(consultation=consultation, title="Two", slug="two")
    for position, heading, text in [
        (1, "Results", "What worked?"),
        (2, "", "Who are you?"),
        (3, "The future", "What next?"),
        (4, "Results", "What did not work?"),
    ]:
        GuidingQuestion.objects.create(room=room, position=position, group_heading=heading, text=text)
    GuidingQuestion.objects.create(room=other, position=1, group_heading="Results", text="Elsewhere?")

    migrator.loader.build_graph()
    migrator.migrate(AFTER)
    apps = migrator.loader.project_state(AFTER).apps
    QuestionGroup = apps.get_model("forum", "QuestionGroup")
    GuidingQuestion = apps.get_model("forum", "GuidingQuestion")
    assert list(QuestionGroup.objects.filter(room_id=room.pk).values_list("heading", "position")) == [
        ("Results", 1),
        ("The future", 2),
    ]
    assert list(QuestionGroup.objects.filter(room_id=other.pk).values_list("heading", "position")) == [("Results", 1)]
    grouped = {
        question.text: question.group.heading if question.group else ""
        for question in GuidingQuestion.objects.select_related("group")
    }
    assert grouped == {
        "What worked?": "Results",
        "What did not work?": "Results",
        "Who are you?": "",
        "What next?": "The future",
        "Elsewhere?": "Results",
    }
    results = QuestionGroup.objects.get(room_id=room.pk, heading="Results")
    assert list(results.questions.order_by("position").values_list("text", flat=True)) == [
        "What worked?",
        "What did not work?",
    ]
