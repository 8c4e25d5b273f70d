"""Search can look in comments' machine translations too (forum.search,
`translations_in`): PostgreSQL indexes each translation's text in its own
language's configuration (an expression index); SQLite keeps a second FTS5
table, `forum_translation_search` (rowid = the translation's id), filled by
triggers made after every migrate (forum.sqlite_search)."""

from django.db import migrations

_POSTGRESQL = (
    "CREATE INDEX forum_translation_search ON forum_commenttranslation "
    "USING gin (to_tsvector(forum_search_config(language), normalize(body_html, NFKC)))"
)


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(_POSTGRESQL)
    elif vendor == "sqlite":
        schema_editor.execute(
            "CREATE VIRTUAL TABLE forum_translation_search USING fts5(body, tokenize = 'unicode61 remove_diacritics 2')"
        )


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP INDEX forum_translation_search")
    elif vendor == "sqlite":
        for name in ("insert", "update", "delete"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS forum_translation_search_{name}")
        schema_editor.execute("DROP TABLE forum_translation_search")


class Migration(migrations.Migration):
    dependencies = [("forum", "0022_stored_choices_shown_in_the_readers_language")]

    operations = [migrations.RunPython(forwards, backwards)]
