"""Search that finds "intérpretes" when "interpretes", "INTÉRPRETES" or
"ｉｎｔéｒｐｒｅｔｅｓ" is typed, on both databases.

PostgreSQL: text search configurations of our own (forum_english, forum_spanish…),
copies of the built-in ones whose words pass through `unaccent` before the
stemmer, so Spanish stemming keeps working; documents are NFKC-normalised
(full-width letters become plain ones). Every document is made again.

SQLite: an FTS5 table, `forum_comment_search` (rowid = the comment's id), whose
unicode61 tokenizer folds case and removes diacritics, filled by triggers with
NFKC-normalised text (`forum_nfkc`, a function forum.apps gives every SQLite
connection); FTS5 also ranks (bm25). The triggers are made after each migrate,
not here: see forum.sqlite_search.
"""

from django.conf import settings
from django.db import migrations

# Comment languages to the built-in configurations copied; any other is "simple".
CONFIGS = {"en": "english", "es": "spanish", "fr": "french", "pt": "portuguese", "ru": "russian"}
STEMMERS = {"english": "english_stem", "spanish": "spanish_stem", "french": "french_stem",
            "portuguese": "portuguese_stem", "russian": "russian_stem", "simple": "simple"}  # fmt: skip


def _postgresql(user_table: str) -> list[str]:
    statements = ["CREATE EXTENSION IF NOT EXISTS unaccent"]
    for config, stemmer in STEMMERS.items():
        statements += [
            f"CREATE TEXT SEARCH CONFIGURATION forum_{config} (COPY = {config})",
            f"ALTER TEXT SEARCH CONFIGURATION forum_{config} ALTER MAPPING FOR hword, hword_part, word "
            f"WITH unaccent, {stemmer}",
        ]
    branches = " ".join(f"WHEN '{code}' THEN 'forum_{config}'::regconfig" for code, config in CONFIGS.items())
    statements += [
        f"""
        CREATE OR REPLACE FUNCTION forum_search_config(language text) RETURNS regconfig
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
            SELECT CASE language {branches} ELSE 'forum_simple'::regconfig END
        $$
        """,
        f"""
        CREATE OR REPLACE FUNCTION forum_comment_search_document(body text, language text, author bigint)
        RETURNS tsvector LANGUAGE plpgsql STABLE AS $$
        DECLARE
            person text;
        BEGIN
            SELECT concat_ws(' ', display_name, search_name, organisation) INTO person
            FROM {user_table} WHERE id = author;
            RETURN setweight(to_tsvector(forum_search_config(language), normalize(coalesce(body, ''), NFKC)), 'A')
                || setweight(to_tsvector('forum_simple'::regconfig, normalize(coalesce(person, ''), NFKC)), 'B');
        END
        $$
        """,
        "UPDATE forum_comment SET search_vector = forum_comment_search_document(body_source, language, author_id)",
    ]
    return statements


def _postgresql_backwards(user_table: str) -> list[str]:
    branches = " ".join(f"WHEN '{code}' THEN '{config}'::regconfig" for code, config in CONFIGS.items())
    return [
        f"""
        CREATE OR REPLACE FUNCTION forum_search_config(language text) RETURNS regconfig
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
            SELECT CASE language {branches} ELSE 'simple'::regconfig END
        $$
        """,
        f"""
        CREATE OR REPLACE FUNCTION forum_comment_search_document(body text, language text, author bigint)
        RETURNS tsvector LANGUAGE plpgsql STABLE AS $$
        DECLARE
            person text;
        BEGIN
            SELECT concat_ws(' ', display_name, search_name, organisation) INTO person
            FROM {user_table} WHERE id = author;
            RETURN setweight(to_tsvector(forum_search_config(language), coalesce(body, '')), 'A')
                || setweight(to_tsvector('simple'::regconfig, coalesce(person, '')), 'B');
        END
        $$
        """,
        "UPDATE forum_comment SET search_vector = forum_comment_search_document(body_source, language, author_id)",
        *(f"DROP TEXT SEARCH CONFIGURATION forum_{config}" for config in STEMMERS),
    ]


def _sqlite(user_table: str) -> list[str]:
    # The triggers that fill it are made after every migrate (forum.sqlite_search).
    return [
        "CREATE VIRTUAL TABLE forum_comment_search USING fts5(body, person, "
        "tokenize = 'unicode61 remove_diacritics 2')",
    ]


_SQLITE_BACKWARDS = [
    "DROP TRIGGER IF EXISTS forum_author_search_update",
    "DROP TRIGGER IF EXISTS forum_comment_search_delete",
    "DROP TRIGGER IF EXISTS forum_comment_search_update",
    "DROP TRIGGER IF EXISTS forum_comment_search_insert",
    "DROP TABLE forum_comment_search",
]


def _user_table(apps, schema_editor) -> str:
    return schema_editor.quote_name(apps.get_model(settings.AUTH_USER_MODEL)._meta.db_table)


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": _postgresql, "sqlite": _sqlite}.get(vendor)
    for statement in statements(_user_table(apps, schema_editor)) if statements else ():
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        statements = _postgresql_backwards(_user_table(apps, schema_editor))
    else:
        statements = _SQLITE_BACKWARDS if vendor == "sqlite" else []
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("forum", "0020_synthesis"),
        ("accounts", "0009_reads_translations"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
