"""Querysets compiled to SQL once per process and then run with new values.

A few queries run on every page with the same shape, only their values
changing (the viewer's id, the time): the signed-in room page's facts about
its reader, above all. Building such a queryset and compiling it costs the
ORM several milliseconds, more than the database takes to plan and answer it.
`PreparedQuery` builds it once from placeholder values, keeps its SQL and
where each placeholder landed among the parameters, and from then on only
puts each run's values in their places; rows come back through the ORM's own
converters, as `.values()` would give them.

Everything in the query that may differ from one run to the next must come
from the builder's arguments. The first preparation builds the query twice,
with two sets of placeholders, and refuses a query whose SQL or parameters
change in any other way: a value worked out from an argument (the time less
an hour) must be an argument of its own, and so must a date the builder
would otherwise read from the clock.

On PostgreSQL each query is also PREPAREd once per database session, and
then EXECUTEd with its values: the server parses and plans it once, which
was most of its time for the reader's query (FORUM_PREPARED_STATEMENTS turns
this off, for a connection pooler that shares sessions between clients).
"""

import abc
import dataclasses
import itertools
import re
import weakref
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.sql import UpdateQuery

# Placeholders no real value is: ints far above any id, moments and days long gone.
_PLACEHOLDER_BASES = {
    int: (1_900_000_001, 1_950_000_001),
    datetime: (datetime(1901, 2, 3, 4, 5, 6, tzinfo=UTC), datetime(1903, 4, 5, 6, 7, 8, tzinfo=UTC)),
    date: (date(1901, 2, 3), date(1903, 4, 5)),
}


def _placeholder(kind, which: int, index: int):
    base = _PLACEHOLDER_BASES[kind][which]
    if kind is int:
        return base + index
    if kind is datetime:
        return base + timedelta(microseconds=index + 1)
    return base + timedelta(days=index)


def _adapt(connection, kind, value):
    """`value` as the ORM passes it to this database among a query's parameters."""
    if kind is datetime:
        return connection.ops.adapt_datetimefield_value(value)
    if kind is date:
        return connection.ops.adapt_datefield_value(value)
    return value


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    slots: tuple[tuple[int, str], ...]  # (index among the parameters, argument)
    compiler: object
    # For a PreparedQuery: its columns' names, and the ORM's converters for them.
    names: tuple[str, ...] = ()
    converters: dict = dataclasses.field(default_factory=dict)
    # For PostgreSQL's PREPARE: the parameters' types (None: not to be prepared),
    # the statement's name, its SQL with $1, $2…, and how to run it.
    server_types: tuple[str, ...] | None = None
    name: str = ""
    numbered_sql: str = ""
    execute_sql: str = ""


# PostgreSQL's names for the parameters' types, checked in this order (bool is an int).
_SERVER_TYPES = ((bool, "boolean"), (int, "bigint"), (str, "text"), (datetime, "timestamptz"), (date, "date"))
_statement_numbers = itertools.count(1)


def _server_types(params) -> tuple[str, ...] | None:
    types = []
    for value in params:
        kind = next((name for python, name in _SERVER_TYPES if isinstance(value, python)), None)
        if kind is None:
            return None
        types.append(kind)
    return tuple(types)


class _Prepared(abc.ABC):
    """What both kinds share: the placeholders, the checks, one compilation per
    database connection (they are per thread), and running the SQL with values."""

    def __init__(self, build, *, using: str = DEFAULT_DB_ALIAS, **kinds):
        unknown = {name: kind for name, kind in kinds.items() if kind not in _PLACEHOLDER_BASES}
        if unknown:
            raise ImproperlyConfigured(f"A prepared query cannot stand in for {unknown}.")
        self._build = build
        self._using = using
        self._kinds = kinds
        # Per database connection, so per thread: no two threads share an entry.
        self._compiled = weakref.WeakKeyDictionary()
        # The database sessions (psycopg connections) this query is prepared in.
        self._prepared_in = weakref.WeakKeyDictionary()

    @abc.abstractmethod
    def _compiler(self, built, connection):
        """The SQL compiler for what the builder returned, on this connection."""

    def _described(self, compiled: _Compiled) -> _Compiled:
        """What running it needs to know besides its SQL, worked out once."""
        return compiled

    def _run(self, values, fetch):
        if values.keys() != self._kinds.keys():
            raise TypeError(f"Expected the values of {sorted(self._kinds)}, got {sorted(values)}.")
        connection = connections[self._using]
        compiled = self._compiled.get(connection)
        if compiled is None:
            compiled = self._compiled[connection] = self._compile(connection)
        params = list(compiled.params)
        for index, name in compiled.slots:
            params[index] = _adapt(connection, self._kinds[name], values[name])
        with connection.cursor() as cursor:
            cursor.execute(self._statement(connection, cursor, compiled), params)
            return fetch(cursor, compiled)

    def _statement(self, connection, cursor, compiled) -> str:
        """The SQL to run: on PostgreSQL (unless FORUM_PREPARED_STATEMENTS is off),
        a statement the server has parsed and planned once per session, the
        planning being most of what a query of this size costs it."""
        if compiled.server_types is None or not settings.FORUM_PREPARED_STATEMENTS:
            return compiled.sql
        session = connection.connection
        prepared = self._prepared_in.setdefault(session, set())
        if compiled.name not in prepared:
            # Straight to psycopg, as a part of the query it prepares: not logged
            # or counted as a query of its own (the page's budgets count queries).
            with connection.wrap_database_errors:
                cursor.cursor.execute(
                    f"PREPARE {compiled.name} ({', '.join(compiled.server_types)}) AS {compiled.numbered_sql}"
                )
            prepared.add(compiled.name)
        return compiled.execute_sql

    def _placeholders(self, which: int) -> dict:
        return {name: _placeholder(kind, which, index) for index, (name, kind) in enumerate(self._kinds.items())}

    def _compile(self, connection) -> _Compiled:
        first, second = self._placeholders(0), self._placeholders(1)
        compiler = self._compiler(self._build(**first), connection)
        sql, params = compiler.as_sql()
        other_sql, other_params = self._compiler(self._build(**second), connection).as_sql()
        if sql != other_sql or len(params) != len(other_params):
            raise ImproperlyConfigured("A prepared query's SQL must not depend on its arguments' values.")
        expected = {
            _adapt(connection, kind, first[name]): (name, _adapt(connection, kind, second[name]))
            for name, kind in self._kinds.items()
        }
        slots = []
        for index, (value, other) in enumerate(zip(params, other_params, strict=True)):
            if value == other:
                continue
            name, expected_other = expected.get(value, (None, None))
            if name is None or other != expected_other:
                raise ImproperlyConfigured(
                    f"Parameter {index} of a prepared query changes with its arguments without being one of them: "
                    "work it out in the caller and pass it as an argument of its own."
                )
            slots.append((index, name))
        missing = set(self._kinds) - {name for _index, name in slots}
        if missing:
            raise ImproperlyConfigured(f"A prepared query never uses {sorted(missing)}.")
        compiled = self._described(_Compiled(sql=sql, params=tuple(params), slots=tuple(slots), compiler=compiler))
        server_types = _server_types(params) if connection.vendor == "postgresql" else None
        if server_types is None:
            return compiled
        numbers = itertools.count(1)
        name = f"forum_prepared_{next(_statement_numbers)}"
        return dataclasses.replace(
            compiled,
            server_types=server_types,
            name=name,
            # Django's SQL doubles a literal %, as psycopg's client-side parameters want.
            numbered_sql=re.sub(r"%s|%%", lambda match: f"${next(numbers)}" if match[0] == "%s" else "%", sql),
            execute_sql=f"EXECUTE {name} ({', '.join(['%s'] * len(params))})" if params else f"EXECUTE {name}",
        )


class PreparedQuery(_Prepared):
    """`build(**arguments)` returns a `.values(...)` queryset; `kinds` gives each
    argument's type (int, datetime or date). `rows(**arguments)` and
    `one(**arguments)` run it with those values on the `using` database."""

    def rows(self, **values) -> list[dict]:
        return self._run(values, self._fetch)

    def one(self, **values) -> dict:
        rows = self.rows(**values)
        if len(rows) != 1:
            raise ObjectDoesNotExist(f"The prepared query found {len(rows)} rows instead of one.")
        return rows[0]

    def _compiler(self, queryset, connection):
        query = queryset.query
        if not query.values_select and not query.annotation_select:
            raise ImproperlyConfigured("A prepared query is a .values() queryset.")
        return query.get_compiler(connection=connection)

    def _described(self, compiled: _Compiled) -> _Compiled:
        compiler = compiled.compiler
        query = compiler.query
        fields = [column for column, _sql, _alias in compiler.select[: compiler.col_count]]
        return dataclasses.replace(
            compiled,
            # As ValuesIterable names the columns, and with the ORM's converters.
            names=tuple(query.selected or (*query.extra_select, *query.values_select, *query.annotation_select)),
            converters=compiler.get_converters(fields),
        )

    @staticmethod
    def _fetch(cursor, compiled) -> list[dict]:
        rows = cursor.fetchall()
        if compiled.converters:
            rows = compiled.compiler.apply_converters(rows, compiled.converters)
        return [dict(zip(compiled.names, row, strict=True)) for row in rows]


class PreparedUpdate(_Prepared):
    """`build(**arguments)` returns a queryset and the changes its `.update()`
    would make, as a pair; `run(**arguments)` makes them and returns how many
    rows changed. For an UPDATE as plain as the room visit's (one table)."""

    def run(self, **values) -> int:
        return self._run(values, lambda cursor, _compiled: cursor.rowcount)

    def _compiler(self, built, connection):
        queryset, changes = built
        query = queryset.query.chain(UpdateQuery)
        query.add_update_values(changes)
        return query.get_compiler(connection=connection)
