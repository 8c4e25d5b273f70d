"""Project-wide middleware: the health check and the Content-Security-Policy."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.models import Q
from django.http import HttpResponse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

logger = logging.getLogger(__name__)

# A task ready to run for this long means no worker is taking them: people are
# not being told of new comments, and their emails wait.
TASKS_LATE_AFTER = timedelta(minutes=5)

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)


class HealthCheckMiddleware:
    """Answer /healthz before anything else (host checks, HTTPS redirect), so a
    load balancer can ask each app process directly: 200 "ok" when the database
    and the cache answer; 200 "degraded: cache" when only the cache does not
    (the site serves without it, and every process shares one Redis: taking them
    all out of the balancer would take the site down), "degraded: tasks" when
    the task queue has waited for a worker longer than TASKS_LATE_AFTER (the
    site serves, but nobody is told of new comments); 503 when the database
    does not answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path != "/healthz":
            return self.get_response(request)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            database_answers = True
        except Exception:  # any failure means "not healthy"; the reason goes to the log
            database_answers = False
        try:
            cache.set("healthz", "ok", 5)
            cache_answers = cache.get("healthz") == "ok"
        except Exception:  # Redis's cache answers as an empty one instead (consultation/cache.py)
            cache_answers = False
        lagging = [] if cache_answers else ["cache"]
        if not database_answers:
            body = "; ".join(["unavailable: database", *(f"degraded: {part}" for part in lagging)])
            return HttpResponse(body, status=503, content_type="text/plain")
        try:
            if _tasks_late():
                lagging.append("tasks")
        except DatabaseError:
            logger.warning("The health check could not read the task queue", exc_info=True)
        return HttpResponse(f"degraded: {', '.join(lagging)}" if lagging else "ok", content_type="text/plain")


def _tasks_late() -> bool:
    """The database queue holds a task that has been ready to run for longer
    than TASKS_LATE_AFTER (read on its index of ready tasks)."""
    if not settings.TASKS["default"]["BACKEND"].startswith("django_tasks_db."):
        return False
    late = timezone.now() - TASKS_LATE_AFTER
    ready_since_long = Q(run_after=get_date_max()) | Q(run_after__lt=late)
    return DBTaskResult.objects.ready().filter(ready_since_long, enqueued_at__lt=late).exists()


class ContentSecurityPolicyMiddleware:
    """Only our own scripts, styles and images; no inline script or style anywhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response
