"""Security headers Django does not set itself: a content security policy, a permissions policy, and
`no-store` on everything served to a signed-in user.

Django's SecurityMiddleware sets HSTS (production), nosniff and the referrer policy;
XFrameOptionsMiddleware sets frame-deny. The policy below allows only this site's own
scripts, styles and images: templates carry no inline script, style or event handler
(tests/test_security.py holds them to it).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
ADMIN_PREFIX = "/admin/"
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(ADMIN_PREFIX):
            response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        else:  # Django's admin has inline styles and scripts in places; frames and plugins stay off
            response.setdefault("Content-Security-Policy", "object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.setdefault("X-Content-Type-Options", "nosniff")
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            # A signed-in page or download holds someone's data: no browser or proxy keeps a copy.
            add_never_cache_headers(response)
        return response
