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
    load balancer can ask each app process directly: 200 when the database and
    the cache answer, 503 otherwise."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path != "/healthz":
            return self.get_response(request)
        problems = []
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except Exception:  # any failure means "not healthy"; the reason goes to the log
            problems.append("database")
        try:
            cache.set("healthz", "ok", 5)
            if cache.get("healthz") != "ok":
                problems.append("cache")
        except Exception:
            problems.append("cache")
        if problems:
            return HttpResponse("unavailable: " + ", ".join(problems), status=503, content_type="text/plain")
        return HttpResponse("ok", content_type="text/plain")


class ContentSecurityPolicyMiddleware:
    """Only our own scripts, styles and images; no inline script or style anywhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response
