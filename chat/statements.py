"""The hot path's statements as SQL made once, run many times.

The ORM compiles every statement anew, and for the rows a chat turn reads and writes
that cost four or five times what SQLite takes to run them (docs/performance.md).

Writes: the SQL is built from the model's `_meta` and the connection's quoting, and
every value goes through its field's own `pre_save` and `get_db_prep_save`, as the
ORM's does: for plain values (no expressions such as F() or Now(), no unsaved related
objects, an automatic pk) a row written here is the row `Model.save()` writes. No
signals are sent (nothing listens to these models' saves; tests/chat/test_statements.py
checks), and nothing is validated: callers validate what they take from outside.

Reads: a queryset built by a function (of one pk, or of nothing) is compiled by the
ORM once, for a stand-in pk, and its rows go through the ORM's own converters, so
they are what the queryset itself returns.
"""

from collections.abc import Callable, Iterable
from functools import cache

from django.db import connections, models, router
from django.db.models import QuerySet
from django.db.models.sql.compiler import SQLCompiler

# A module-level function (it keys the kept SQL, so never a fresh lambda per call)
# whose queryset uses its pk argument once, as a plain lookup value.
type QueryOfPk = Callable[[int], QuerySet]
# Compiled into a query in place of its pk.
_ANY_PK = -1


def rows_insert(rows: list[models.Model]) -> None:
    """INSERT `rows` (all of one model) in one statement and give each its pk."""
    model = type(rows[0])
    alias = router.db_for_write(model)
    connection = connections[alias]
    fields = _insert_fields(model)
    params = [
        field.get_db_prep_save(field.pre_save(row, True), connection)
        for row in rows
        for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(model, alias, len(rows)), params)
        # Auto-increment keys follow the VALUES' order, whatever RETURNING's order.
        pks = sorted(pk for (pk,) in cursor.fetchall())
    for row, pk in zip(rows, pks, strict=True):
        row.pk = pk
        row._state.adding = False
        row._state.db = alias


def row_update(row: models.Model, field_names: tuple[str, ...]) -> int:
    """UPDATE `row`'s `field_names` (auto_now ones set now) in one statement; how many
    rows it changed (0: no row has its pk)."""
    model = type(row)
    alias = router.db_for_write(model)
    connection = connections[alias]
    fields = [model._meta.get_field(name) for name in field_names]
    params = [
        field.get_db_prep_save(field.pre_save(row, False), connection)
        for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(_update_sql(model, alias, field_names), [*params, row.pk])
        return cursor.rowcount


def _insert_fields(model: type[models.Model]) -> list[models.Field]:
    return [field for field in model._meta.concrete_fields if not field.primary_key]


@cache
def _insert_sql(model: type[models.Model], alias: str, count: int) -> str:
    quote = connections[alias].ops.quote_name
    fields = _insert_fields(model)
    columns = ", ".join(quote(field.column) for field in fields)
    values = "(" + ", ".join(["%s"] * len(fields)) + ")"
    return (
        f"INSERT INTO {quote(model._meta.db_table)} ({columns}) "
        f"VALUES {', '.join([values] * count)} "
        f"RETURNING {quote(model._meta.pk.column)}"
    )


@cache
def _update_sql(
    model: type[models.Model], alias: str, field_names: tuple[str, ...]
) -> str:
    quote = connections[alias].ops.quote_name
    meta = model._meta
    assignments = ", ".join(
        f"{quote(meta.get_field(name).column)} = %s" for name in field_names
    )
    return (
        f"UPDATE {quote(meta.db_table)} SET {assignments} "
        f"WHERE {quote(meta.pk.column)} = %s"
    )


def rows_select(query_of: QueryOfPk, pk: int) -> list[tuple]:
    """The rows of `query_of(pk)`, a `values_list` queryset."""
    return list(_compiled(query_of, takes_pk=True).rows(pk))


def objects_select(
    query_of: QueryOfPk | Callable[[], QuerySet], pk: int | None = None
) -> list[models.Model]:
    """The model instances of `query_of(pk)` (or of `query_of()`, given no pk), a
    queryset of one model; fields it defers are deferred on them too."""
    compiled = _compiled(query_of, takes_pk=pk is not None)
    model = compiled.compiler.query.model
    return [
        model.from_db(compiled.alias, compiled.attnames, row)
        for row in compiled.rows(pk)
    ]


class _Compiled:
    """A queryset's SQL, parameters, compiler and converters, for any pk."""

    def __init__(self, queryset: QuerySet, *, takes_pk: bool) -> None:
        self.alias = queryset.db
        self.compiler: SQLCompiler = queryset.query.get_compiler(using=self.alias)
        self.sql, self.params = self.compiler.as_sql()
        # The pk must be the one such value, and a query of no pk have none.
        if list(self.params).count(_ANY_PK) != takes_pk:
            what = "one pk" if takes_pk else "no pk"
            raise ValueError(f"a query of {what}, not of {self.params}")
        columns = [column for column, _, _ in self.compiler.select]
        columns = columns[: self.compiler.col_count]
        self.attnames = [column.target.attname for column in columns]
        # What the compiler's results_iter works out again for every query.
        self.converters = self.compiler.get_converters(columns)

    def rows(self, pk: int | None) -> Iterable[tuple]:
        """The query's rows for `pk`, as its queryset's values_list gives them."""
        params = [pk if param == _ANY_PK else param for param in self.params]
        with connections[self.alias].cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if not self.converters:
            return rows
        return map(tuple, self.compiler.apply_converters(rows, self.converters))


@cache
def _compiled(query_of: Callable[..., QuerySet], *, takes_pk: bool) -> _Compiled:
    queryset = query_of(_ANY_PK) if takes_pk else query_of()
    return _Compiled(queryset, takes_pk=takes_pk)
