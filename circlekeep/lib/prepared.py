"""Queries compiled once by the ORM and run many times with new parameters.

Compiling a queryset with subqueries costs more than running it. For the few queries
every request makes (the signed-in user and the dashboard), the SQL is compiled on first
use per database vendor, with a sentinel standing in for each parameter, and reused.
The SQL still comes from the ORM, so quoting, table names and vendor differences stay
Django's business.
"""

from django.db import connections


class PreparedQuery:
    SENTINEL = -7_391_024_117  # an id no row has; marks where the parameter goes

    def __init__(self, build, using="default"):
        """``build(sentinel)`` returns the queryset, filtering on ``sentinel``."""
        self._build = build
        self._using = using
        self._compiled = {}

    def _sql(self):
        vendor = connections[self._using].vendor
        if vendor not in self._compiled:
            queryset = self._build(self.SENTINEL)
            sql, params = queryset.query.sql_with_params()
            slots = [i for i, p in enumerate(params) if p == self.SENTINEL]
            if not slots:
                raise ValueError("the prepared query does not use its parameter")
            self._compiled[vendor] = (queryset.model, sql, list(params), slots)
        return self._compiled[vendor]

    def _params(self, value):
        model, sql, params, slots = self._sql()
        params = list(params)
        for slot in slots:
            params[slot] = value
        return model, sql, params

    def rows(self, value):
        """Tuples, as ``values_list`` gives them."""
        _model, sql, params = self._params(value)
        with connections[self._using].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def instances(self, value):
        """Model instances, annotations included as attributes."""
        model, sql, params = self._params(value)
        return list(model.objects.raw(sql, params))
