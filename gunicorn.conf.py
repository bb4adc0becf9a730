"""gunicorn for JobMatch's web process: `gunicorn --config gunicorn.conf.py jobmatch.wsgi` (the Procfile's `web`).

Every value can be changed from the environment; the defaults suit a machine with a few cores. The web
process loads no model (pages read what the workers stored), so a worker is small and starts fast.
"""

import os
from pathlib import Path


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"
# Processes x threads answer at once. Threads (gthread) keep a slow client from holding a whole process.
workers = _int("WEB_CONCURRENCY", min(2 * (os.cpu_count() or 1), 8))
worker_class = "gthread"
threads = _int("WEB_THREADS", 4)
# A request is pages and an upload of at most a few MB: 30 s is long. Workers are replaced after
# max_requests (with jitter, so they do not all restart at once) to bound any slow growth of memory.
timeout = _int("WEB_TIMEOUT", 30)
graceful_timeout = _int("WEB_GRACEFUL_TIMEOUT", 30)
keepalive = 5
max_requests = _int("WEB_MAX_REQUESTS", 1000)
max_requests_jitter = _int("WEB_MAX_REQUESTS_JITTER", 100)
worker_tmp_dir = "/dev/shm" if Path("/dev/shm").is_dir() else None
# The proxy in front (TLS ends there) is trusted for X-Forwarded-* from these addresses only.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Access log to stdout, with the request id JobMatch answers in X-Request-ID (it is in every app log line).
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms rid=%({x-request-id}o)s'
errorlog = "-"

# Prometheus: every web worker (and every Celery worker started with the same folder) writes its samples
# here, and /metrics adds them up. Set before the workers start, so prometheus_client sees it.
_data = Path(os.environ.get("JOBMATCH_DATA_DIR") or "var")
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str((_data / "metrics").resolve()))
Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).mkdir(parents=True, exist_ok=True)


def on_starting(server: object) -> None:
    """Drop the samples files of processes that no longer run (a previous start's), keep the live ones'
    (the machine's Celery workers may share the folder). Counters restart from zero, as Prometheus expects."""
    for f in Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).glob("*.db"):
        try:
            pid = int(f.stem.rsplit("_", 1)[-1])
            os.kill(pid, 0)
        except ValueError:
            continue
        except ProcessLookupError:
            f.unlink(missing_ok=True)
        except PermissionError:
            pass  # alive, another user's


def child_exit(server: object, worker: object) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]
