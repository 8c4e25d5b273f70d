"""forum.prepared: a queryset compiled once answers like the ORM for every
run's values, and refuses a builder whose query would keep a stale value."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist
from django.db import connection
from django.db.models import Exists, OuterRef, Value
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from forum.models import Comment, RoomModerator
from forum.prepared import PreparedQuery, PreparedUpdate
from forum.selectors import rooms as room_selectors
from forum.selectors.rooms import get_room_to_read
from forum.services.visits import record_room_visit
from tests import factories


def _people_since(*, joined_after, commented_after, room_id):
    return (
        User.objects.filter(date_joined__gt=joined_after)
        .annotate(commented=Exists(Comment.objects.filter(author=OuterRef("pk"), room_id=room_id)))
        .filter(pk__gt=commented_after)
        .order_by("pk")
        .values("pk", "display_name", "date_joined", "commented")
    )


PEOPLE_SINCE = PreparedQuery(_people_since, joined_after=datetime, commented_after=int, room_id=int)


@pytest.mark.django_db
def test_each_run_answers_as_the_orm_would_for_its_own_values(room):
    earlier = factories.make_user("Earlier")
    later = factories.make_user("Later")
    factories.make_comment(room, later)
    for values in (
        {"joined_after": timezone.now() - timedelta(days=1), "commented_after": 0, "room_id": room.pk},
        {"joined_after": timezone.now() - timedelta(days=1), "commented_after": earlier.pk, "room_id": room.pk},
        {"joined_after": timezone.now() + timedelta(days=1), "commented_after": 0, "room_id": room.pk},
        {"joined_after": timezone.now() - timedelta(days=1), "commented_after": 0, "room_id": room.pk + 1},
    ):
        assert PEOPLE_SINCE.rows(**values) == list(_people_since(**values))


@pytest.mark.django_db
def test_rows_come_back_converted_and_in_one_query(room):
    person = factories.make_user("Commenter")
    factories.make_comment(room, person)
    values = {"joined_after": timezone.now() - timedelta(days=1), "commented_after": person.pk - 1, "room_id": room.pk}
    PEOPLE_SINCE.rows(**values)
    with CaptureQueriesContext(connection) as queries:
        (row,) = PEOPLE_SINCE.rows(**values)
    assert len(queries) == 1
    assert row["commented"] is True
    assert row["date_joined"] == person.date_joined and row["date_joined"].tzinfo is not None


@pytest.mark.django_db
def test_one_wants_exactly_one_row():
    assert PEOPLE_SINCE.rows(joined_after=timezone.now(), commented_after=0, room_id=1) == []
    with pytest.raises(ObjectDoesNotExist):
        PEOPLE_SINCE.one(joined_after=timezone.now(), commented_after=0, room_id=1)


@pytest.mark.django_db
def test_a_value_worked_out_from_an_argument_is_refused():
    query = PreparedQuery(
        lambda *, now: User.objects.filter(date_joined__gt=now - timedelta(hours=1)).values("pk"), now=datetime
    )
    with pytest.raises(ImproperlyConfigured, match="argument of its own"):
        query.rows(now=timezone.now())


@pytest.mark.django_db
def test_a_query_whose_shape_follows_its_values_is_refused():
    query = PreparedQuery(lambda *, n: User.objects.filter(pk__in=range(n % 3)).values("pk"), n=int)
    with pytest.raises(ImproperlyConfigured, match="must not depend"):
        query.rows(n=5)


@pytest.mark.django_db
def test_an_argument_the_query_never_uses_is_refused():
    query = PreparedQuery(lambda *, n, day: User.objects.filter(pk=n).values("pk"), n=int, day=date)
    with pytest.raises(ImproperlyConfigured, match="never uses"):
        query.rows(n=1, day=date.today())


def test_only_ints_moments_and_days_can_be_stood_in_for():
    with pytest.raises(ImproperlyConfigured):
        PreparedQuery(lambda *, name: User.objects.filter(display_name=name).values("pk"), name=str)


@pytest.mark.django_db
def test_a_constant_beside_the_arguments_stays_as_built():
    query = PreparedQuery(
        lambda *, n: User.objects.filter(pk__gte=n).annotate(label=Value("kept")).values("pk", "label"), n=int
    )
    person = factories.make_user()
    assert query.rows(n=person.pk) == [{"pk": person.pk, "label": "kept"}]


# --- The room page's prepared query about its reader -------------------------------------


def _orm_viewer_facts(user, room, now):
    """The same facts through the ORM, built afresh (what the prepared query replaced)."""
    build = room_selectors._VIEWER_FACTS[user.is_staff]._build
    return build(**room_selectors.viewer_facts_arguments(user, room, now)).get()


@pytest.mark.django_db
@pytest.mark.parametrize("staff", [False, True])
def test_the_reader_s_facts_follow_the_clock_and_the_rows(room, staff):
    reader = factories.make_user("Reader", is_staff=staff)
    other = factories.make_user("Other")
    factories.make_comment(room, other)
    slugs = room.consultation.slug, room.slug
    start = datetime(2026, 3, 2, 9, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        get_room_to_read(User.objects.get(pk=reader.pk), *slugs)
        fresh = User.objects.get(pk=reader.pk)
        _room, reading = get_room_to_read(fresh, *slugs)
        record_room_visit(fresh, room=room, reading=reading)
        RoomModerator.objects.create(room=room, user=reader, starts_on=date(2026, 3, 10))
    for moment in (start + timedelta(minutes=5), start + timedelta(hours=3), datetime(2026, 3, 9, 12, tzinfo=UTC)):
        with time_machine.travel(moment, tick=False):
            factories.make_comment(room, other)
            fresh = User.objects.get(pk=reader.pk)
            _room, reading = get_room_to_read(fresh, *slugs)
            expected = _orm_viewer_facts(fresh, room, timezone.now())
            assert reading.new_count == expected["reading_new_count"]
            assert reading.first_new_id == expected["reading_first_new_id"]
            assert fresh._header_facts == (expected["header_unread"], expected["header_might_moderate"])
    # A day before the shift starts, the header may look for a queue; three days before, not.
    with time_machine.travel(datetime(2026, 3, 9, 12, tzinfo=UTC), tick=False):
        fresh = User.objects.get(pk=reader.pk)
        get_room_to_read(fresh, *slugs)
        assert fresh._header_facts[1] is True
    with time_machine.travel(datetime(2026, 3, 7, 12, tzinfo=UTC), tick=False):
        fresh = User.objects.get(pk=reader.pk)
        get_room_to_read(fresh, *slugs)
        assert fresh._header_facts[1] is False


# --- Updates ---------------------------------------------------------------------------


def _rename(*, user_id, joined_at):
    return User.objects.filter(pk=user_id), {"date_joined": joined_at, "display_name": Value("Renamed")}


RENAME = PreparedUpdate(_rename, user_id=int, joined_at=datetime)


@pytest.mark.django_db
def test_an_update_changes_the_rows_its_values_pick():
    first, second = factories.make_user("First"), factories.make_user("Second")
    moment = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert RENAME.run(user_id=second.pk, joined_at=moment) == 1
    assert RENAME.run(user_id=second.pk + 1000, joined_at=moment) == 0
    second.refresh_from_db()
    first.refresh_from_db()
    assert (second.display_name, second.date_joined) == ("Renamed", moment)
    assert first.display_name == "First"


@pytest.mark.django_db
def test_an_update_worked_out_from_its_arguments_is_refused():
    update = PreparedUpdate(
        lambda *, user_id, at: (User.objects.filter(pk=user_id), {"date_joined": at - timedelta(days=1)}),
        user_id=int,
        at=datetime,
    )
    with pytest.raises(ImproperlyConfigured, match="argument of its own"):
        update.run(user_id=1, at=timezone.now())


# --- On PostgreSQL: parsed and planned once per session ------------------------------


def _prepared_statements():
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {name for (name,) in cursor.fetchall()}


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_postgresql_prepares_the_statement_once_per_session(room):
    values = {"joined_after": timezone.now() - timedelta(days=1), "commented_after": 0, "room_id": room.pk}
    person = factories.make_user("Commenter")
    factories.make_comment(room, person)
    expected = list(_people_since(**values))
    for _session in range(2):
        assert PEOPLE_SINCE.rows(**values) == expected
        with CaptureQueriesContext(connection) as queries:
            assert PEOPLE_SINCE.rows(**values) == expected
        # The same answer, from the statement the session prepared, with no PREPARE counted.
        assert [query["sql"].split(" ")[0] for query in queries] == ["EXECUTE"]
        assert any(name.startswith("forum_prepared_") for name in _prepared_statements())
        # A new session (a reconnection) prepares it again.
        connection.close()


@pytest.mark.postgresql
@pytest.mark.django_db
def test_with_prepared_statements_off_the_sql_is_sent_whole(room, settings):
    settings.FORUM_PREPARED_STATEMENTS = False
    values = {"joined_after": timezone.now(), "commented_after": 0, "room_id": room.pk}
    with CaptureQueriesContext(connection) as queries:
        PEOPLE_SINCE.rows(**values)
    assert queries[0]["sql"].startswith("SELECT")
