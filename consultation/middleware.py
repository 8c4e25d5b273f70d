"""Project-wide middleware: the health check and the Content-Security-Policy."""

from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse

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
    all out of the balancer would take the site down); 503 when the database
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
        degraded = "" if cache_answers else "degraded: cache"
        if not database_answers:
            body = "; ".join(filter(None, ["unavailable: database", degraded]))
            return HttpResponse(body, status=503, content_type="text/plain")
        return HttpResponse(degraded or "ok", content_type="text/plain")


class ContentSecurityPolicyMiddleware:
    """Only our own scripts, styles and images; no inline script or style anywhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response
