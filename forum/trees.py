"""Checking the comment trees, and repairing a broken one.

Every thread is one django-mptt tree (its own tree_id). A sound tree has
exactly one root (no parent, level 0), and its lft/rght values are exactly
1..2n: each reply at its parent's level plus one, inside its parent's range,
right after its previous sibling (or its parent, for a first reply), the last
reply ending just before its parent does. `parent` is the truth; lft, rght,
level and tree_id are derived from it and can be rebuilt.

The checks run in SQL, a fixed number of queries for each batch of trees
whatever their size. A repair rebuilds the tree from its parent links with
django-mptt's partial_rebuild, holding the thread's root row as replying does,
and keeps replies in the order they were posted.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import F, Max, Min, Q

from forum.models import Comment
from forum.services.comments import lock_new_thread_allocation

DEFAULT_BATCH_SIZE = 500

# Passes over the parent links when tree ids are repaired: one per level of
# depth is enough, so this is only reached when the links form a loop.
_MAX_PASSES = 1000


@dataclass(frozen=True)
class BrokenTree:
    """A tree that failed a check, with what was found, in words."""

    tree_id: int
    problems: tuple[str, ...]

    def __str__(self):
        return f"tree {self.tree_id}: " + "; ".join(self.problems)


@dataclass
class TreeCheck:
    """What a check found: how many trees it looked at, and the broken ones."""

    checked: int = 0
    broken: list[BrokenTree] = field(default_factory=list)


class TreeRepairFailed(Exception):
    """A tree could not be repaired (still broken once rebuilt, or parent links in
    a loop); its transaction was rolled back."""


# --- Checking ---------------------------------------------------------------


def check_trees(tree_ids: Iterable[int] | None = None, *, batch_size: int = DEFAULT_BATCH_SIZE) -> TreeCheck:
    """Check the given trees, or every tree, and report the broken ones by tree id."""
    problems: dict[int, list[str]] = defaultdict(list)
    check = TreeCheck()
    for batch in _batches(tree_ids, batch_size):
        sizes = {}
        for tree_id, problem in _problems_in(batch, sizes):
            problems[tree_id].append(problem)
        check.checked += len(sizes)
    check.broken = [BrokenTree(tree_id, tuple(found)) for tree_id, found in sorted(problems.items())]
    return check


def _batches(tree_ids: Iterable[int] | None, batch_size: int) -> Iterator[list[int]]:
    if tree_ids is not None:
        wanted = sorted(set(tree_ids))
        for start in range(0, len(wanted), batch_size):
            yield wanted[start : start + batch_size]
        return
    last = 0
    while True:
        batch = list(
            Comment.objects.filter(tree_id__gt=last)
            .order_by("tree_id")
            .values_list("tree_id", flat=True)
            .distinct()[:batch_size]
        )
        if not batch:
            return
        yield batch
        last = batch[-1]


def _problems_in(batch: list[int], sizes: dict[int, int]) -> Iterator[tuple[int, str]]:
    """(tree_id, problem) for the trees of one batch, in four queries; fills
    `sizes` with the number of comments of each tree found."""
    qn = connection.ops.quote_name
    names = {
        "table": qn(Comment._meta.db_table),
        "id": qn(Comment._meta.pk.column),
        "parent": qn(Comment._meta.get_field("parent").column),
        "tree": qn("tree_id"),
        "lft": qn("lft"),
        "rght": qn("rght"),
        "level": qn("level"),
        "in_batch": "IN (" + ", ".join(["%s"] * len(batch)) + ")",
    }

    def rows(sql: str, repeats: int = 1):
        with connection.cursor() as cursor:
            # "%%" stands for the modulo operator: params are always passed.
            cursor.execute(sql.format(**names), batch * repeats)
            return cursor.fetchall()

    for tree_id, size, roots, misplaced, root_lft, root_rght, inverted, odd in rows(_SHAPE_SQL):
        sizes[tree_id] = size
        if roots != 1:
            yield tree_id, "no root" if roots == 0 else f"{roots} roots"
        elif (root_lft, root_rght) != (1, 2 * size):
            yield tree_id, f"the root spans {root_lft}..{root_rght}, not 1..{2 * size}"
        if misplaced:
            yield tree_id, f"{misplaced} comment(s) at level 0 without being the root, or the reverse"
        if inverted:
            yield tree_id, f"{inverted} comment(s) whose lft is not below their rght"
        if odd:
            yield tree_id, f"{odd} comment(s) whose lft..rght cannot hold whole replies"
    for tree_id, distinct, lowest, highest in rows(_VALUES_SQL, repeats=2):
        if (distinct, lowest, highest) != (2 * sizes[tree_id], 1, 2 * sizes[tree_id]):
            yield tree_id, f"lft/rght values are not exactly 1..{2 * sizes[tree_id]} (gaps or duplicates)"
    for tree_id, parent_tree_id, wrong_level, outside, elsewhere in rows(_PARENT_SQL):
        if wrong_level:
            yield tree_id, f"{wrong_level} reply(ies) not at their parent's level plus one"
        if outside:
            yield tree_id, f"{outside} reply(ies) outside their parent's lft..rght"
        if elsewhere:
            yield tree_id, f"{elsewhere} reply(ies) whose parent is in tree {parent_tree_id}"
            yield parent_tree_id, f"{elsewhere} reply(ies) to its comments stored in tree {tree_id}"
    for tree_id, out_of_sequence in rows(_SIBLINGS_SQL):
        yield tree_id, f"{out_of_sequence} reply(ies) not right after their previous sibling or parent"


# Per tree: size, roots, comments whose level disagrees with having a parent,
# the root's range, and comments with an impossible range.
_SHAPE_SQL = """
SELECT {tree}, COUNT(*),
       SUM(CASE WHEN {parent} IS NULL THEN 1 ELSE 0 END),
       SUM(CASE WHEN ({parent} IS NULL) <> ({level} = 0) THEN 1 ELSE 0 END),
       MIN(CASE WHEN {parent} IS NULL THEN {lft} END),
       MAX(CASE WHEN {parent} IS NULL THEN {rght} END),
       SUM(CASE WHEN {lft} >= {rght} THEN 1 ELSE 0 END),
       SUM(CASE WHEN ({rght} - {lft} - 1) %% 2 <> 0 THEN 1 ELSE 0 END)
FROM {table} WHERE {tree} {in_batch}
GROUP BY {tree}
"""

# Per tree: every lft and rght value together; 2n distinct values from 1 to
# 2n means exactly 1..2n, no gaps and no duplicates.
_VALUES_SQL = """
SELECT tree, COUNT(DISTINCT value), MIN(value), MAX(value) FROM (
    SELECT {tree} AS tree, {lft} AS value FROM {table} WHERE {tree} {in_batch}
    UNION ALL
    SELECT {tree}, {rght} FROM {table} WHERE {tree} {in_batch}
) AS tree_values
GROUP BY tree
"""

# Replies against their parents.
_PARENT_SQL = """
SELECT reply.{tree}, parent.{tree},
       SUM(CASE WHEN reply.{level} <> parent.{level} + 1 THEN 1 ELSE 0 END),
       SUM(CASE WHEN reply.{tree} = parent.{tree}
                 AND (reply.{lft} <= parent.{lft} OR reply.{rght} >= parent.{rght}) THEN 1 ELSE 0 END),
       SUM(CASE WHEN reply.{tree} <> parent.{tree} THEN 1 ELSE 0 END)
FROM {table} AS reply JOIN {table} AS parent ON parent.{id} = reply.{parent}
WHERE reply.{tree} {in_batch}
  AND (reply.{level} <> parent.{level} + 1
       OR reply.{lft} <= parent.{lft} OR reply.{rght} >= parent.{rght}
       OR reply.{tree} <> parent.{tree})
GROUP BY reply.{tree}, parent.{tree}
"""

# Siblings in lft order must tile their parent's range: the first starts right
# after the parent's lft, each next one right after the previous one's rght,
# and the last ends right before the parent's rght. With the root at 1..2n this
# is what rules out replies nested under the wrong comment or overlapping.
_SIBLINGS_SQL = """
SELECT reply.tree, COUNT(*) FROM (
    SELECT {parent} AS parent_id, {tree} AS tree, {lft} AS lft, {rght} AS rght,
           LAG({rght}) OVER (PARTITION BY {parent} ORDER BY {lft}, {id}) AS previous_rght,
           LEAD({lft}) OVER (PARTITION BY {parent} ORDER BY {lft}, {id}) AS next_lft
    FROM {table} WHERE {tree} {in_batch} AND {parent} IS NOT NULL
) AS reply JOIN {table} AS parent ON parent.{id} = reply.parent_id
WHERE (reply.previous_rght IS NULL AND reply.lft <> parent.{lft} + 1)
   OR (reply.previous_rght IS NOT NULL AND reply.lft <> reply.previous_rght + 1)
   OR (reply.next_lft IS NULL AND reply.rght <> parent.{rght} - 1)
GROUP BY reply.tree
"""


# --- Repairing -------------------------------------------------------------


def repair_tree(tree_id: int) -> list[int]:
    """Rebuild a broken tree from its parent links, replies in posting order.
    Returns the ids of the trees rebuilt: none when the tree was sound, more
    than one when comments of another thread had been mixed into it."""
    with transaction.atomic():
        _lock_roots({tree_id})
        # Checked again under the lock: a concurrent repair may have fixed it.
        if not check_trees([tree_id]).broken:
            return []
        trees = _regroup_by_parent_links(tree_id)
        for each in sorted(trees):
            _rebuild_in_posting_order(each)
        still_broken = check_trees(trees).broken
        if still_broken:
            raise TreeRepairFailed("; ".join(str(tree) for tree in still_broken))
    return sorted(trees)


def _lock_roots(tree_ids: set[int]) -> None:
    """Hold the root rows replying locks (level 0), and any parentless comment."""
    list(
        Comment.objects.select_for_update()
        .filter(Q(level=0) | Q(parent__isnull=True), tree_id__in=tree_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _regroup_by_parent_links(tree_id: int) -> set[int]:
    """Make tree_id follow the parent links: a second root keeps its own thread
    in a new tree, and each reply joins its parent's tree. Returns every tree
    touched."""
    trees = {tree_id}
    for _ in range(_MAX_PASSES):
        touched = _give_extra_roots_their_own_tree(trees) | _move_replies_to_parents_tree(trees)
        if touched <= trees:
            return trees
        trees |= touched
        _lock_roots(touched)
    raise TreeRepairFailed(f"tree {tree_id}: the parent links do not settle (a loop?)")


def _give_extra_roots_their_own_tree(trees: set[int]) -> set[int]:
    """The earliest parentless comment keeps the tree; each later one (another
    thread) moves to a new tree, and its replies follow it later."""
    moved = set()
    roots = Comment.objects.filter(tree_id__in=trees, parent__isnull=True).order_by("pk")
    kept = set()
    for pk, tree_id in roots.values_list("pk", "tree_id"):
        if tree_id not in kept:
            kept.add(tree_id)
            continue
        new_tree_id = _new_tree_id()
        Comment.objects.filter(pk=pk).update(tree_id=new_tree_id)
        moved.add(new_tree_id)
    return moved


def _new_tree_id() -> int:
    # The same lock and rule as django-mptt's for a new thread (highest id plus one).
    lock_new_thread_allocation()
    return (Comment.objects.aggregate(highest=Max("tree_id"))["highest"] or 0) + 1


def _move_replies_to_parents_tree(trees: set[int]) -> set[int]:
    """Replies in these trees whose parent is elsewhere (and replies elsewhere to
    comments in these trees) join their parent's tree, one level per pass."""
    touched = set()
    for _ in range(_MAX_PASSES):
        strays = (
            Comment.objects.filter(parent__isnull=False)
            .filter(Q(tree_id__in=trees | touched) | Q(parent__tree_id__in=trees | touched))
            .exclude(tree_id=F("parent__tree_id"))
            .values_list("pk", "tree_id", "parent__tree_id")
        )
        by_new_tree = defaultdict(list)
        for pk, old_tree_id, parent_tree_id in strays:
            by_new_tree[parent_tree_id].append(pk)
            touched |= {old_tree_id, parent_tree_id}
        if not by_new_tree:
            return touched
        for new_tree_id, pks in by_new_tree.items():
            Comment.objects.filter(pk__in=pks).update(tree_id=new_tree_id)
    raise TreeRepairFailed("the parent links do not settle (a loop?)")


def _rebuild_in_posting_order(tree_id: int) -> None:
    # partial_rebuild takes siblings in (tree_id, lft) order when, as here,
    # order_insertion_by is empty; a broken tree's lft says nothing reliable,
    # so lft is first set to the posting order (pk, counted from 1 in the tree).
    first = Comment.objects.filter(tree_id=tree_id).aggregate(first=Min("pk"))["first"]
    if first is None:
        return
    Comment.objects.filter(tree_id=tree_id).update(lft=F("pk") - first + 1)
    Comment.objects.partial_rebuild(tree_id)
