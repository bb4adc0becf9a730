import logging
import os

from celery import Celery
from celery.signals import worker_process_init, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jobmatch.settings.base")

app = Celery("jobmatch", task_cls="celery.contrib.django.task:DjangoTask")  # delay_on_commit
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
log = logging.getLogger(__name__)


def _warm_up() -> None:
    """Load the models and open the indexes before the first task, so the first seeker does not wait."""
    try:
        from resumes.understanding.ner import load_ner
        from resumes.understanding.pipeline import get_nlp
        from search.indexing.embeddings import get_model
        from search.indexing.engine import get_engine

        get_engine()
        get_model()
        get_nlp()
        load_ner()
    except Exception:  # a worker without indexes yet still starts; the task reports the problem
        log.warning("could not warm up the matching engine", exc_info=True)


@worker_process_init.connect
def _warm_pool_process(**kwargs: object) -> None:
    _warm_up()  # prefork: each child process serves tasks


@worker_ready.connect
def _warm_solo_worker(sender: object = None, **kwargs: object) -> None:
    pool = getattr(sender, "pool", None)
    if pool is not None and type(pool).__module__.endswith(".solo"):
        _warm_up()  # solo: the main process serves tasks
