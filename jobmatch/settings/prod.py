"""Production: PostgreSQL, Redis (a database for the broker, another for the cache), a Qdrant server,
gunicorn with whitenoise. Missing secrets and unsafe combinations fail loudly at start.

The default for jobmatch.wsgi (gunicorn). Only a deployment that runs its matching, indexing and alerts
work in one worker process on one machine may keep the embedded vector store, by setting
JOBMATCH_VECTOR_STORE=edge explicitly instead of QDRANT_URL.
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from jobmatch.env import env, env_bool, env_int, same_redis_database
from jobmatch.observability import logging_config

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env("DJANGO_ALLOWED_HOSTS").split(",")
# A connection kept between requests is checked before reuse: a database restart costs no request a 500.
DATABASES = {
    "default": dj_database_url.parse(env("DATABASE_URL"), conn_max_age=60, conn_health_checks=True)  # noqa: F405
}
CELERY_BROKER_URL = env("CELERY_BROKER_URL")
# A Qdrant server, unless the embedded store was chosen on purpose (one worker process holds it).
QDRANT_URL = env("QDRANT_URL", "") if os.environ.get("JOBMATCH_VECTOR_STORE") else env("QDRANT_URL")
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
# Every web process shares upload locks and rate limits (resumes.uploads) through Redis: a database of its
# own, since clearing a cache (FLUSHDB) on the broker's would drop the queued tasks.
CACHE_URL = env("CACHE_URL")
if same_redis_database(CACHE_URL, CELERY_BROKER_URL):
    raise ImproperlyConfigured(
        "CACHE_URL and CELERY_BROKER_URL name the same Redis database: give the cache another one "
        "(redis://host:6379/1 for the cache, redis://host:6379/0 for the broker)."
    )
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
WHITENOISE_USE_FINDERS = False  # collectstatic's hashed files only
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}  # noqa: F405
JOBMATCH_LOG_FORMAT = env("JOBMATCH_LOG_FORMAT", "json")
LOGGING = logging_config(level=env("JOBMATCH_LOG_LEVEL", "INFO"), json=JOBMATCH_LOG_FORMAT == "json")
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
JOBMATCH_SITE_URL = env("JOBMATCH_SITE_URL")  # links in job alerts must reach the public site
# The matching worker's search service answers anyone who reaches its port: beyond loopback, only with a token.
if JOBMATCH_SEARCH_BIND not in {"127.0.0.1", "::1", "localhost"} and not JOBMATCH_SEARCH_TOKEN:  # noqa: F405
    raise ImproperlyConfigured(
        f"JOBMATCH_SEARCH_BIND={JOBMATCH_SEARCH_BIND} opens the search service beyond this machine: "  # noqa: F405
        "set JOBMATCH_SEARCH_TOKEN to a random value shared by the web processes and the matching workers."
    )
