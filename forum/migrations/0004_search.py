"""Full-text search on PostgreSQL: a `search_vector` column on comments, kept by
triggers and indexed with GIN. SQLite gets nothing here (forum.search falls back
to matching words with LIKE there).

The column is not a model field, on purpose: it exists on PostgreSQL only, and
only forum.search reads it. Triggers rather than Python keep it right for every
way rows are written, bulk_create and the admin included.

A comment's document: its text stemmed in its own language (weight A), then its
author's display name, folded name and handle (search_name) and organisation,
unstemmed (weight B). Renaming a person rewrites their comments' documents.
forum_search_query() turns a search's words into the query forum.search runs.
"""

from django.conf import settings
from django.db import migrations

# Language codes of comments to PostgreSQL text search configurations; any other
# code, or none, is indexed with "simple" (no stemming, no stop words). Frozen
# here as a migration must be; forum.search holds the same table for queries.
CONFIGS = {"en": "english", "es": "spanish", "fr": "french", "pt": "portuguese", "ru": "russian"}


def _forwards_sql(user_table: str) -> list[str]:
    branches = " ".join(f"WHEN '{code}' THEN '{config}'::regconfig" for code, config in CONFIGS.items())
    return [
        "ALTER TABLE forum_comment ADD COLUMN search_vector tsvector",
        f"""
        CREATE FUNCTION forum_search_config(language text) RETURNS regconfig
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
            SELECT CASE language {branches} ELSE 'simple'::regconfig END
        $$
        """,
        f"""
        CREATE FUNCTION forum_comment_search_document(body text, language text, author bigint) RETURNS tsvector
        LANGUAGE plpgsql STABLE AS $$
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
        """
        CREATE FUNCTION forum_comment_search_vector_trigger() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            NEW.search_vector := forum_comment_search_document(NEW.body_source, NEW.language, NEW.author_id);
            RETURN NEW;
        END
        $$
        """,
        """
        CREATE TRIGGER forum_comment_search_insert BEFORE INSERT ON forum_comment
        FOR EACH ROW EXECUTE FUNCTION forum_comment_search_vector_trigger()
        """,
        # Django saves every column on save(): only real changes cost a new document.
        """
        CREATE TRIGGER forum_comment_search_update BEFORE UPDATE OF body_source, language, author_id ON forum_comment
        FOR EACH ROW
        WHEN (OLD.body_source IS DISTINCT FROM NEW.body_source
              OR OLD.language IS DISTINCT FROM NEW.language
              OR OLD.author_id IS DISTINCT FROM NEW.author_id)
        EXECUTE FUNCTION forum_comment_search_vector_trigger()
        """,
        """
        CREATE FUNCTION forum_author_search_trigger() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE forum_comment
            SET search_vector = forum_comment_search_document(body_source, language, author_id)
            WHERE author_id = NEW.id;
            RETURN NULL;
        END
        $$
        """,
        f"""
        CREATE TRIGGER forum_author_search_update AFTER UPDATE OF display_name, search_name, organisation
        ON {user_table}
        FOR EACH ROW
        WHEN (OLD.display_name IS DISTINCT FROM NEW.display_name
              OR OLD.search_name IS DISTINCT FROM NEW.search_name
              OR OLD.organisation IS DISTINCT FROM NEW.organisation)
        EXECUTE FUNCTION forum_author_search_trigger()
        """,
        # A search's words as each configuration stems them, ORed, each distinct
        # query once ("justice" is 'justic' in four languages): a smaller query
        # is cheaper to match and rank on every candidate row. Immutable, so a
        # call with constants is computed once while planning and the GIN index
        # answers `search_vector @@ forum_search_query(...)`.
        """
        CREATE FUNCTION forum_search_query(words text, VARIADIC configs regconfig[]) RETURNS tsquery
        LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
        DECLARE
            config regconfig;
            part tsquery;
            parts tsquery[] := '{}';
            combined tsquery := '';
        BEGIN
            FOREACH config IN ARRAY configs LOOP
                part := websearch_to_tsquery(config, words);
                IF numnode(part) > 0 AND NOT part = ANY (parts) THEN
                    parts := parts || part;
                    combined := combined || part;
                END IF;
            END LOOP;
            RETURN combined;
        END
        $$
        """,
        "UPDATE forum_comment SET search_vector = forum_comment_search_document(body_source, language, author_id)",
        "CREATE INDEX forum_comment_search ON forum_comment USING gin (search_vector)",
    ]


def _backwards_sql(user_table: str) -> list[str]:
    return [
        f"DROP TRIGGER forum_author_search_update ON {user_table}",
        "DROP FUNCTION forum_author_search_trigger()",
        "DROP TRIGGER forum_comment_search_update ON forum_comment",
        "DROP TRIGGER forum_comment_search_insert ON forum_comment",
        "DROP FUNCTION forum_comment_search_vector_trigger()",
        "DROP FUNCTION forum_comment_search_document(text, text, bigint)",
        "DROP FUNCTION forum_search_query(text, regconfig[])",
        "DROP FUNCTION forum_search_config(text)",
        # Dropping the column drops its index.
        "ALTER TABLE forum_comment DROP COLUMN search_vector",
    ]


def _user_table(apps, schema_editor) -> str:
    return schema_editor.quote_name(apps.get_model(settings.AUTH_USER_MODEL)._meta.db_table)


def add_search(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in _forwards_sql(_user_table(apps, schema_editor)):
        schema_editor.execute(statement)


def remove_search(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in _backwards_sql(_user_table(apps, schema_editor)):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("forum", "0003_summaries_and_report_settings"),
        # The document reads the author's search_name.
        ("accounts", "0003_user_search_name"),
    ]

    operations = [migrations.RunPython(add_search, remove_search)]
