"""Settings for the embedded default: SQLite, a filesystem broker, on-disk Qdrant.

Nothing here needs an environment variable; `prod.py` adds what production must set.
Everything the app writes lives under JOBMATCH_DATA_DIR (default ./var).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from kombu import Exchange, Queue

from jobmatch.env import env, env_bool, env_int
from jobmatch.observability import init_sentry, logging_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# Models are loaded from package paths; nothing may be fetched from a hub at run time.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

DATA_DIR = Path(env("JOBMATCH_DATA_DIR", "var"))
if not DATA_DIR.is_absolute():
    DATA_DIR = BASE_DIR / DATA_DIR
DATA_DIR = DATA_DIR.resolve()

UPLOAD_DIR = DATA_DIR / "uploads"  # outside the web root: never served as static or media
MODEL_DIR = DATA_DIR / "models"
INDEX_DIR = DATA_DIR / "index"
SHIPPED_MODEL_DIR = BASE_DIR / "search" / "artifacts"
SHARED_DATA_DIR = Path(env("JOBMATCH_SHARED_DATA", str(BASE_DIR.parent / "shared" / "data")))

DATA_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = env("DJANGO_SECRET_KEY", "dev-only-not-secret-change-me")
DEBUG = env_bool("DJANGO_DEBUG", True)
ALLOWED_HOSTS = [h for h in env("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",  # static files the same way under runserver as under gunicorn
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "allauth",
    "ninja",  # the API's docs page, from its own static files
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "jobmatch",
    "resumes",
    "search",
]

MIDDLEWARE = [
    "jobmatch.observability.RequestIdMiddleware",
    "jobmatch.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "jobmatch.security.SecurityHeadersMiddleware",
    "resumes.uploads.UploadLimitMiddleware",  # before anything reads the body (sessions, CSRF)
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "jobmatch.accounts_guard.AccountGuardMiddleware",  # an email address for everyone, 2FA for staff
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "jobmatch.urls"
WSGI_APPLICATION = "jobmatch.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "search.access.context",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'db.sqlite3'}"), conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The web process and the worker share the file; wait for a writer instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # A transaction takes the write lock when it begins, so two processes never both read and then both
    # try to write (SQLite answers that "database is locked" at once, without waiting).
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"  # which sends each role to its own start page
LOGOUT_REDIRECT_URL = "home"

# Accounts (django-allauth): sign-up and login by email (a user name is optional), the email verified
# before job alerts go to it or a resume is made discoverable, password reset and change, email change,
# two-factor authentication (TOTP and recovery codes; required for recruiters and admins before they open
# a resume or the admin: jobmatch.accounts_guard), each login's session listed (usersessions). Failed
# logins, sign-ups and reset requests are rate limited per address and per IP; the lock ends by itself.
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True  # a new address replaces the old once it is verified
ACCOUNT_SIGNUP_FORM_CLASS = "search.forms.RoleSignupForm"
ACCOUNT_ADAPTER = "jobmatch.signup.AccountAdapter"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "JobMatch: "
ACCOUNT_RATE_LIMITS = {
    # Ten wrong passwords for one account in 15 minutes lock it for the rest of them; 30 a minute per IP.
    "login_failed": env("JOBMATCH_LOGIN_FAILED_LIMIT", "30/m/ip,10/15m/key"),
    "signup": "20/h/ip",
    "reset_password": "20/h/ip,5/h/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "JobMatch"
USERSESSIONS_TRACK_ACTIVITY = True

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # filled by collectstatic; whitenoise serves from it
# Without collectstatic (make run, tests), whitenoise serves the files where they are, debug or not.
WHITENOISE_USE_FINDERS = True

# Files. Resumes and bulk-import files go through Django's storage API: on this machine's disk under
# DATA_DIR by default; in an S3-compatible bucket (AWS S3, MinIO, Ceph, R2, ...) with JOBMATCH_FILE_STORAGE=s3,
# so that web processes and workers on different machines read the same files. Static files are served
# by whitenoise from STATIC_ROOT (collectstatic), with hashed names in production.
JOBMATCH_FILE_STORAGE = env("JOBMATCH_FILE_STORAGE", "filesystem")
if JOBMATCH_FILE_STORAGE == "filesystem":
    _disk = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"file_permissions_mode": 0o600, "directory_permissions_mode": 0o700},
    }
    _resumes = {**_disk, "OPTIONS": {**_disk["OPTIONS"], "location": str(UPLOAD_DIR)}}
    _imports = {**_disk, "OPTIONS": {**_disk["OPTIONS"], "location": str(DATA_DIR / "imports")}}
    _models = {**_disk, "OPTIONS": {**_disk["OPTIONS"], "location": str(MODEL_DIR)}}
elif JOBMATCH_FILE_STORAGE == "s3":
    _s3 = {
        "bucket_name": env("JOBMATCH_S3_BUCKET"),
        "endpoint_url": env("JOBMATCH_S3_ENDPOINT_URL", "") or None,  # unset: AWS itself
        "region_name": env("JOBMATCH_S3_REGION", "") or None,
        "access_key": env("JOBMATCH_S3_ACCESS_KEY_ID", "") or None,  # unset: the machine's role / AWS_* variables
        "secret_key": env("JOBMATCH_S3_SECRET_ACCESS_KEY", "") or None,
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
        "object_parameters": {"ServerSideEncryption": env("JOBMATCH_S3_ENCRYPTION", "AES256")},
    }
    if _s3["object_parameters"]["ServerSideEncryption"] == "none":
        _s3["object_parameters"] = {}
    _resumes = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {**_s3, "location": "resumes"}}
    _imports = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {**_s3, "location": "imports"}}
    _models = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {**_s3, "location": "models"}}
else:
    raise ImproperlyConfigured(f"JOBMATCH_FILE_STORAGE must be filesystem or s3, not {JOBMATCH_FILE_STORAGE!r}")
STORAGES = {
    "default": _imports,  # nothing public is uploaded: no storage serves files to the web
    "resumes": _resumes,
    "imports": _imports,
    "models": _models,  # retrained models (search.indexing.artifacts); shared across machines on S3
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Uploads: the form refuses more than RESUME_MAX_BYTES; Django keeps up to this much in memory.
RESUME_MAX_BYTES = env_int("JOBMATCH_RESUME_MAX_BYTES", 5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = RESUME_MAX_BYTES + 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_TEMP_DIR = None
RESUME_UPLOADS_PER_HOUR = env_int("JOBMATCH_UPLOADS_PER_HOUR", 20)
# A postings file (bulk import in the browser); every other request body is held to
# DATA_UPLOAD_MAX_MEMORY_SIZE (resumes.uploads.UploadLimitMiddleware).
POSTINGS_IMPORT_MAX_BYTES = env_int("JOBMATCH_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
# Text extraction runs in a child process limited to this much memory and CPU time (resumes.sandbox).
RESUME_PARSE_MEMORY_MB = env_int("JOBMATCH_PARSE_MEMORY_MB", 1024)
RESUME_PARSE_CPU_SECONDS = env_int("JOBMATCH_PARSE_CPU_SECONDS", 20)
RESUME_PARSE_TIMEOUT_SECONDS = env_int("JOBMATCH_PARSE_TIMEOUT_SECONDS", 30)
# Understanding the text (spaCy, the NER) runs in a child forked from the worker: how far its memory may grow
# above the worker's, its CPU and wall-clock time (resumes.sandbox.understand_sandboxed).
RESUME_UNDERSTAND_MEMORY_MB = env_int("JOBMATCH_UNDERSTAND_MEMORY_MB", 1024)
RESUME_UNDERSTAND_CPU_SECONDS = env_int("JOBMATCH_UNDERSTAND_CPU_SECONDS", 30)
RESUME_UNDERSTAND_TIMEOUT_SECONDS = env_int("JOBMATCH_UNDERSTAND_TIMEOUT_SECONDS", 60)

# Celery. The embedded default is a broker with no server: kombu's filesystem transport,
# a folder under DATA_DIR that the web process writes and the worker polls.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = DATA_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir / "out"),
        "data_folder_out": str(_queue_dir / "out"),
        "processed_folder": str(_queue_dir / "processed"),
        "control_folder": str(_queue_dir / "control"),  # broadcast tables; kombu's default is ./control
        "store_processed": False,
    }
    for _d in _queue_dir / "out", _queue_dir / "processed", _queue_dir / "control":
        _d.mkdir(parents=True, exist_ok=True)
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # A task not acknowledged within this many seconds is given to another worker. Above the longest task
    # (index_postings over 100k postings, nightly retraining); a resume lost with its worker is sent again
    # sooner by the sweeper (JOBMATCH_STUCK_AFTER_SECONDS).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("JOBMATCH_VISIBILITY_TIMEOUT", 12 * 3600)}
CELERY_TASK_IGNORE_RESULT = True  # state lives in our own rows, not in a result backend
CELERY_TASK_ACKS_LATE = True  # a task lost with its worker is delivered again
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A prefork child loads spaCy or the embedder before it says it is up (jobmatch.celery): Celery's 4 s default
# would kill every new child while it loads.
CELERY_WORKER_PROC_ALIVE_TIMEOUT = env_int("JOBMATCH_WORKER_START_SECONDS", 120)
# Four queues, so each kind of work can have its own workers (a worker started without -Q takes all):
# parsing (text extraction and the profile: spaCy, no torch), matching (the embedder and the indexes),
# indexing (postings into the indexes, resumes out of them, nightly retraining), alerts (digests).
CELERY_QUEUE_NAMES = ("parsing", "matching", "indexing", "alerts")
CELERY_TASK_QUEUES = [Queue(name, Exchange(name, type="direct"), routing_key=name) for name in CELERY_QUEUE_NAMES]
CELERY_TASK_DEFAULT_QUEUE = "matching"
CELERY_TASK_ROUTES = {
    "resumes.process_resume": {"queue": "parsing"},
    "resumes.sweep_stuck": {"queue": "parsing"},
    "resumes.match_resume": {"queue": "matching"},
    "search.refresh_recommendations": {"queue": "matching"},
    "search.rank_candidates": {"queue": "matching"},
    "search.index_postings": {"queue": "indexing"},
    "search.unindex_resumes": {"queue": "indexing"},
    "search.expire_postings": {"queue": "indexing"},
    "search.expire_imports": {"queue": "indexing"},
    "search.retrain_personal": {"queue": "indexing"},
    "search.send_job_alerts": {"queue": "alerts"},
}
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
# Beat (run inside the worker by `make run`): postings past their closing date leave the indexes;
# job alerts go out (hourly runs; each seeker is due once a day or a week); the personalised
# re-ranker is retrained nightly from the day's interactions.
RESUME_STUCK_AFTER_SECONDS = env_int("JOBMATCH_STUCK_AFTER_SECONDS", 600)
# How long after a posting closes its organisation still sees the resumes shared only by applying to it
# (to finish interviews and offers); afterwards they are the seeker's again (search.access.sharing_posting).
SHARING_GRACE_DAYS = env_int("JOBMATCH_SHARING_GRACE_DAYS", 30)
CELERY_BEAT_SCHEDULE = {
    "sweep-stuck-resumes": {"task": "resumes.sweep_stuck", "schedule": env_int("JOBMATCH_SWEEP_SECONDS", 300)},
    "expire-postings": {"task": "search.expire_postings", "schedule": 60 * 60},
    "expire-imports": {"task": "search.expire_imports", "schedule": 60 * 60},
    "send-job-alerts": {"task": "search.send_job_alerts", "schedule": 60 * 60},
    "retrain-personal": {"task": "search.retrain_personal", "schedule": crontab(hour=3, minute=0)},
}

# Email (job alerts): written as files under DATA_DIR/mail unless a backend is named; production
# names SMTP (EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS).
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = str(DATA_DIR / "mail")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "JobMatch <jobs@localhost>")
# Links in emails and the invitation links `manage.py invite` prints point here (`make run` sets it to the
# address it serves).
JOBMATCH_SITE_URL = env("JOBMATCH_SITE_URL", "http://127.0.0.1:8000")
# A posting goes into a job alert only if the re-ranker's score reaches this (0: the average pair of the
# judged pools it learned from; search/artifacts/reranker/metrics.json, kept_at_score_by_grade).
JOBMATCH_ALERT_MIN_SCORE = float(env("JOBMATCH_ALERT_MIN_SCORE", "0.0"))
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
# One scheduler at a time, however many beat processes are started (jobmatch.beat).
CELERY_BEAT_SCHEDULER = "jobmatch.beat:LockedScheduler"

# Vector store: a Qdrant server when QDRANT_URL names one; else embedded on disk, in Qdrant Edge (Qdrant's
# engine in the process, "edge") or in qdrant-client's local mode ("local": a Python scan, slower past
# some ten thousand points; what the server's code path is tested against).
QDRANT_URL = env("QDRANT_URL", "")
JOBMATCH_VECTOR_STORE = env("JOBMATCH_VECTOR_STORE", "edge")
if JOBMATCH_VECTOR_STORE not in {"edge", "local"}:
    raise ImproperlyConfigured(f"JOBMATCH_VECTOR_STORE must be edge or local, not {JOBMATCH_VECTOR_STORE!r}")
QDRANT_API_KEY = env("QDRANT_API_KEY", "")
QDRANT_COLLECTION = env("QDRANT_COLLECTION", "postings")
# Keyword retrieval: "qdrant" serves BM25 from the Qdrant server's sparse vectors (a collection beside each
# dense one, IDF computed by Qdrant), "local" from a matrix in each worker's memory (rank_bm25's exact
# scores). The default follows QDRANT_URL: with a server both retrievals scale out with it.
JOBMATCH_KEYWORD_STORE = env("JOBMATCH_KEYWORD_STORE", "qdrant" if QDRANT_URL else "local")
if JOBMATCH_KEYWORD_STORE not in {"qdrant", "local"}:
    raise ImproperlyConfigured(f"JOBMATCH_KEYWORD_STORE must be qdrant or local, not {JOBMATCH_KEYWORD_STORE!r}")
# BM25's average document length (words after tokenising) for the sparse vectors' weights: fixed when a
# document is written. LinkedIn 2023 postings average 28; full-text postings several hundred.
QDRANT_BM25_AVG_LENGTH = float(env("QDRANT_BM25_AVG_LENGTH", "100"))
# A Qdrant cluster: shards per collection and copies of each (used when a collection is created).
QDRANT_SHARDS = env_int("QDRANT_SHARDS", 1)
QDRANT_REPLICAS = env_int("QDRANT_REPLICAS", 1)

# Sentence embeddings: "bf16" runs the model's matrix products in bfloat16 (faster on a CPU with
# AVX512-BF16 or AMX; docs/benchmarks.md, "Embedding"), "fp32" in full precision, "auto" takes bf16
# where the CPU has it in hardware.
JOBMATCH_EMBED_PRECISION = env("JOBMATCH_EMBED_PRECISION", "auto")
if JOBMATCH_EMBED_PRECISION not in {"auto", "fp32", "bf16"}:
    raise ImproperlyConfigured(f"JOBMATCH_EMBED_PRECISION must be auto, fp32 or bf16, not {JOBMATCH_EMBED_PRECISION!r}")
# Processes that read postings' skills while an index is built (spaCy's tokenizer holds the GIL): 1 reads
# them in the building process itself.
JOBMATCH_INDEX_PROCESSES = env_int("JOBMATCH_INDEX_PROCESSES", os.cpu_count() or 1)
if JOBMATCH_INDEX_PROCESSES < 1:
    raise ImproperlyConfigured(f"JOBMATCH_INDEX_PROCESSES must be 1 or more, not {JOBMATCH_INDEX_PROCESSES}")

# Cache: rate limits and upload locks (resumes.uploads) shared by every web process. In memory here;
# Redis when CACHE_URL names it, a database of its own, never the broker's (prod.py refuses that).
CACHE_URL = env("CACHE_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Operations: worker heartbeats (/readyz), /metrics (a bearer token when set), logs (one JSON object a line
# with JOBMATCH_LOG_FORMAT=json, the default in production; every line carries the request id), Sentry.
JOBMATCH_HEARTBEAT_SECONDS = float(env("JOBMATCH_HEARTBEAT_SECONDS", "10"))
JOBMATCH_METRICS_TOKEN = env("JOBMATCH_METRICS_TOKEN", "")
# The public API (/api/v1/): requests per IP for anonymous callers (django-ninja's rate syntax).
JOBMATCH_API_RATE = env("JOBMATCH_API_RATE", "120/min")
JOBMATCH_API_TOKEN_RATE = env("JOBMATCH_API_TOKEN_RATE", "600/min")  # each token (django-ninja's rate syntax)
# The matching worker's search service (search.matching.service): the worker listens on
# JOBMATCH_SEARCH_BIND:JOBMATCH_SEARCH_PORT (0: not at all), web processes ask JOBMATCH_SEARCH_URL, with
# JOBMATCH_SEARCH_TOKEN as a bearer token when set (set it whenever the port is reachable from elsewhere).
JOBMATCH_SEARCH_PORT = int(env("JOBMATCH_SEARCH_PORT", "8765"))
JOBMATCH_SEARCH_BIND = env("JOBMATCH_SEARCH_BIND", "127.0.0.1")
JOBMATCH_SEARCH_URL = env("JOBMATCH_SEARCH_URL", f"http://127.0.0.1:{JOBMATCH_SEARCH_PORT or 8765}")
JOBMATCH_SEARCH_TOKEN = env("JOBMATCH_SEARCH_TOKEN", "")
JOBMATCH_SEARCH_TIMEOUT = float(env("JOBMATCH_SEARCH_TIMEOUT", "3"))
JOBMATCH_LOG_FORMAT = env("JOBMATCH_LOG_FORMAT", "plain")
LOGGING = logging_config(level=env("JOBMATCH_LOG_LEVEL", "INFO"), json=JOBMATCH_LOG_FORMAT == "json")
SENTRY_DSN = env("SENTRY_DSN", "")
if SENTRY_DSN:
    init_sentry(
        dsn=SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", "production"),
        traces_sample_rate=float(env("SENTRY_TRACES_SAMPLE_RATE", "0")),
    )
