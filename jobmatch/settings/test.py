"""Test settings: eager Celery by default, a throw-away data dir, fast hashing."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("JOBMATCH_DATA_DIR", tempfile.mkdtemp(prefix="jobmatch-test-"))
# Full precision: bfloat16 products round differently on each kind of CPU (AVX512-BF16, AMX), so the
# recorded rankings (tests/fixtures/golden) would hold on one kind of machine only.
os.environ.setdefault("JOBMATCH_EMBED_PRECISION", "fp32")

from .base import *  # noqa: F403
from .base import DATA_DIR, DATABASES

CELERY_TASK_ALWAYS_EAGER = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not memory, so a real worker in another process sees the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-db.sqlite3")}
# No search service unless a test starts one (a `make run` worker on this machine must not answer tests).
JOBMATCH_SEARCH_URL = "http://127.0.0.1:9"
JOBMATCH_SEARCH_TIMEOUT = 30.0  # the first search in a test loads the embedder
