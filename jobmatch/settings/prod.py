"""Production: PostgreSQL, Redis, a Qdrant server. Missing secrets fail loudly."""

from __future__ import annotations

from jobmatch.env import env, env_bool, env_int

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env("DJANGO_ALLOWED_HOSTS").split(",")
DATABASES = {"default": dj_database_url.parse(env("DATABASE_URL"), conn_max_age=60)}  # noqa: F405
CELERY_BROKER_URL = env("CELERY_BROKER_URL")
QDRANT_URL = env("QDRANT_URL")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # TLS ends at the proxy in front
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Every web process shares upload locks and rate limits (resumes.uploads) through Redis.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env("CACHE_URL", env("CELERY_BROKER_URL")),
    }
}
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
JOBMATCH_SITE_URL = env("JOBMATCH_SITE_URL")  # links in job alerts must reach the public site
