"""SQLite's search index (see forum.search): the FTS5 tables `forum_comment_search`
of migration 0021, kept by triggers on comments and people, and
`forum_translation_search` of migration 0023, kept by triggers on translations.

The triggers live outside migrations. SQLite alters a table by making it anew,
which drops the triggers on it and fails on any trigger elsewhere that names
it, so they are dropped before every migrate and made again afterwards, with
the index rebuilt from the comments (forum.apps connects both).
"""

PERSON = (
    "(SELECT forum_nfkc(display_name || ' ' || search_name || ' ' || organisation) "
    "FROM {users} WHERE id = {row}.author_id)"
)
TRIGGERS = ("forum_comment_search_insert", "forum_comment_search_update", "forum_comment_search_delete",
            "forum_author_search_update")  # fmt: skip
TRANSLATION_TRIGGERS = ("forum_translation_search_insert", "forum_translation_search_update",
                        "forum_translation_search_delete")  # fmt: skip


def _translation_statements() -> list[str]:
    # Plain text: the tags and their attributes are no words to find.
    insert = (
        "DELETE FROM forum_translation_search WHERE rowid = NEW.id; "
        "INSERT INTO forum_translation_search(rowid, body) VALUES (NEW.id, forum_plain_text(NEW.body_html));"
    )
    return [
        f"CREATE TRIGGER forum_translation_search_insert AFTER INSERT ON forum_commenttranslation BEGIN {insert} END",
        "CREATE TRIGGER forum_translation_search_update AFTER UPDATE OF body_html ON forum_commenttranslation "
        f"BEGIN {insert} END",
        "CREATE TRIGGER forum_translation_search_delete AFTER DELETE ON forum_commenttranslation "
        "BEGIN DELETE FROM forum_translation_search WHERE rowid = OLD.id; END",
        "DELETE FROM forum_translation_search",
        "INSERT INTO forum_translation_search(rowid, body) "
        "SELECT id, forum_plain_text(body_html) FROM forum_commenttranslation",
    ]


def _statements(users: str) -> list[str]:
    # Delete first: a flushed test database hands out ids again, and the index may still hold one.
    insert = (
        "DELETE FROM forum_comment_search WHERE rowid = NEW.id; "
        "INSERT INTO forum_comment_search(rowid, body, person) "
        f"VALUES (NEW.id, forum_nfkc(NEW.body_source), {PERSON.format(users=users, row='NEW')});"
    )
    return [
        f"CREATE TRIGGER forum_comment_search_insert AFTER INSERT ON forum_comment BEGIN {insert} END",
        "CREATE TRIGGER forum_comment_search_update AFTER UPDATE OF body_source, author_id ON forum_comment "
        f"BEGIN {insert} END",
        "CREATE TRIGGER forum_comment_search_delete AFTER DELETE ON forum_comment "
        "BEGIN DELETE FROM forum_comment_search WHERE rowid = OLD.id; END",
        f"CREATE TRIGGER forum_author_search_update AFTER UPDATE OF display_name, search_name, organisation "
        f"ON {users} BEGIN UPDATE forum_comment_search "
        "SET person = forum_nfkc(NEW.display_name || ' ' || NEW.search_name || ' ' || NEW.organisation) "
        "WHERE rowid IN (SELECT id FROM forum_comment WHERE author_id = NEW.id); END",
        "DELETE FROM forum_comment_search",
        "INSERT INTO forum_comment_search(rowid, body, person) "
        f"SELECT c.id, forum_nfkc(c.body_source), {PERSON.format(users=users, row='c')} FROM forum_comment c",
    ]


def _has_table(cursor, name: str) -> bool:
    cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s", [name])
    return cursor.fetchone() is not None


def drop_triggers(connection) -> None:
    with connection.cursor() as cursor:
        for name in TRIGGERS + TRANSLATION_TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def make_triggers(connection, users_table: str) -> None:
    """The triggers, and the indexes rebuilt from the rows (once migrations 0021 and 0023 made the tables)."""
    drop_triggers(connection)
    with connection.cursor() as cursor:
        if _has_table(cursor, "forum_comment_search"):
            for statement in _statements(connection.ops.quote_name(users_table)):
                cursor.execute(statement)
        if _has_table(cursor, "forum_translation_search"):
            for statement in _translation_statements():
                cursor.execute(statement)
