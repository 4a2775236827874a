"""Database helpers shared by the services.

``retry_on_deadlock``: PostgreSQL breaks a deadlock by aborting one of the transactions in it (SQLSTATE
40P01; 40001 for a serialization failure). A case action writes several tally rows through triggers
(analytics/tally.py) — the clock it stops and the clock it starts may belong to two bodies — so two
actions running at once on two cases can take the same two tally rows in opposite orders. Each single
statement takes its rows in one order, but the statements of one action follow the action's logic.
The aborted transaction changed nothing, so running the service again is safe and is what a user would
otherwise do by hand. A service wrapped here must open its own transaction; inside an outer transaction
(``atomic`` around the call) the whole outer transaction is lost, so the error is raised unchanged.
"""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, OperationalError, connection, connections, router, transaction
from django.db.models import Expression, Field, Model, QuerySet
from django.db.models.query import ModelIterable
from django.db.models.signals import post_save, pre_save
from django.db.models.sql.subqueries import InsertQuery, UpdateQuery

RETRY_SQLSTATES = frozenset({"40P01", "40001"})  # deadlock_detected, serialization_failure
ATTEMPTS = 3


def is_deadlock(exc: BaseException) -> bool:
    cause = exc.__cause__
    code = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    return code in RETRY_SQLSTATES


def retry_on_deadlock(fn):
    """Run the wrapped service again (up to ``ATTEMPTS`` times in all) when the database aborted its
    transaction to break a deadlock; any other error, or one inside an outer transaction, goes up."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return fn(*args, **kwargs)
            except OperationalError as exc:
                if attempt == ATTEMPTS or connection.in_atomic_block or not is_deadlock(exc):
                    raise
                time.sleep(random.uniform(0.005, 0.02) * attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    return wrapper


def counter_bump(model, *, body_id: int, year: int) -> int | None:
    """``last + 1`` on a per-body-and-year counter row (the 编号 and 文号 sequences) and the new value, in one
    ``UPDATE … RETURNING`` that holds the row's lock until the transaction ends; None when the body has no row
    for the year yet (the caller creates it)."""
    with connections[router.db_for_write(model)].cursor() as cur:
        cur.execute(
            f"UPDATE {model._meta.db_table} SET last = last + 1 WHERE body_id = %s AND year = %s RETURNING last",
            [body_id, year],
        )
        row = cur.fetchone()
    return row[0] if row else None


# ------------------------------------------------------------------------------- prepared statements

# Stand-ins for the integer arguments while a prepared statement is compiled: their places among the compiled
# parameters are where each call's values go.
_STAND_IN = -7_340_912_518_000_000


class _Slot(Expression):
    """A value of an UPDATE's SET clause, bound per call (``PreparedUpdate``): compiles to one placeholder."""

    def __init__(self, token: object, output_field: Field):
        super().__init__(output_field=output_field)
        self.token = token

    def resolve_expression(self, *args, **kwargs):
        return self

    def as_sql(self, compiler, connection):
        return "%s", [self.token]


@dataclass
class _Compiled:
    sql: str
    params: list[Any]
    slots: list[tuple[int, int]]  # (place among the params, index of the argument bound there)
    converters: dict[int, tuple[list[Callable], Any]]
    model: Any = None  # model instances are made of the rows (else tuples)
    attnames: list[str] | None = None
    fields: list[Field] | None = None  # PreparedUpdate: the SET fields, each value prepared as save() would


class Prepared:
    """A read the ORM writes once per database, then runs many times with new ids.

    ``build(*ids, *fixed)`` returns the QuerySet — the rule lives there, as for any other read (a selector's
    queryset, sliced or with ``values_list``); it is called once per database alias and set of ``fixed``
    values with stand-ins for the ``ids``, compiled, and the stand-ins' places among the parameters kept.
    ``rows(*ids, fixed=…)`` then runs that SQL with the call's ids: the statement the ORM would write for
    them, without building and compiling the query on every call (for a small query, most of its CPU). The
    varying arguments are integers (ids), or text where ``text`` says so by position (an exact match: a
    lookup that changes its value, ``icontains``, fails at the first compilation); anything else is
    ``fixed`` (part of the key, baked into the SQL). An argument that is None runs the queryset itself
    (``= NULL`` compiles to ``IS NULL``).

    Rows come back as the queryset gives them: tuples for ``values_list``, model instances otherwise (no
    ``select_related`` or annotations), with the same value converters."""

    def __init__(self, build: Callable[..., QuerySet], *, text: tuple[int, ...] = ()):
        self.build = build
        self.text = frozenset(text)
        self._compiled: dict[tuple, _Compiled] = {}

    def _compile(self, using: str, n: int, fixed: tuple) -> _Compiled:
        key = (using, n, fixed)
        compiled = self._compiled.get(key)
        if compiled is None:
            stand_ins = [f"\x00stand-in {i}" if i in self.text else _STAND_IN - i for i in range(n)]
            qs = self.build(*stand_ins, *fixed)
            compiled = self._compiled[key] = self._from_compiler(qs, using, stand_ins)
        return compiled

    def _from_compiler(self, qs: QuerySet, using: str, stand_ins: list) -> _Compiled:
        compiler = qs.query.get_compiler(using)
        sql, params = compiler.as_sql()
        params = list(params)
        slots = _slots(params, stand_ins)
        converters = compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]])
        klass_info = compiler.klass_info
        if issubclass(qs._iterable_class, ModelIterable):
            if klass_info.get("related_klass_infos") or compiler.annotation_col_map:
                raise ValueError("Prepared: no select_related or annotations on a model read")
            start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
            attnames = [s[0].target.attname for s in compiler.select[start:end]]
            return _Compiled(sql, params, slots, converters, klass_info["model"], attnames)
        return _Compiled(sql, params, slots, converters)

    def rows(self, *ids: int | str | None, fixed: tuple = (), using: str = "default") -> list[Any]:
        if any(i is None for i in ids):
            return list(self.build(*ids, *fixed))
        compiled = self._compile(using, len(ids), fixed)
        connection = connections[using]
        # str() / int(): what the ORM's lookup makes of the value (an id given as "12" too)
        values = [str(v) if i in self.text else int(v) for i, v in enumerate(ids)]
        with connection.cursor() as cur:
            cur.execute(compiled.sql, _bind(compiled, values))
            rows = cur.fetchall()
        return _converted(compiled, rows, connection, using)

    def first(self, *ids: int | str | None, fixed: tuple = (), using: str = "default") -> Any:
        rows = self.rows(*ids, fixed=fixed, using=using)
        return rows[0] if rows else None


class PreparedUpdate:
    """An UPDATE the ORM writes once per database (``build(*ids, *fixed)`` gives the QuerySet of the rows,
    ``fields`` the columns SET), then runs with new ids and values: ``run(*ids, values=[…], fixed=…)`` returns
    the number of rows changed. Each value is prepared for the database as ``QuerySet.update`` would
    (``get_db_prep_save``). Like ``update()`` it sends no signals and sets no ``auto_now`` column."""

    def __init__(self, build: Callable[..., QuerySet], fields: tuple[str, ...]):
        self.build = build
        self.field_names = fields
        self._compiled: dict[tuple, _Compiled] = {}

    def _compile(self, using: str, n: int, fixed: tuple) -> _Compiled:
        key = (using, n, fixed)
        compiled = self._compiled.get(key)
        if compiled is None:
            stand_ins = [_STAND_IN - i for i in range(n)]
            qs = self.build(*stand_ins, *fixed)
            fields = [qs.model._meta.get_field(name) for name in self.field_names]
            tokens = [object() for _ in fields]
            query = qs.query.chain(UpdateQuery)
            sets = [(f, None, _Slot(t, f)) for f, t in zip(fields, tokens, strict=True)]
            query.add_update_fields(sets)  # type: ignore[attr-defined]  # an UpdateQuery's
            sql, params = query.get_compiler(using).as_sql()
            params = list(params)
            slots = _slots(params, stand_ins)
            slots += [(params.index(t), len(stand_ins) + i) for i, t in enumerate(tokens)]
            compiled = self._compiled[key] = _Compiled(sql, params, slots, {}, fields=fields)
        return compiled

    def run(self, *ids: int, values: list[Any], fixed: tuple = (), using: str = "default") -> int:
        if any(i is None for i in ids):
            return self.build(*ids, *fixed).update(**dict(zip(self.field_names, values, strict=True)))
        compiled = self._compile(using, len(ids), fixed)
        connection = connections[using]
        prepared = [
            f.get_db_prep_save(
                v.prepare_database_save(f) if hasattr(v, "prepare_database_save") else v, connection
            )
            for f, v in zip(compiled.fields, values, strict=True)
        ]
        with connection.cursor() as cur:
            cur.execute(compiled.sql, _bind(compiled, [*ids, *prepared]))
            return cur.rowcount


_RELATED: dict[Field, Prepared] = {}


def related(obj: Model, name: str) -> Any:
    """``obj.<name>`` for a foreign key to the related model's primary key: the instance already cached on
    ``obj``, else the row read by a statement compiled once per field (the descriptor's own read,
    ``_base_manager.filter(pk=…)``), then cached on ``obj`` as the descriptor caches it — on a hot path a lazy
    load compiles its query on every call. An empty key, a one-to-one, a key to another column or a row
    that is gone (``DoesNotExist``) go through the descriptor itself."""
    field: Any = obj._meta.get_field(name)
    if field.is_cached(obj):
        return field.get_cached_value(obj)
    value = getattr(obj, field.attname)
    target = field.related_model
    if not isinstance(value, int) or not field.many_to_one or field.target_field is not target._meta.pk:
        return getattr(obj, name)  # None for an empty key, without a query
    read = _RELATED.get(field)
    if read is None:
        read = _RELATED[field] = Prepared(lambda pk: target._base_manager.filter(pk=pk))
    found = read.first(value, using=router.db_for_read(target, instance=obj))
    if found is None:
        return getattr(obj, name)
    field.set_cached_value(obj, found)
    return found


def first_of(qs: QuerySet) -> QuerySet:
    """The one-row slice ``qs.first()`` reads (ordered by pk unless the queryset has an order), for a
    ``Prepared`` read that stands for a ``first()``."""
    return (qs if qs.ordered else qs.order_by("pk"))[:1]


def _slots(params: list[Any], stand_ins: list) -> list[tuple[int, int]]:
    slots = [
        (at, stand_ins.index(p))
        for at, p in enumerate(params)
        if isinstance(p, int | str) and not isinstance(p, bool) and p in stand_ins
    ]
    if {i for _, i in slots} != set(range(len(stand_ins))):
        raise ValueError("Prepared: an argument did not reach the SQL as a parameter")
    return slots


def _bind(compiled: _Compiled, values) -> list[Any]:
    params = compiled.params.copy()
    for at, i in compiled.slots:
        params[at] = values[i]
    return params


def _converted(compiled: _Compiled, rows: list, connection, using: str) -> list[Any]:
    if compiled.converters:
        rows = [list(row) for row in rows]
        for row in rows:
            for pos, (convs, expression) in compiled.converters.items():
                value = row[pos]
                for converter in convs:
                    value = converter(value, expression, connection)
                row[pos] = value
    if compiled.model is not None:
        from_db, attnames = compiled.model.from_db, compiled.attnames
        return [from_db(using, attnames, row) for row in rows]
    return [tuple(row) for row in rows]


# ------------------------------------------------------------------ one row written as save() writes it

_INSERTS: dict[tuple, tuple[str, list[Field], list[Field], dict]] = {}
_UPDATES: dict[tuple, PreparedUpdate] = {}


def _plain_model(meta) -> bool:
    """One table, nothing save() would add beyond its columns (no parents, order_with_respect_to, proxy)."""
    return not meta.parents and not meta.order_with_respect_to and not meta.proxy


def row_insert(obj: Model, *, using: str | None = None) -> None:
    """``Model.save(obj)`` for a new row of a plain model (one table), with the INSERT compiled once per model and
    database: the same signals, the same values (each field's ``pre_save`` and ``get_db_prep_save``), the
    same ``RETURNING`` of the new id. Anything else — a row with its id already set, a value that is an
    expression, a model with parents — goes through ``Model.save`` itself (a model's own
    ``save`` calls this in place of ``super().save()``)."""
    model = type(obj)
    meta = model._meta
    using = using or router.db_for_write(model, instance=obj)
    if not obj._state.adding or obj.pk is not None or not _plain_model(meta):
        Model.save(obj, using=using)
        return
    obj._prepare_related_fields_for_save(operation_name="save")  # type: ignore[attr-defined]
    connection = connections[using]
    key = (model, using)
    if key not in _INSERTS:
        fields = [f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field]
        returning = list(meta.db_returning_fields)
        if (
            any(hasattr(f, "get_placeholder") for f in fields)
            or not connection.features.can_return_columns_from_insert
        ):
            _INSERTS[key] = ("", [], [], {})
        else:
            query = InsertQuery(model)
            query.insert_values(fields, [model()])
            compiler = query.get_compiler(using)
            compiler.returning_fields = returning
            ((sql, _),) = compiler.as_sql()
            converters = compiler.get_converters([f.get_col(meta.db_table) for f in returning])
            _INSERTS[key] = (sql, fields, returning, converters)
    sql, fields, returning, converters = _INSERTS[key]
    values = [f.pre_save(obj, True) for f in fields]
    if not sql or any(hasattr(v, "resolve_expression") for v in values):
        Model.save(obj, using=using)
        return
    pre_save.send(sender=model, instance=obj, raw=False, using=using, update_fields=None)
    params = [f.get_db_prep_save(v, connection=connection) for f, v in zip(fields, values, strict=True)]
    with transaction.mark_for_rollback_on_error(using), connection.cursor() as cur:
        cur.execute(sql, params)
        row = list(cur.fetchone())
    for pos, (convs, expression) in converters.items():
        for converter in convs:
            row[pos] = converter(row[pos], expression, connection)
    for value, field in zip(row, returning, strict=True):
        setattr(obj, field.attname, value)
    obj._state.db = using
    obj._state.adding = False
    post_save.send(sender=model, instance=obj, created=True, update_fields=None, raw=False, using=using)


def row_update(obj: Model, update_fields, *, using: str | None = None) -> None:
    """``Model.save(obj, update_fields=…)`` for a plain model (in place of ``super().save`` in a model's own), with the
    UPDATE compiled once per model, database and set of fields: the same signals, the same values (each
    field's ``pre_save``: ``auto_now`` columns too), the same error when no row was changed."""
    model = type(obj)
    meta = model._meta
    using = using or router.db_for_write(model, instance=obj)
    names = frozenset(update_fields)
    fields = tuple(
        f
        for f in meta.local_concrete_fields
        if f not in meta.pk_fields and not f.generated and (f.name in names or f.attname in names)
    )
    if (
        not names
        or names - meta._non_pk_concrete_field_names  # type: ignore[attr-defined]  # save() raises
        or obj.pk is None
        or not _plain_model(meta)
        or any(hasattr(f, "get_placeholder") for f in fields)
    ):
        Model.save(obj, using=using, update_fields=update_fields)
        return
    obj._prepare_related_fields_for_save(operation_name="save")  # type: ignore[attr-defined]
    pre_save.send(sender=model, instance=obj, raw=False, using=using, update_fields=names)
    key = (model, tuple(f.name for f in fields))
    update = _UPDATES.get(key)
    if update is None:
        update = _UPDATES[key] = PreparedUpdate(lambda pk: model._base_manager.filter(pk=pk), key[1])
    with transaction.mark_for_rollback_on_error(using):
        changed = update.run(obj.pk, values=[f.pre_save(obj, False) for f in fields], using=using)
    if not changed:
        raise DatabaseError("Save with update_fields did not affect any rows.")
    obj._state.db = using
    obj._state.adding = False
    post_save.send(sender=model, instance=obj, created=False, update_fields=names, raw=False, using=using)
