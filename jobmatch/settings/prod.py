"""Production: PostgreSQL, Redis, a Qdrant server. Missing secrets fail loudly."""

from __future__ import annotations

from jobmatch.env import env

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env("DJANGO_ALLOWED_HOSTS").split(",")
DATABASES = {"default": dj_database_url.parse(env("DATABASE_URL"), conn_max_age=60)}  # noqa: F405
CELERY_BROKER_URL = env("CELERY_BROKER_URL")
QDRANT_URL = env("QDRANT_URL")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
JOBMATCH_SITE_URL = env("JOBMATCH_SITE_URL")  # links in job alerts must reach the public site
