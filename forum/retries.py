"""Two writers colliding in the database: tried once more, never mistaken for an outage."""

from django.db import OperationalError

# PostgreSQL's SQLSTATEs for a transaction it cancelled to let another through.
_COLLISIONS = {"40P01", "40001"}  # deadlock detected, serialisation failure


def is_collision(error: BaseException) -> bool:
    """A deadlock or serialisation failure: the database is fine, two requests met."""
    return isinstance(error, OperationalError) and getattr(error.__cause__, "pgcode", None) in _COLLISIONS


def retrying_a_deadlock(write):
    """Run `write()` (a whole transaction), and once more if the database
    cancelled it to break a deadlock: the second run finds the other side committed."""
    try:
        return write()
    except OperationalError as error:
        if not is_collision(error):
            raise
        return write()
