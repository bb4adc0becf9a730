"""Postings into the indexes (worker): what each posting says in the resumes' vocabulary, its vector,
its keywords and its domain, brought in line with the open postings incrementally."""

from __future__ import annotations

import hashlib
import json
import logging
import math
import multiprocessing
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from tqdm import tqdm

from resumes.understanding.pipeline import get_nlp, skills_in_texts
from resumes.understanding.vocabulary import occupation_for_title, occupation_skills, vocabulary_version
from search.filters import yearly_pay
from search.indexes.base import IndexDoc
from search.models import JobPosting, PostingImport
from search.ranking.domain import domain_probabilities
from search.ranking.occupations import family, with_named
from search.ranking.posting_domains import posting_domain
from search.ranking.seniority import posting_level

from .documents import INDEX_FIELDS, embedding_stamp, posting_embedding_text, posting_keyword_text
from .embeddings import embed_texts
from .engine import Engine, domain_stamp_path, domain_stamp_version, get_engine, skill_idf_path
from .resume_index import resumes_index_repair, resumes_reclassify, resumes_unindex_orphans

log = logging.getLogger(__name__)


@dataclass
class IndexReport:
    postings: int = 0
    embedded: int = 0
    vectors_removed: int = 0
    bm25_updated: int = 0
    bm25_removed: int = 0
    resumes_lost: int = 0  # resumes the recruiter-side indexes lacked: written again on their next ranking
    resumes_orphaned: int = 0  # entries of deleted resumes the recruiter-side indexes still held: removed
    # Classified again by a new domain model, from the vectors the indexes hold (domains_refresh).
    postings_reclassified: int = 0
    resumes_reclassified: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def _progress(total: int, desc: str, enabled: bool) -> tqdm[None]:
    return tqdm(total=total, desc=desc, unit="posting", disable=not enabled, dynamic_ncols=True)


def index_build(
    *,
    progress: bool = False,
    batch_size: int = 1024,
    full: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
) -> IndexReport:
    """Bring the vector and BM25 indexes in line with the active postings.

    Only postings whose content hash differs from the indexed one are embedded again
    (`full` re-embeds all); closed or deleted postings leave both indexes. A new domain
    model classifies the rest again from their stored vectors (domains_refresh).
    """

    engine = get_engine()
    report = IndexReport()
    active = dict(JobPosting.objects.open().values_list("id", "content_hash"))
    report.postings = len(active)
    # Postings a domain model never classified are embedded again; a new model (or a first occupation
    # model) classifies and places every posting from its stored vector instead (domains_refresh).
    unclassified = (
        set(JobPosting.objects.open().filter(domain_probs__isnull=True).values_list("id", flat=True))
        if engine.domain is not None
        else set()
    )

    # Skills and occupation, in the resumes' vocabulary, for postings not read since they last changed
    t0 = time.perf_counter()
    stamps = JobPosting.objects.open().values_list("id", "content_hash", "vocabulary_hash")
    reread = {i for i, h, v in stamps.iterator(chunk_size=10000) if full or v != vocabulary_stamp(h)}
    postings_understand(ids=sorted(reread))
    report.seconds["understand"] = time.perf_counter() - t0

    # Dense vectors
    t0 = time.perf_counter()
    have = engine.vectors.hashes()
    gone = [i for i in have if i not in active]
    engine.vectors.delete(gone)
    report.vectors_removed = len(gone)
    stale = sorted(i for i, h in active.items() if full or have.get(i) != embedding_stamp(h) or i in unclassified)
    # Qdrant upserts run in one background thread while the next batch is embedded
    # (torch releases the GIL); at most one upsert is in flight, so memory stays bounded.
    pending: Future[None] | None = None
    with _progress(len(stale), "embedding", progress) as bar, ThreadPoolExecutor(max_workers=1) as upserter:
        for start in range(0, len(stale), batch_size):
            ids = stale[start : start + batch_size]
            postings = list(
                JobPosting.objects.filter(id__in=ids).only(*INDEX_FIELDS, "declared_domain", "occupation_code")
            )
            texts = [posting_embedding_text(p) for p in postings]
            unique = list(dict.fromkeys(texts))  # reposted jobs share a text: embed it once
            t1 = time.perf_counter()
            by_text = dict(zip(unique, embed_texts(unique), strict=True))
            emb = np.stack([by_text[t] for t in texts])
            report.seconds["embed"] = report.seconds.get("embed", 0.0) + time.perf_counter() - t1
            docs = [
                IndexDoc(
                    id=p.id,
                    content_hash=embedding_stamp(p.content_hash),
                    vector=emb[i],
                    payload={"source": p.source, "external_id": p.external_id},
                )
                for i, p in enumerate(postings)
            ]
            if pending is not None:
                pending.result()
            pending = upserter.submit(engine.vectors.upsert, docs)
            postings_classify(postings, emb, engine)
            report.embedded += len(postings)
            bar.update(len(postings))
            if on_progress is not None:
                on_progress(report.embedded, len(stale))
        if pending is not None:
            pending.result()
    if stale or gone:
        engine.vectors.optimize()  # the embedded store builds its HNSW graph over what was written
    report.seconds["vectors"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    report.postings_reclassified, report.resumes_reclassified = domains_refresh(skip=set(stale))
    report.seconds["reclassify"] = time.perf_counter() - t0

    # BM25
    t0 = time.perf_counter()
    bm25 = engine.bm25
    have = bm25.hashes()
    gone = [i for i in have if i not in active]
    bm25.delete(gone)
    report.bm25_removed = len(gone)
    # BM25 also reads the skills and occupation: a posting read again is indexed again.
    stale = sorted(i for i, h in active.items() if have.get(i) != h or i in reread)
    with _progress(len(stale), "keyword index", progress) as bar:
        for start in range(0, len(stale), 5000):
            ids = stale[start : start + 5000]
            postings = JobPosting.objects.filter(id__in=ids).only(*INDEX_FIELDS, "skills", "occupation_title")
            bm25.upsert(
                [IndexDoc(id=p.id, content_hash=p.content_hash, text=posting_keyword_text(p)) for p in postings]
            )
            bar.update(len(ids))
    report.bm25_updated = len(stale)
    if stale or gone or not (bm25.path and (bm25.path / "tf.npz").exists()):
        bm25.save()
    report.seconds["bm25"] = time.perf_counter() - t0

    if reread or gone or not skill_idf_path().exists():
        skill_idf_write()

    report.resumes_lost = resumes_index_repair()
    report.resumes_orphaned = resumes_unindex_orphans()
    return report


def postings_classify(postings: list[JobPosting], vecs: np.ndarray, engine: Engine) -> None:
    """Store, for each posting, the domain model's probabilities (from its embedding and title) and the
    domain shown (the declared one, else the likeliest), and its place in O*NET-SOC (from its embedding,
    with the occupation its title names exactly) and its job family."""
    fields = postings_place(postings, vecs, engine)
    if fields:
        JobPosting.objects.bulk_update(postings, fields, batch_size=1000)


def postings_place(postings: list[JobPosting], vecs: np.ndarray, engine: Engine) -> list[str]:
    """postings_classify without writing: sets the fields on the objects and returns their names."""
    fields = []
    if engine.domain is not None:
        probs = domain_probabilities(engine.domain.estimator, vecs, [[p.title] for p in postings])
        for p, row in zip(postings, probs, strict=True):
            p.domain_probs = [round(float(x), 5) for x in row]
            p.domain = p.declared_domain or engine.domain.classes[int(np.argmax(row))]
        fields += ["domain_probs", "domain"]
    if engine.occupations is not None:
        for p, placement in zip(postings, engine.occupations.estimator.place(vecs), strict=True):
            p.occupations = with_named(placement, [p.occupation_code])
            p.family = family(p.occupations)[0]
        fields += ["occupations", "family"]
    return fields


def domains_refresh(*, skip: set[int] | frozenset[int] = frozenset(), batch_size: int = 5000) -> tuple[int, int]:
    """When the serving domain model is not the one that classified what the indexes hold (a retrained
    or newly shipped model; its version is stamped in the index folder), give every open posting and
    every indexed resume its probabilities, from the vectors the indexes hold: no posting is embedded
    again, and of a resume only its head when the model reads heads (search.indexing.resume_index.resumes_reclassify).
    `skip`: postings just classified by this model. Returns (postings, resumes) classified."""

    engine = get_engine()
    if engine.models_stamp is None or domain_stamp_version() == engine.models_stamp:
        return 0, 0
    ids = [i for i in JobPosting.objects.open().values_list("id", flat=True).iterator(10000) if i not in skip]
    postings_done = 0
    for start in range(0, len(ids), batch_size):
        vecs = engine.vectors.vectors(ids[start : start + batch_size])
        postings = list(
            JobPosting.objects.filter(id__in=list(vecs)).only("id", "title", "declared_domain", "occupation_code")
        )
        if postings:
            postings_classify(postings, np.asarray([vecs[p.id] for p in postings], dtype=np.float32), engine)
            postings_done += len(postings)
    resumes_done = resumes_reclassify()
    path = domain_stamp_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"version": engine.models_stamp}))
    tmp.replace(path)
    return postings_done, resumes_done


def skill_idf_write() -> dict[str, float]:
    """How specific each skill is among the active postings (smoothed idf), for the skills feature."""
    df: Counter[str] = Counter()
    n = 0
    for skills in JobPosting.objects.open().values_list("skills", flat=True).iterator(chunk_size=5000):
        n += 1
        df.update({s.lower() for s in skills or ()})
    idf = {s: round(math.log((1 + n) / (1 + c)) + 1, 4) for s, c in df.items()}
    path = skill_idf_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(idf, sort_keys=True))
    tmp.replace(path)
    return idf


# What reading a posting gives, as part of its stamp: a new reading reads every posting again.
READING = "skills, inferred skills, occupation, level, declared domain"


def vocabulary_stamp(content_hash: str) -> str:
    """What a posting read from this content with the shipped vocabularies records: a new content or
    a new vocabulary means it is read again."""
    return hashlib.sha256(f"{content_hash}:{vocabulary_version()}:{READING}".encode()).hexdigest()


# Fewer postings than this are read in the calling process: forking costs more than it saves.
PARALLEL_READ_MIN = 1000


@contextmanager
def skills_reader(total: int) -> Iterator[Callable[[list[str]], list[list[str]]]]:
    """`skills_in_texts`, split across JOBMATCH_INDEX_PROCESSES processes when `total` texts are to be read.

    spaCy's tokenizer, most of the time spent, holds the GIL: processes forked once the vocabulary
    and matcher are loaded (they share those pages) read the parts of each batch, in order. Where no
    child process may be started (a daemonic Celery prefork worker, a platform without fork) the
    texts are read here, with the same result."""
    n = min(settings.JOBMATCH_INDEX_PROCESSES, os.cpu_count() or 1)
    if n < 2 or total < PARALLEL_READ_MIN or "fork" not in multiprocessing.get_all_start_methods():
        yield skills_in_texts
        return
    get_nlp()  # loaded before the fork, so no child loads it again
    try:
        pool = multiprocessing.get_context("fork").Pool(n)
    except (AssertionError, OSError) as exc:  # "daemonic processes are not allowed to have children"
        log.info("reading postings' skills in one process: %s", exc)
        yield skills_in_texts
        return

    def read(texts: list[str]) -> list[list[str]]:
        size = -(-len(texts) // n)
        parts = pool.map(skills_in_texts, [texts[i : i + size] for i in range(0, len(texts), size)])
        return [skills for part in parts for skills in part]

    try:
        yield read
        pool.close()
    finally:
        pool.terminate()
        pool.join()


def posting_text(p: JobPosting) -> str:
    return f"{p.title}\n{p.description}"


def posting_read(p: JobPosting, skills: list[str]) -> None:
    """Set what indexing reads of one posting (unsaved): its skills (`skills`, those its text names, then
    its occupation's usual ones, kept apart as inferred), O*NET occupation, level and declared domain."""
    occ = occupation_for_title(p.title)
    stated = list(dict.fromkeys(skills))[:50]
    usual = [s for s in occupation_skills(occ.code) if s not in stated] if occ is not None else []
    p.skills = (stated + usual)[:50]
    p.skills_inferred = [s for s in usual if s in p.skills]
    p.seniority = posting_level(p.experience_level, p.title, yearly_pay(p))
    p.occupation_code, p.occupation_title = (occ.code, occ.title) if occ else ("", "")
    p.declared_domain = posting_domain(p.title, p.job_functions, p.industries)
    p.domain = p.declared_domain or p.domain
    p.vocabulary_hash = vocabulary_stamp(p.content_hash)


def postings_understand(*, ids: list[int], batch_size: int = 2000) -> None:
    """Read canonical skills, the O*NET occupation, the level and the declared domain of postings. The
    skills are those the title and description name, then the occupation's hot technologies (O*NET),
    kept apart as inferred: most LinkedIn 2023 postings have no description, and a posting still asks
    for its occupation's tools, but the employer did not write them."""
    with skills_reader(len(ids)) as read_skills:
        for start in range(0, len(ids), batch_size):
            postings = list(
                JobPosting.objects.filter(id__in=ids[start : start + batch_size]).only(
                    "id",
                    "title",
                    "description",
                    "content_hash",
                    "job_functions",
                    "industries",
                    "domain",
                    "experience_level",
                    "salary_min",
                    "salary_max",
                    "salary_period",
                )
            )
            for p, skills in zip(postings, read_skills([posting_text(p) for p in postings]), strict=True):
                posting_read(p, skills)
            JobPosting.objects.bulk_update(
                postings,
                [
                    "skills",
                    "skills_inferred",
                    "seniority",
                    "occupation_code",
                    "occupation_title",
                    "declared_domain",
                    "domain",
                    "vocabulary_hash",
                ],
            )


def import_index(*, import_id: int) -> None:
    """Index after a committed import, writing progress on the import row."""
    record = PostingImport.objects.filter(pk=import_id).first()
    if record is None or record.status not in (PostingImport.Status.COMMITTED, PostingImport.Status.INDEXING):
        return
    PostingImport.objects.filter(pk=import_id).update(status=PostingImport.Status.INDEXING, indexed=0)

    def progress(done: int, total: int) -> None:
        PostingImport.objects.filter(pk=import_id).update(indexed=min(done, len(record.posting_ids)))

    try:
        index_build(on_progress=progress)
    except Exception:
        PostingImport.objects.filter(pk=import_id).update(status=PostingImport.Status.FAILED)
        raise
    PostingImport.objects.filter(pk=import_id).update(status=PostingImport.Status.DONE, indexed=len(record.posting_ids))
