"""A turn's own writes as SQL made once per model, field list and database.

The ORM compiles every statement anew, and for the rows a chat turn writes that cost
four or five times what SQLite takes to run them (docs/performance.md). The SQL
here is built from the model's `_meta` and the connection's quoting, and every value
goes through its field's own `pre_save` and `get_db_prep_save`, as the ORM's does: a
row written here is the row `Model.save()` writes. No signals are sent (nothing
listens to these saves), and nothing is validated: callers validate what they take
from outside.
"""

from functools import cache

from django.db import connections, models, router


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


def row_update(row: models.Model, field_names: tuple[str, ...]) -> None:
    """UPDATE `row`'s `field_names` (auto_now ones set now) in one statement."""
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
