import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from forum import drawn
from forum.selectors import threads
from tests import factories


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgresql` need PostgreSQL's concurrency: on SQLite they
    are deselected (bin/test runs them in its PostgreSQL pass)."""
    if django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    kept = [item for item in items if not item.get_closest_marker("postgresql")]
    deselected = [item for item in items if item.get_closest_marker("postgresql")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


@pytest.fixture(scope="session", autouse=True)
def _compiled_translations():
    """The Spanish and French pages need compiled catalogues (*.mo are not committed)."""
    from django.core.management import call_command

    call_command("compilemessages", ignore_patterns=[".venv", "staticfiles", "artifacts"], verbosity=0)


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tasks run as soon as they are queued (after commit); tests of the queue itself use the database backend.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # Factories post many comments a second; tests of the limits set their own.
    settings.FORUM_RATE_LIMITS = {}
    # Factories make accounts seconds old; tests of the account-age rules for reports set their own.
    settings.FORUM_REPORT_MIN_ACCOUNT_AGE_HOURS = 0
    settings.FORUM_REPORT_COUNTS_AFTER_HOURS = 0
    # Machine translation costs an engine run per comment: tests of it choose their engine.
    settings.TRANSLATION_BACKEND = "none"
    cache.clear()
    # Drawn comments are kept by their cards, so never stale; cleared so each test counts its own.
    drawn.store.clear()
    threads._kept_pages.clear()
    # A request leaves its language active in the thread; a test's factories
    # write `title=` into the active language's column, so each test starts in English.
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def consultation(db):
    return factories.make_consultation()


@pytest.fixture
def room(consultation):
    return factories.make_room(consultation)


@pytest.fixture
def participant(db):
    return factories.make_user("Amina Diallo", organisation="Legal Aid Network")


@pytest.fixture
def other_participant(db):
    return factories.make_user("Jean Dupont")


@pytest.fixture
def moderator(room):
    user = factories.make_user("Maria Moderator")
    factories.assign_moderator(room, user)
    return user


@pytest.fixture
def staff(db):
    return factories.make_user("Sam Staff", is_staff=True)


@pytest.fixture
def participant_client(client, participant):
    client.force_login(participant)
    return client


@pytest.fixture
def migrator(transactional_db):
    """Runs the forum's migrations back and forth; the schema is left at the latest."""
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    yield executor
    executor.loader.build_graph()
    executor.migrate(latest)
