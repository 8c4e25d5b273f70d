"""check_trees finds broken comment trees and rebuilds them as the services built them."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from forum import trees
from forum.models import Comment
from tests import factories

pytestmark = pytest.mark.django_db


def build_thread(room, label="A"):
    """A thread of eight comments posted in an interleaved order, so that
    posting order and tree order only agree when siblings are in pk order:

        root
        ├── first          (2nd posted)
        │   ├── first.a    (4th)
        │   │   └── first.a.i (8th)
        │   └── first.b    (6th)
        ├── second         (3rd)
        │   └── second.a   (7th)
        └── third          (5th)
    """
    root = factories.make_comment(room, body=f"Thread {label}")
    first = factories.make_reply(root, body=f"{label} first")
    second = factories.make_reply(root, body=f"{label} second")
    first_a = factories.make_reply(first, body=f"{label} first.a")
    third = factories.make_reply(root, body=f"{label} third")
    first_b = factories.make_reply(first, body=f"{label} first.b")
    second_a = factories.make_reply(second, body=f"{label} second.a")
    first_a_i = factories.make_reply(first_a, body=f"{label} first.a.i")
    return {
        "root": root, "first": first, "second": second, "third": third, "first.a": first_a,
        "first.b": first_b, "second.a": second_a, "first.a.i": first_a_i,
    }  # fmt: skip


def shape(comments):
    """(pk, parent, lft, rght, level) of the given comments, as stored now."""
    pks = [comment.pk for comment in comments]
    return list(
        Comment.objects.filter(pk__in=pks).order_by("pk").values_list("pk", "parent_id", "lft", "rght", "level")
    )


def broken_tree_ids():
    return [broken.tree_id for broken in trees.check_trees().broken]


def test_trees_built_by_the_services_are_sound(room):
    build_thread(room, "A")
    build_thread(room, "B")
    factories.make_comment(room, body="A thread nobody answered")

    check = trees.check_trees()

    assert check.checked == 3
    assert check.broken == []


def test_the_command_says_all_trees_are_sound(room, capsys):
    build_thread(room)

    call_command("check_trees")

    assert "Checked 1 tree(s): 0 broken." in capsys.readouterr().out


def test_checking_costs_the_same_queries_for_two_threads_or_twenty(room):
    for n in range(2):
        build_thread(room, f"small {n}")
    with CaptureQueriesContext(connection) as few:
        trees.check_trees()
    for n in range(18):
        build_thread(room, f"more {n}")
    with CaptureQueriesContext(connection) as many:
        check = trees.check_trees()

    assert check.checked == 20
    assert len(many) == len(few)


def test_trees_are_checked_in_batches_of_a_fixed_number_of_queries(room):
    for n in range(6):
        factories.make_comment(room, body=f"Thread {n}")

    with CaptureQueriesContext(connection) as queries:
        check = trees.check_trees(batch_size=2)

    assert check.checked == 6
    # Per batch: the batch's tree ids and four checks; then one look for more.
    assert len(queries) == 3 * 5 + 1


# --- Each kind of damage is found, and repaired into what the services made ----


def swap_lft_of_siblings(thread):
    first, second = thread["first"], thread["second"]
    first.refresh_from_db()
    second.refresh_from_db()
    Comment.objects.filter(pk=first.pk).update(lft=second.lft)
    Comment.objects.filter(pk=second.pk).update(lft=first.lft)


def put_a_reply_at_the_wrong_level(thread):
    Comment.objects.filter(pk=thread["first.a"].pk).update(level=5)


def leave_a_gap(thread):
    second = Comment.objects.get(pk=thread["second"].pk)
    tree = Comment.objects.filter(tree_id=second.tree_id)
    tree.filter(lft__gt=second.rght).update(lft=F("lft") + 2)
    tree.filter(rght__gt=second.rght).update(rght=F("rght") + 2)


def duplicate_a_value(thread):
    second = Comment.objects.get(pk=thread["second"].pk)
    Comment.objects.filter(pk=thread["third"].pk).update(lft=second.lft)


def nest_a_reply_in_its_previous_sibling(thread):
    # Values still run 1..2n and sit inside the parent: only the order of
    # siblings tells that "second" now looks nested inside "first".
    first = Comment.objects.get(pk=thread["first"].pk)
    second = Comment.objects.get(pk=thread["second"].pk)
    tree = Comment.objects.filter(tree_id=first.tree_id)
    tree.filter(pk=first.pk).update(rght=second.rght)
    tree.filter(pk__in=[second.pk, thread["second.a"].pk]).update(lft=F("lft") - 1, rght=F("rght") - 1)


DAMAGE = [
    swap_lft_of_siblings,
    put_a_reply_at_the_wrong_level,
    leave_a_gap,
    duplicate_a_value,
    nest_a_reply_in_its_previous_sibling,
]


@pytest.mark.parametrize("damage", DAMAGE, ids=lambda damage: damage.__name__)
def test_a_damaged_tree_is_found_and_repaired_as_the_services_built_it(room, damage):
    sound = build_thread(room, "sound")
    thread = build_thread(room, "damaged")
    as_built = shape(thread.values())
    sound_as_built = shape(sound.values())
    damage(thread)

    assert broken_tree_ids() == [thread["root"].tree_id]

    assert trees.repair_tree(thread["root"].tree_id) == [thread["root"].tree_id]

    assert shape(thread.values()) == as_built
    assert shape(sound.values()) == sound_as_built
    assert broken_tree_ids() == []


def test_two_roots_in_one_tree_are_found_and_each_thread_gets_its_tree_back(room):
    kept = build_thread(room, "kept")
    intruder = build_thread(room, "intruder")
    kept_as_built, intruder_as_built = shape(kept.values()), shape(intruder.values())
    kept_tree, intruder_tree = kept["root"].tree_id, intruder["root"].tree_id
    Comment.objects.filter(pk=intruder["root"].pk).update(tree_id=kept_tree)

    check = trees.check_trees()
    problems = {broken.tree_id: broken.problems for broken in check.broken}
    assert "2 roots" in problems[kept_tree]
    assert "no root" in problems[intruder_tree]

    trees.repair_tree(kept_tree)

    assert shape(kept.values()) == kept_as_built
    assert shape(intruder.values()) == intruder_as_built
    assert Comment.objects.filter(tree_id=kept_tree).count() == 8
    intruder_root = Comment.objects.get(pk=intruder["root"].pk)
    assert intruder_root.tree_id not in (kept_tree, intruder_tree)
    assert Comment.objects.filter(tree_id=intruder_root.tree_id).count() == 8
    assert broken_tree_ids() == []


def test_a_reply_stored_in_another_tree_goes_back_to_its_parents_tree(room):
    home = build_thread(room, "home")
    elsewhere = build_thread(room, "elsewhere")
    home_as_built, elsewhere_as_built = shape(home.values()), shape(elsewhere.values())
    Comment.objects.filter(pk=home["second.a"].pk).update(tree_id=elsewhere["root"].tree_id)

    assert broken_tree_ids() == sorted([home["root"].tree_id, elsewhere["root"].tree_id])

    trees.repair_tree(elsewhere["root"].tree_id)

    assert Comment.objects.get(pk=home["second.a"].pk).tree_id == home["root"].tree_id
    assert shape(home.values()) == home_as_built
    assert shape(elsewhere.values()) == elsewhere_as_built
    assert broken_tree_ids() == []


def test_a_sound_tree_is_left_alone_by_a_repair(room):
    thread = build_thread(room)

    assert trees.repair_tree(thread["root"].tree_id) == []


def test_replying_works_as_before_in_a_repaired_tree(room):
    thread = build_thread(room)
    swap_lft_of_siblings(thread)
    trees.repair_tree(thread["root"].tree_id)

    reply = factories.make_reply(thread["second"], body="After the repair")

    second = Comment.objects.get(pk=thread["second"].pk)
    reply.refresh_from_db()
    assert (reply.level, reply.rght) == (2, second.rght - 1)
    assert broken_tree_ids() == []


# --- The command --------------------------------------------------------------


def test_the_command_names_each_broken_tree_and_fails_without_repair(room, capsys):
    thread = build_thread(room)
    build_thread(room, "sound")
    put_a_reply_at_the_wrong_level(thread)

    with pytest.raises(CommandError) as error:
        call_command("check_trees")

    assert error.value.returncode == 1
    out = capsys.readouterr().out
    # The misplaced reply, and its own reply now two levels below it.
    assert f"tree {thread['root'].tree_id}: 2 reply(ies) not at their parent's level plus one" in out
    assert "Checked 2 tree(s): 1 broken." in out
    assert broken_tree_ids() == [thread["root"].tree_id]


def test_the_command_repairs_broken_trees_when_asked(room, capsys):
    thread = build_thread(room)
    as_built = shape(thread.values())
    leave_a_gap(thread)

    call_command("check_trees", "--repair")

    out = capsys.readouterr().out
    assert f"tree {thread['root'].tree_id}: " in out
    assert f"-> rebuilt tree(s) {thread['root'].tree_id}" in out
    assert "Checked 1 tree(s): 1 broken, 1 repaired." in out
    assert shape(thread.values()) == as_built


def test_the_command_checks_only_the_trees_named(room, capsys):
    named = build_thread(room, "named")
    other = build_thread(room, "other")
    put_a_reply_at_the_wrong_level(other)

    call_command("check_trees", "--tree", str(named["root"].tree_id))

    assert "Checked 1 tree(s): 0 broken." in capsys.readouterr().out
