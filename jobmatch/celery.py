import atexit
import logging
import logging.config
import os
import socket
import time
from typing import Any

from celery import Celery
from celery.signals import (
    beat_embedded_init,
    beat_init,
    before_task_publish,
    setup_logging,
    task_postrun,
    task_prerun,
    worker_process_init,
    worker_ready,
    worker_shutdown,
)

from jobmatch import observability

# A worker or beat started without DJANGO_SETTINGS_MODULE gets production settings, which fail loudly without
# their secrets (`make run` and `make worker` name the development ones). This module is imported first by
# anything that imports the jobmatch package, jobmatch.wsgi included.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jobmatch.settings.prod")

app = Celery("jobmatch", task_cls="celery.contrib.django.task:DjangoTask")  # delay_on_commit
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
log = logging.getLogger(__name__)

# What this process loaded before its first task (reported in its heartbeat, read by /readyz).
warm_state: dict[str, Any] = {}
_heartbeats: list[Any] = []
_services: list[Any] = []
_task_started: dict[str, float] = {}


def _warm_up(queues: set[str]) -> None:
    """Load what the worker's queues need before the first task, so the first seeker does not wait:
    spaCy for parsing, the embedder and the indexes for matching. Indexing and alerts load on first use."""
    steps = []
    if "parsing" in queues:
        from resumes.understanding.ner import load_ner
        from resumes.understanding.pipeline import get_nlp

        steps += [("nlp", get_nlp), ("ner", load_ner)]
    if "matching" in queues:
        from search.indexing.embeddings import get_model
        from search.indexing.engine import get_engine

        steps += [("engine", get_engine), ("embedder", get_model)]
    for name, load in steps:
        try:
            load()
            warm_state[name] = "ok"
        except Exception as exc:  # a worker without indexes yet still starts; the task reports the problem
            warm_state[name] = f"{type(exc).__name__}: {exc}"[:200]
            log.warning("could not load %s", name, exc_info=True)


def _consumed_queues(app_: Celery) -> set[str]:
    return set(app_.amqp.queues.consume_from or app_.amqp.queues)


@setup_logging.connect
def _logging(**kwargs: object) -> None:
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)  # the project's format (JSON in production), request ids


@worker_process_init.connect
def _warm_pool_process(**kwargs: object) -> None:
    _warm_up(_consumed_queues(app))  # prefork: each child process serves tasks


@worker_ready.connect
def _worker_ready(sender: Any = None, **kwargs: object) -> None:
    from django.conf import settings

    from jobmatch.heartbeat import Heartbeat

    queues = _consumed_queues(app)
    pool = getattr(sender, "pool", None)
    hostname = getattr(sender, "hostname", None) or f"celery@{socket.gethostname()}"
    beat = Heartbeat(hostname=hostname, kind="worker", queues=sorted(queues), details=warm_state)
    beat.start()
    _heartbeats.append(beat)
    port = int(os.environ.get("JOBMATCH_WORKER_METRICS_PORT") or 0)
    if port:
        from jobmatch.metrics import serve_worker_metrics

        serve_worker_metrics(port)
    if pool is not None and type(pool).__module__.endswith(".solo"):
        _warm_up(queues)  # solo: the main process serves tasks
        if "matching" in queues and settings.JOBMATCH_SEARCH_PORT:
            from search.matching.service import serve

            try:  # the searches web pages wait for, answered by the process that holds the indexes
                _services.append(serve(settings.JOBMATCH_SEARCH_PORT, settings.JOBMATCH_SEARCH_BIND))
            except OSError as exc:
                log.error("search service not started on port %s: %s", settings.JOBMATCH_SEARCH_PORT, exc)
    elif "matching" in queues:  # prefork: the children opened the store; say whether one exists here
        warm_state["engine"] = _store_state(settings)


def _store_state(settings: Any) -> str:
    if settings.QDRANT_URL:
        return "ok"
    folder = settings.INDEX_DIR / ("edge" if settings.JOBMATCH_VECTOR_STORE == "edge" else "qdrant")
    return "ok" if folder.exists() else "no index built yet (manage.py build_index)"


def _start_beat_heartbeat() -> None:
    from jobmatch.heartbeat import Heartbeat

    beat = Heartbeat(hostname=f"beat@{socket.gethostname()}", kind="beat", queues=[], details={})
    beat.start()
    _heartbeats.append(beat)
    atexit.register(beat.stop)  # a standalone beat gets no worker_shutdown


@beat_init.connect  # standalone and embedded (-B) beat alike, once its scheduler holds the lock
def _beat_started(**kwargs: object) -> None:
    _start_beat_heartbeat()


@beat_embedded_init.connect
def _embedded_beat_started(**kwargs: object) -> None:
    from jobmatch.beat import exit_on_sigterm

    exit_on_sigterm()


@worker_shutdown.connect
def _worker_shutdown(**kwargs: object) -> None:
    while _heartbeats:
        _heartbeats.pop().stop()
    while _services:
        _services.pop().shutdown()


@before_task_publish.connect
def _publish(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    observability.add_request_id_header(headers=headers)


@task_prerun.connect
def _task_start(task_id: str | None = None, task: Any = None, **kwargs: Any) -> None:
    observability.task_started(task_id=task_id, task=task)
    _task_started[str(task_id)] = time.perf_counter()


@task_postrun.connect
def _task_end(task_id: str | None = None, task: Any = None, state: str | None = None, **kwargs: Any) -> None:
    from jobmatch.metrics import TASK_DURATION

    started = _task_started.pop(str(task_id), None)
    if started is not None and task is not None:
        TASK_DURATION.labels(task=task.name, outcome=(state or "unknown").lower()).observe(
            time.perf_counter() - started
        )
    observability.task_ended(task_id=task_id)
