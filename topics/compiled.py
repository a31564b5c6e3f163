"""Querysets built and compiled once per process, run with each call's values: for the hottest reads.

Django builds and compiles a queryset's SQL on every evaluation; for a small
query on a busy page that costs more than running it. ``CompiledQuery`` builds
the queryset once with *stand-ins* where the call's values go, keeps the
compiler's SQL, columns, converters and model layout, and on each call runs
that SQL with the values put in place of the stand-ins, making the objects as
``QuerySet`` iteration does (``ModelIterable``: the model, its
``select_related`` objects and its annotations). The SQL is the ORM's own.
"""

import functools

from django.db import connections, router
from django.db.models.query import get_related_populators


class CompiledQuery:
    """``CompiledQuery(build, *stand_ins)``; ``query(*values)`` is ``list(build(*values))``, compiled once.

    ``build(*stand_ins)`` must return a queryset of model instances in which
    each stand-in ends up as one query parameter, unchanged (pick values no
    real call uses: a negative id, a string no hash can be).
    """

    def __init__(self, build, *stand_ins):
        self._build = build
        self._stand_ins = stand_ins

    @functools.cached_property
    def _model(self):
        return self._build(*self._stand_ins).model

    @functools.lru_cache(maxsize=4)  # noqa: B019 - a few module-level instances, alive as long as the process
    def _compiled(self, using):
        queryset = self._build(*self._stand_ins)
        compiler = queryset.query.get_compiler(using)
        sql, params = compiler.as_sql()
        where = []
        for stand_in in self._stand_ins:
            found = [i for i, p in enumerate(params) if p == stand_in]
            if len(found) != 1:
                raise ValueError(f"the stand-in {stand_in!r} must be exactly one parameter of the query")
            where.append(found[0])
        select, klass_info = compiler.select, compiler.klass_info
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        converters = [
            (position, functions, expression)
            for position, (functions, expression) in compiler.get_converters([c[0] for c in select]).items()
        ]
        return {
            "sql": sql,
            "params": list(params),
            "where": where,
            "model": klass_info["model"],
            "slice": (start, end),
            "names": [column[0].target.attname for column in select[start:end]],
            "populators": get_related_populators(klass_info, select, using),
            "annotations": dict(compiler.annotation_col_map),
            "converters": converters,
        }

    def __call__(self, *values):
        using = router.db_for_read(self._model)
        compiled = self._compiled(using)
        params = list(compiled["params"])
        for position, value in zip(compiled["where"], values, strict=True):
            params[position] = value
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(compiled["sql"], params)
            rows = cursor.fetchall()
        start, end = compiled["slice"]
        found = []
        for row in rows:
            if compiled["converters"]:
                row = list(row)
                for position, functions, expression in compiled["converters"]:
                    value = row[position]
                    for convert in functions:
                        value = convert(value, expression, connection)
                    row[position] = value
            obj = compiled["model"].from_db(using, compiled["names"], row[start:end])
            for populator in compiled["populators"]:
                populator.populate(row, obj)
            for name, position in compiled["annotations"].items():
                setattr(obj, name, row[position])
            found.append(obj)
        return found
