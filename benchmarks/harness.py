"""What every benchmark needs: a database of its own, never anyone's data."""

import os
import shutil
import tempfile
from contextlib import contextmanager


@contextmanager
def throwaway_database(name: str, *, keep: bool = False):
    """Create and use a database just for this run (`name` on PostgreSQL, a
    temporary file on SQLite), and drop it afterwards unless `keep`. Yields a
    temporary folder for the run's other files, removed with it."""
    from django.conf import settings
    from django.db import connection

    database = settings.DATABASES["default"]
    temporary_dir = tempfile.mkdtemp(prefix=f"{name}_")
    # The connection already holds this dict with its TEST defaults filled in.
    sqlite = connection.vendor == "sqlite"
    database["TEST"]["NAME"] = os.path.join(temporary_dir, f"{name}.sqlite3") if sqlite else name
    original_name = database["NAME"]
    print(f"Creating the benchmark database {database['TEST']['NAME']} ({connection.vendor})...", flush=True)
    try:
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    except BaseException:
        shutil.rmtree(temporary_dir, ignore_errors=True)
        raise
    try:
        yield temporary_dir
    finally:
        if keep:
            print(f"Kept the benchmark database {settings.DATABASES['default']['NAME']}.")
        else:
            connection.creation.destroy_test_db(original_name, verbosity=0)
            print(f"Dropped the benchmark database {database['TEST']['NAME']}.")
        if not (keep and sqlite):
            shutil.rmtree(temporary_dir, ignore_errors=True)
