"""Authentication backends: Django's and allauth's, with the user of every logged-in request kept in the cache.

Each logged-in request reads its user by primary key (``get_user``). Django
builds and compiles that query anew every time, which costs more than running
it; here it is compiled once per database and reused, with the database's own
value converters. What is checked stays the same: the account must exist and be
allowed to log in (``user_can_authenticate``: active), and Django then checks
the session's password hash as before. The user comes from the cache while
the row has not changed since it was kept (``usercache``): then no query at all.
"""

import functools

from allauth.account import auth_backends as allauth_backends
from django.contrib.auth import backends as django_backends
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connections, router

from .usercache import cached_user

_PLACEHOLDER = -1


@functools.cache
def _compiled(using):
    """The lookup's SQL, the attribute names of its columns and their converters, for database ``using``."""
    user_model = get_user_model()
    query = user_model._default_manager.db_manager(using).filter(pk=_PLACEHOLDER).order_by().query
    compiler = query.get_compiler(using)
    sql, params = compiler.as_sql()
    if list(params) != [_PLACEHOLDER]:  # pragma: no cover - a model or manager that filters more
        return None
    columns = [column for column, _sql, _alias in compiler.select]
    names = [column.target.attname for column in columns]
    converters = [
        (position, functions, expression)
        for position, (functions, expression) in compiler.get_converters(columns).items()
    ]
    return sql, names, converters


def user_by_pk(pk):
    """The user with primary key ``pk`` (already converted from the session's text, see ``get_user``), or None."""
    user_model = get_user_model()
    using = router.db_for_read(user_model)
    compiled = _compiled(using)
    if compiled is None:  # pragma: no cover
        return user_model._default_manager.db_manager(using).filter(pk=pk).first()
    sql, names, converters = compiled
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        row = cursor.fetchone()
    if row is None:
        return None
    if converters:
        row = list(row)
        for position, functions, expression in converters:
            value = row[position]
            for convert in functions:
                value = convert(value, expression, connection)
            row[position] = value
    return user_model.from_db(using, names, row)


class _CompiledUserLookup:
    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            pk = user_model._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        user = cached_user(pk, user_by_pk)
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(_CompiledUserLookup, django_backends.ModelBackend):
    """Django's ``ModelBackend`` (usernames and passwords, permissions), with the compiled user lookup."""


class AuthenticationBackend(_CompiledUserLookup, allauth_backends.AuthenticationBackend):
    """allauth's backend (log in by e-mail address), with the compiled user lookup."""
