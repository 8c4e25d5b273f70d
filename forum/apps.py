import unicodedata

from django.apps import AppConfig
from django.apps import apps as global_apps
from django.conf import settings
from django.db import connections
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate, pre_migrate

from forum import sqlite_search


def _nfkc(text):
    return unicodedata.normalize("NFKC", text) if text else text


def _plain_text(html):
    # rendering reads the models, which are not loaded when this module is.
    from forum.rendering import plain_text

    return _nfkc(plain_text(html)) if html else html


def give_sqlite_its_functions(sender, connection, **kwargs):
    """SQLite's search triggers (forum.sqlite_search) fold full-width letters with
    forum_nfkc, and index translations' plain text with forum_plain_text: every
    connection gets both, so every write keeps the indexes right."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("forum_nfkc", 1, _nfkc, deterministic=True)
        connection.connection.create_function("forum_plain_text", 1, _plain_text, deterministic=True)


def _sqlite(using):
    connection = connections[using]
    return connection if connection.vendor == "sqlite" else None


def drop_search_triggers(sender, using, **kwargs):
    if connection := _sqlite(using):
        sqlite_search.drop_triggers(connection)


def make_search_triggers(sender, using, apps=None, **kwargs):
    # Also sent after a flush (tests), which empties the comments but not the index.
    if connection := _sqlite(using):
        users = (apps or global_apps).get_model(settings.AUTH_USER_MODEL)._meta.db_table
        sqlite_search.make_triggers(connection, users)


class ForumConfig(AppConfig):
    name = "forum"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from forum import signals  # noqa: F401  (importing connects the receivers, once apps are loaded)

        connection_created.connect(give_sqlite_its_functions)
        # SQLite alters a table by making it anew: the search triggers step aside meanwhile.
        pre_migrate.connect(drop_search_triggers, sender=self)
        post_migrate.connect(make_search_triggers, sender=self)
