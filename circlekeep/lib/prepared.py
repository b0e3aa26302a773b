"""Queries compiled once by the ORM and run many times with new parameters.

Compiling a queryset with subqueries costs more than running it. For the few queries
every request makes (the signed-in user and the dashboard), the SQL is compiled on first
use per database vendor, with a sentinel standing in for each parameter, and reused.
The SQL still comes from the ORM, so quoting, table names and vendor differences stay
Django's business.
"""

import uuid
from datetime import UTC

from django.db import connections
from django.utils.dateparse import parse_datetime


def to_uuid(value):
    """A raw row's UUID as Python's (SQLite returns it as text)."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def to_datetime(value):
    """A raw row's time as an aware datetime (SQLite returns it as text, in UTC)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


class PreparedQuery:
    SENTINEL = -7_391_024_117  # an id no row has; marks where the parameter goes

    def __init__(self, build, using="default", arity=1):
        """``build(*sentinels)`` returns the queryset, filtering on each of ``arity``
        sentinels (one per parameter)."""
        self._build = build
        self._using = using
        self._arity = arity
        self._compiled = {}

    def _sentinels(self):
        return [self.SENTINEL - n for n in range(self._arity)]

    def _sql(self):
        vendor = connections[self._using].vendor
        if vendor not in self._compiled:
            sentinels = self._sentinels()
            queryset = self._build(*sentinels)
            sql, params = queryset.query.sql_with_params()
            slots = [(i, sentinels.index(p)) for i, p in enumerate(params) if p in sentinels]
            if {n for _i, n in slots} != set(range(self._arity)):
                raise ValueError("the prepared query does not use each of its parameters")
            self._compiled[vendor] = (queryset.model, sql, list(params), slots)
        return self._compiled[vendor]

    def _params(self, values):
        if len(values) != self._arity:
            raise TypeError(f"this prepared query takes {self._arity} parameter(s)")
        model, sql, params, slots = self._sql()
        params = list(params)
        for slot, n in slots:
            params[slot] = values[n]
        return model, sql, params

    def rows(self, *values):
        """Tuples, as ``values_list`` gives them."""
        _model, sql, params = self._params(values)
        with connections[self._using].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def count(self, *values):
        """How many rows the query gives, counted by the database."""
        _model, sql, params = self._params(values)
        with connections[self._using].cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({sql}) counted", params)  # noqa: S608
            return cursor.fetchone()[0]

    def _shape(self):
        """How a row becomes an instance: the model's field names, then the annotations'
        names, and the database's converters for each column (worked out once per
        vendor, as the ORM would for every query)."""
        vendor = connections[self._using].vendor
        key = ("shape", vendor)
        if key not in self._compiled:
            queryset = self._build(*self._sentinels())
            compiler = queryset.query.get_compiler(self._using)
            compiler.setup_query()
            fields = [f.attname for f in queryset.model._meta.concrete_fields]
            annotations = list(queryset.query.annotation_select)
            if len(compiler.select) != len(fields) + len(annotations):
                raise ValueError("a prepared query for instances selects whole rows only")
            converters = compiler.get_converters([column for column, _sql, _alias
                                                  in compiler.select])
            self._compiled[key] = (fields, annotations, sorted(converters.items()))
        return self._compiled[key]

    def instances(self, *values):
        """Model instances, annotations included as attributes."""
        model, sql, params = self._params(values)
        fields, annotations, converters = self._shape()
        connection = connections[self._using]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        found = []
        for row in rows:
            row = list(row)
            for index, (functions, expression) in converters:
                for convert in functions:
                    row[index] = convert(row[index], expression, connection)
            instance = model.from_db(self._using, fields, row[:len(fields)])
            for name, value in zip(annotations, row[len(fields):], strict=True):
                setattr(instance, name, value)
            found.append(instance)
        return found
