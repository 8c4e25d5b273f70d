import unicodedata

from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _nfkc(text):
    return unicodedata.normalize("NFKC", text) if text else text


def give_sqlite_its_functions(sender, connection, **kwargs):
    """SQLite's search triggers (migration 0021) fold full-width letters with
    forum_nfkc: every connection gets it, so every write keeps the index right."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("forum_nfkc", 1, _nfkc, deterministic=True)


class ForumConfig(AppConfig):
    name = "forum"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from forum import signals  # noqa: F401  (importing connects the receivers, once apps are loaded)

        connection_created.connect(give_sqlite_its_functions)
