"""Services write; each takes keyword arguments and says its verb in its name."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import math
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from django.db import transaction

from resumes.models import Resume

from .documents import INDEX_FIELDS, embedding_stamp, posting_embedding_text, posting_keyword_text
from .feedback import Personal, personal_for, personal_penalties
from .filters import FilterError, Filters
from .importers import PostingRecord, Rejected
from .indexes.base import IndexDoc
from .learning import personal_corrections
from .models import JobPosting, Recommendation
from .ranking.diversity import cap_per_key
from .ranking.domain import domain_probabilities, resume_domain_probabilities
from .ranking.features import (
    FEATURES,
    PostingSide,
    SeekerSide,
    SkillMatch,
    candidate_features,
    domain_vector,
)
from .ranking.fusion import add_domain_hits, reciprocal_rank_fusion
from .ranking.rerank import rerank_score
from .ranking.reranker import contribution_shares
from .ranking.types import Candidate, Hit, StageTimings

if TYPE_CHECKING:
    from .models_store import StoredModel

log = logging.getLogger(__name__)

IMPORT_BATCH = 1000
RETRIEVAL_DEPTH = 100  # per retriever; the re-ranker sees the union (up to 200) ...
DOMAIN_DEPTH = 50  # ... and the postings of the resume's likeliest domain nearest to it (up to 50 more)
TOP_K = 10

# --- import -------------------------------------------------------------------------------

_RECORD_FIELDS = [f.name for f in fields(PostingRecord) if f.name not in {"source", "external_id", "line", "active"}]


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejected] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + len(self.rejected)


def _batches(items: Iterable[PostingRecord | Rejected], size: int) -> Iterator[list[PostingRecord | Rejected]]:
    batch: list[PostingRecord | Rejected] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass
class ImportPlan:
    """What writing a batch of records would do, computed without writing."""

    to_create: list[JobPosting] = field(default_factory=list)
    to_update: list[JobPosting] = field(default_factory=list)
    unchanged: int = 0
    rejected: list[Rejected] = field(default_factory=list)


def postings_plan(
    batch: Iterable[PostingRecord | Rejected], *, organisation_id: int | None = None, created_by_id: int | None = None
) -> ImportPlan:
    """Which records create a posting, which change one (keyed on source + external id), which change nothing."""
    plan = ImportPlan()
    good: dict[tuple[str, str], PostingRecord] = {}
    for rec in batch:
        if isinstance(rec, Rejected):
            plan.rejected.append(rec)
        else:
            good[(rec.source, rec.external_id)] = rec  # a repeated id within a file: the last row wins
    if not good:
        return plan
    existing = {
        (p.source, p.external_id): p
        for p in JobPosting.objects.filter(source__in={k[0] for k in good}, external_id__in={k[1] for k in good})
    }
    for key, rec in good.items():
        posting = existing.get(key)
        if posting is None:
            posting = JobPosting(
                source=rec.source,
                external_id=rec.external_id,
                active=rec.active,
                organisation_id=organisation_id,
                created_by_id=created_by_id,
            )
            for name in _RECORD_FIELDS:
                setattr(posting, name, getattr(rec, name))
            posting.content_hash = posting.compute_content_hash()
            plan.to_create.append(posting)
            continue
        changed = [n for n in _RECORD_FIELDS if getattr(posting, n) != getattr(rec, n)]
        if changed:
            for name in changed:
                setattr(posting, name, getattr(rec, name))
            posting.content_hash = posting.compute_content_hash()
            plan.to_update.append(posting)
        else:
            plan.unchanged += 1
    return plan


def postings_write(plan: ImportPlan) -> list[int]:
    """Write a plan; the caller holds the transaction. Returns the ids written."""
    JobPosting.objects.bulk_create(plan.to_create)
    if plan.to_update:
        JobPosting.objects.bulk_update(plan.to_update, [*_RECORD_FIELDS, "content_hash"])
    return [p.pk for p in plan.to_create + plan.to_update]


def postings_import(*, records: Iterable[PostingRecord | Rejected], batch_size: int = IMPORT_BATCH) -> ImportReport:
    """Create or update postings keyed on (source, external_id); rejected rows are reported, not written.

    Importing the same file twice changes nothing the second time. Each batch is one
    transaction, so an interrupted import leaves whole batches, never half a posting.
    """
    report = ImportReport()
    for batch in _batches(records, batch_size):
        plan = postings_plan(batch)
        report.rejected.extend(plan.rejected)
        report.unchanged += plan.unchanged
        with transaction.atomic():
            postings_write(plan)
        report.created += len(plan.to_create)
        report.updated += len(plan.to_update)
    return report


# --- indexing -----------------------------------------------------------------------------


@dataclass
class IndexReport:
    postings: int = 0
    embedded: int = 0
    vectors_removed: int = 0
    bm25_updated: int = 0
    bm25_removed: int = 0
    resumes_lost: int = 0  # resumes the recruiter-side indexes lacked: written again on their next ranking
    # Classified again by a new domain model, from the vectors the indexes hold (domains_refresh).
    postings_reclassified: int = 0
    resumes_reclassified: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def _progress(total: int, desc: str, enabled: bool):  # type: ignore[no-untyped-def]
    from tqdm import tqdm

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
    from .embeddings import embed_texts
    from .engine import get_engine

    engine = get_engine()
    report = IndexReport()
    active = dict(JobPosting.objects.open().values_list("id", "content_hash"))
    report.postings = len(active)
    unclassified = set(JobPosting.objects.open().filter(domain_probs__isnull=True).values_list("id", flat=True))

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
    stale = sorted(
        i
        for i, h in active.items()
        if full or have.get(i) != embedding_stamp(h) or (engine.domain and i in unclassified)
    )
    # Qdrant upserts run in one background thread while the next batch is embedded
    # (torch releases the GIL); at most one upsert is in flight, so memory stays bounded.
    pending: Future[None] | None = None
    with _progress(len(stale), "embedding", progress) as bar, ThreadPoolExecutor(max_workers=1) as upserter:
        for start in range(0, len(stale), batch_size):
            ids = stale[start : start + batch_size]
            postings = list(JobPosting.objects.filter(id__in=ids).only(*INDEX_FIELDS, "declared_domain"))
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
            if engine.domain is not None:
                postings_classify(postings, emb, engine.domain)
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

    from .engine import skill_idf_path

    if reread or gone or not skill_idf_path().exists():
        skill_idf_write()

    from .recruiting import resumes_index_repair

    report.resumes_lost = resumes_index_repair()
    return report


def postings_classify(postings: list[JobPosting], vecs: np.ndarray, domain_model: StoredModel) -> None:
    """Store the domain model's probabilities for each posting (from its embedding and title) and the
    domain shown: the declared one, else the likeliest."""
    probs = domain_probabilities(domain_model.estimator, vecs, [[p.title] for p in postings])
    for p, row in zip(postings, probs, strict=True):
        p.domain_probs = [round(float(x), 5) for x in row]
        p.domain = p.declared_domain or domain_model.classes[int(np.argmax(row))]
    JobPosting.objects.bulk_update(postings, ["domain_probs", "domain"], batch_size=1000)


def domain_stamp_path() -> Path:
    from django.conf import settings

    return Path(settings.INDEX_DIR) / "domain_model.json"


def resume_heads(estimator: Any, texts: list[str]) -> np.ndarray | None:
    """The embeddings of the texts' heads, for a domain model that reads heads and a resume known by its
    stored vector (which holds the whole's embedding); None for a model saved before the head part."""
    if not estimator.reads_heads:
        return None
    from .embeddings import embed_heads

    return embed_heads(texts)


def domain_stamp_version() -> str | None:
    """The version of the domain model that classified what the indexes hold; None before any did."""
    path = domain_stamp_path()
    return json.loads(path.read_text()).get("version") if path.exists() else None


def domains_refresh(*, skip: set[int] | frozenset[int] = frozenset(), batch_size: int = 5000) -> tuple[int, int]:
    """When the serving domain model is not the one that classified what the indexes hold (a retrained
    or newly shipped model; its version is stamped in the index folder), give every open posting and
    every indexed resume its probabilities, from the vectors the indexes hold: no posting is embedded
    again, and of a resume only its head when the model reads heads (search.recruiting.resumes_reclassify).
    `skip`: postings just classified by this model. Returns (postings, resumes) classified."""
    from .engine import get_engine
    from .recruiting import resumes_reclassify

    engine = get_engine()
    if engine.domain is None:
        return 0, 0
    if domain_stamp_version() == engine.domain.version:
        return 0, 0
    ids = [i for i in JobPosting.objects.open().values_list("id", flat=True).iterator(10000) if i not in skip]
    postings_done = 0
    for start in range(0, len(ids), batch_size):
        vecs = engine.vectors.vectors(ids[start : start + batch_size])
        postings = list(JobPosting.objects.filter(id__in=list(vecs)).only("id", "title", "declared_domain"))
        if postings:
            postings_classify(postings, np.asarray([vecs[p.id] for p in postings], dtype=np.float32), engine.domain)
            postings_done += len(postings)
    resumes_done = resumes_reclassify()
    path = domain_stamp_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"version": engine.domain.version}))
    tmp.replace(path)
    return postings_done, resumes_done


def skill_idf_write() -> dict[str, float]:
    """How specific each skill is among the active postings (smoothed idf), for the skills feature."""
    from collections import Counter

    from .engine import skill_idf_path

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


def vocabulary_stamp(content_hash: str) -> str:
    """What a posting read from this content with the shipped vocabularies records: a new content or
    a new vocabulary means it is read again."""
    from resumes.understanding.vocabulary import vocabulary_version

    return hashlib.sha256(f"{content_hash}:{vocabulary_version()}".encode()).hexdigest()


# Fewer postings than this are read in the calling process: forking costs more than it saves.
PARALLEL_READ_MIN = 1000


@contextmanager
def skills_reader(total: int) -> Iterator[Callable[[list[str]], list[list[str]]]]:
    """`skills_in_texts`, split across JOBMATCH_INDEX_PROCESSES processes when `total` texts are to be read.

    spaCy's tokenizer, most of the time spent, holds the GIL: processes forked once the vocabulary
    and matcher are loaded (they share those pages) read the parts of each batch, in order. Where no
    child process may be started (a daemonic Celery prefork worker, a platform without fork) the
    texts are read here, with the same result."""
    import multiprocessing

    from django.conf import settings

    from resumes.understanding.pipeline import get_nlp, skills_in_texts

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


def postings_understand(*, ids: list[int], batch_size: int = 2000) -> None:
    """Read canonical skills, the O*NET occupation and the declared domain of postings. The skills are
    those the title and description name, then the occupation's hot technologies (O*NET): most
    LinkedIn 2023 postings have no description, and a posting still asks for its occupation's tools."""
    from resumes.understanding.vocabulary import occupation_for_title, occupation_skills

    from .ranking.posting_domains import posting_domain

    with skills_reader(len(ids)) as read_skills:
        for start in range(0, len(ids), batch_size):
            postings = list(
                JobPosting.objects.filter(id__in=ids[start : start + batch_size]).only(
                    "id", "title", "description", "content_hash", "job_functions", "industries", "domain"
                )
            )
            texts = [f"{p.title}\n{p.description}" for p in postings]
            for p, skills in zip(postings, read_skills(texts), strict=True):
                occ = occupation_for_title(p.title)
                if occ is not None:
                    skills = list(dict.fromkeys([*skills, *occupation_skills(occ.code)]))
                p.skills = skills[:50]
                p.occupation_code, p.occupation_title = (occ.code, occ.title) if occ else ("", "")
                p.declared_domain = posting_domain(p.title, p.job_functions, p.industries)
                p.domain = p.declared_domain or p.domain
                p.vocabulary_hash = vocabulary_stamp(p.content_hash)
            JobPosting.objects.bulk_update(
                postings,
                ["skills", "occupation_code", "occupation_title", "declared_domain", "domain", "vocabulary_hash"],
            )


# --- recommendations ----------------------------------------------------------------------

# A learned personal correction at least this large (log-odds) is named among the result's reasons.
LEARNED_NOTE = 0.25
MAX_PER_COMPANY = 2  # diversity: at most this many postings of one company in the top k


@dataclass
class RankedPosting:
    posting: JobPosting
    candidate: Candidate
    why: dict[str, Any] = field(default_factory=dict)
    features: list[float] = field(default_factory=list)  # the pair's FEATURES, kept for learning from feedback


@dataclass
class RecommendResult:
    items: list[RankedPosting]
    timings: StageTimings
    domain: str | None = None
    passed_filters: int | None = None  # postings that pass the hard filters, when any are set
    query_vec: np.ndarray | None = None  # the resume's embedding, kept for the recruiter-side index
    resume_probs: np.ndarray | None = None


class NoPostingsIndexed(RuntimeError):
    """Nothing to match against: postings were never imported or indexed."""


@contextmanager
def _timed(timings: StageTimings, stage: str) -> Iterator[None]:
    t0 = time.perf_counter()
    try:
        yield
    finally:
        timings.add(stage, (time.perf_counter() - t0) * 1000)


def seeker_side(profile: dict[str, Any] | None, resume_probs: np.ndarray | None) -> SeekerSide:
    profile = profile or {}
    return SeekerSide(
        domain_probs=resume_probs,
        skills=frozenset((s.get("canonical") or s.get("name") or "").lower() for s in profile.get("skills") or [] if s),
        occupation_codes=tuple(o["code"] for o in profile.get("occupations") or [] if o.get("code")),
        years=profile.get("years_experience"),
        location=profile.get("location") or "",
    )


def posting_side(p: JobPosting, classes: list[str]) -> PostingSide:
    return PostingSide(
        domain_probs=domain_vector(classes, p.declared_domain, p.domain_probs) if classes else None,
        skills=tuple(p.skills or ()),
        occupation_code=p.occupation_code,
        experience_level=p.experience_level,
        location=p.location,
        remote=p.remote,
        posted_at=p.posted_at,
    )


def company_key(p: JobPosting) -> str:
    return (p.company_ref or p.company).strip().lower()


def _diverse(ranked: list[RankedPosting], k: int, per_company: int = MAX_PER_COMPANY) -> list[RankedPosting]:
    """The best k with at most `per_company` postings of one company (a posting without one counts alone)."""
    return cap_per_key(ranked, lambda item: company_key(item.posting), per_company, k)


def _why(
    seeker: SeekerSide,
    posting: JobPosting,
    domain: str | None,
    x: np.ndarray,
    match: SkillMatch,
    shares: dict[str, float],
) -> dict[str, Any]:
    f = dict(zip(FEATURES, (round(float(v), 4) for v in x), strict=True))
    return {
        "matched_skills": match.matched[:15],
        "missing_skills": match.missing[:15],
        "domain": {"resume": domain, "posting": posting.domain, "agreement": f["domain"]},
        "title": {
            "posting_occupation": posting.occupation_title,
            "match": f["title"],
        },
        "seniority": {"years": seeker.years, "level": posting.experience_level, "fit": f["seniority"]},
        "location": {
            "resume": seeker.location,
            "posting": posting.location,
            "remote": posting.remote,
            "fit": f["location"],
        },
        "features": f,
        "contributions": shares,
    }


@dataclass
class CandidatePool:
    """Everything ranking knows about one resume's candidates, in fused order."""

    candidates: list[Candidate]
    postings: dict[int, JobPosting]
    X: np.ndarray  # one row of FEATURES per candidate
    matches: list[SkillMatch]
    seeker: SeekerSide
    domain: str | None
    timings: StageTimings
    passed_filters: int | None = None
    query_vec: np.ndarray | None = None


def feedback_query(
    query_vec: np.ndarray, liked: Sequence[int], vectors_of: Callable[[list[int]], Mapping[int, Sequence[float]]]
) -> np.ndarray:
    """The resume's vector moved towards the mean of the postings the seeker liked (Rocchio: q + b * mean)."""
    from .feedback import LIKED_QUERY_SHIFT

    found = vectors_of(list(liked)) if liked else {}
    rows = [np.asarray(found[i], dtype=np.float32) for i in liked if i in found]
    if not rows:
        return query_vec
    L = np.vstack(rows)
    L /= np.linalg.norm(L, axis=1, keepdims=True) + 1e-9
    q = np.asarray(query_vec, dtype=np.float32)
    return np.asarray(q / (np.linalg.norm(q) + 1e-9) + LIKED_QUERY_SHIFT * L.mean(axis=0), dtype=np.float32)


def candidate_pool(
    *,
    text: str,
    profile: dict[str, Any] | None = None,
    filters: Filters | None = None,
    depth: int = RETRIEVAL_DEPTH,
    query_vec: np.ndarray | None = None,
    exclude: frozenset[int] = frozenset(),
    liked: Sequence[int] = (),
    domain_depth: int = DOMAIN_DEPTH,
    head_vec: np.ndarray | None = None,
    domain_probs: np.ndarray | None = None,
) -> CandidatePool:
    """Hybrid retrieval among the active postings that pass the hard filters, fused, with the features of
    each (resume, posting) pair. `query_vec` skips embedding the text (evaluation passes cached ones, and
    `head_vec`, the embedding of the text's head, which the domain classifier reads); `domain_probs`
    skips classifying it (a refresh passes those the recruiter-side index holds for the same text);
    postings in `exclude` (dismissed, applied to) are left out. The vector search looks from the resume
    towards the postings in `liked` (saved, applied to: Rocchio's relevance feedback), so more postings
    like them are found; a third search, among the postings of the resume's likeliest domain, adds up
    to `domain_depth` that neither retriever found, after the fused ones."""
    from .engine import get_engine

    engine = get_engine()
    if len(engine.bm25) == 0:
        raise NoPostingsIndexed(
            "No job postings are indexed yet. Run `manage.py import_jobs` and `manage.py build_index`."
        )
    timings = StageTimings()
    allowed: set[int] | None = None
    if filters is not None and filters.active:
        with _timed(timings, "filter"):
            allowed = set(filters.apply(JobPosting.objects.open()).values_list("id", flat=True))
    heads = None if head_vec is None else head_vec[None, :]
    if query_vec is None:
        from .embeddings import embed_documents_and_heads

        with _timed(timings, "embed"):
            vecs, heads = embed_documents_and_heads([text])
            query_vec = vecs[0]
    classes: list[str] = engine.domain.classes if engine.domain is not None else []
    resume_probs, domain = domain_probs, None
    if engine.domain is not None:
        if resume_probs is None or len(resume_probs) != len(classes):
            with _timed(timings, "classify"):
                if heads is None:  # given a vector without its head
                    heads = resume_heads(engine.domain.estimator, [text])
                probs = resume_domain_probabilities(
                    engine.domain.estimator, query_vec[None, :], [profile], [text], heads
                )
                resume_probs = probs[0]
        # Its likeliest domain, however sure: the classifier reads 0.81 of held-out resumes right, and
        # with its words averaged in, an even-odds rule left out resumes it read right (README, Evaluation).
        domain = classes[int(np.argmax(resume_probs))]
    with _timed(timings, "bm25"):
        bm25_hits = engine.bm25.search(text, depth, allowed)
    with _timed(timings, "vectors"):
        looking_for = feedback_query(query_vec, liked, engine.vectors.vectors)
        vector_hits = engine.vectors.search(looking_for, depth, allowed)
    domain_hits: list[Hit] = []
    if domain is not None and domain_depth:
        with _timed(timings, "domain"):
            in_domain = engine.domain_postings(domain)
            if allowed is not None:
                in_domain = in_domain & allowed
            domain_hits = engine.vectors.search(looking_for, domain_depth, in_domain) if in_domain else []
    with _timed(timings, "fuse"):
        fused = add_domain_hits(reciprocal_rank_fusion(bm25=bm25_hits, vector=vector_hits), domain_hits)
    with _timed(timings, "features"):
        postings = JobPosting.objects.open().in_bulk([c.id for c in fused])
        fused = [c for c in fused if c.id in postings and c.id not in exclude]  # closed since indexing
        seeker = seeker_side(profile, resume_probs)
        bm25_max = max((c.bm25_score or 0.0 for c in fused), default=0.0)
        today = dt.date.today()
        rows, matches = [], []
        for c in fused:
            x, match = candidate_features(
                c,
                seeker,
                posting_side(postings[c.id], classes),
                skill_idf=engine.skill_idf,
                bm25_max=bm25_max,
                today=today,
            )
            rows.append(x)
            matches.append(match)
        X = np.vstack(rows) if rows else np.zeros((0, len(FEATURES)))
    return CandidatePool(
        fused, postings, X, matches, seeker, domain, timings, len(allowed) if allowed is not None else None, query_vec
    )


def pool_scores(pool: CandidatePool, reranker: Any | None) -> tuple[np.ndarray, np.ndarray]:
    """(scores, per-feature contributions): the learned re-ranker's, else fused retrieval blended with
    domain agreement (contributions all zero)."""
    if reranker is not None and len(pool.candidates):
        return reranker.predict(pool.X), reranker.contributions(pool.X)
    d = FEATURES.index("domain")
    scores = np.asarray([rerank_score(c, float(x[d])) for c, x in zip(pool.candidates, pool.X, strict=True)])
    return scores, np.zeros_like(pool.X)


def rank_pool(pool: CandidatePool, scores: np.ndarray) -> list[RankedPosting]:
    """The pool's postings, best score first (ties by id, so the order is repeatable)."""
    order = sorted(range(len(pool.candidates)), key=lambda i: (-scores[i], pool.candidates[i].id))
    return [RankedPosting(pool.postings[pool.candidates[i].id], pool.candidates[i]) for i in order]


def jobs_for_text(
    *,
    text: str,
    profile: dict[str, Any] | None = None,
    filters: Filters | None = None,
    k: int = TOP_K,
    depth: int = RETRIEVAL_DEPTH,
    personal: Personal | None = None,
    query_vec: np.ndarray | None = None,
    domain_probs: np.ndarray | None = None,
) -> RecommendResult:
    """The top k postings for one resume: candidate pool, learned re-ranking on the features of each pair
    (the profile gives skills, occupations, years and location), the seeker's own feedback (`personal`:
    postings left out, look-alikes of dismissed ones and levels they refused moved down), diversity,
    and the reasons. `query_vec` and `domain_probs`: the resume's embedding and domain, when known."""
    from .engine import get_engine

    engine = get_engine()
    personal = personal or Personal()
    pool = candidate_pool(
        text=text,
        profile=profile,
        filters=filters,
        depth=depth,
        exclude=personal.excluded,
        query_vec=query_vec,
        liked=personal.liked,
        domain_probs=domain_probs,
    )
    with _timed(pool.timings, "rerank"):
        scores, contrib = pool_scores(pool, engine.reranker.estimator if engine.reranker else None)
        adjusted: list[dict[str, str]] = [{} for _ in pool.candidates]
        if personal.shifts and len(pool.candidates):
            penalty, adjusted = personal_penalties(
                personal, [pool.postings[c.id] for c in pool.candidates], engine.vectors.vectors
            )
            scores = scores - penalty
        learned = personal_corrections(engine.personal, pool.X, personal.resume_id, [c.id for c in pool.candidates])
        scores = scores + learned
        for i, value in enumerate(learned):
            if abs(value) >= LEARNED_NOTE:
                adjusted[i] = {
                    **adjusted[i],
                    "learned": f"{'up' if value > 0 else 'down'} {abs(value):.2f} from your past actions",
                }
        d = FEATURES.index("domain")
        for c, x, score in zip(pool.candidates, pool.X, scores, strict=True):
            c.domain_score = float(x[d])
            c.final_score = float(score)
        top = _diverse(rank_pool(pool, scores), k)
        row = {c.id: i for i, c in enumerate(pool.candidates)}
        for item in top:  # reasons for the ten shown, not for the whole pool
            i = row[item.candidate.id]
            item.why = _why(
                pool.seeker, item.posting, pool.domain, pool.X[i], pool.matches[i], contribution_shares(contrib[i])
            )
            if adjusted[i]:
                item.why["personal"] = adjusted[i]
            item.features = [round(float(v), 5) for v in pool.X[i]]
    return RecommendResult(
        top, pool.timings, pool.domain, pool.passed_filters, pool.query_vec, pool.seeker.domain_probs
    )


def query_text(*, text: str, profile: dict[str, Any] | None) -> str:
    """A resume as retrieval reads it: its text plus the profile's canonical skills and titles,
    so a corrected profile changes what is found and synonyms meet the postings' wording."""
    profile = profile or {}
    terms = [s.get("canonical") or s.get("name") or "" for s in profile.get("skills") or []]
    terms += profile.get("titles") or []
    terms += [o.get("title", "") for o in profile.get("occupations") or []]
    extra = "\n".join(dict.fromkeys(t for t in terms if t))
    return f"{text}\n{extra}" if extra else text


def resume_query_text(*, resume: Resume) -> str:
    return query_text(text=resume.text, profile=resume.profile)


def indexed_resume_entry(*, resume: Resume, text: str) -> tuple[np.ndarray | None, np.ndarray | None]:
    """The resume's vector as the recruiter-side index holds it, when it was made from this same query
    text, and the domain probabilities its entry holds when the serving domain model gave them (the
    index's stamp names that model: search.services.domains_refresh): a refresh (postings closed,
    feedback given) then embeds and classifies nothing. (None, None) for a text not indexed."""
    from .engine import get_engine
    from .models import IndexedResume
    from .recruiting import resume_content_hash

    indexed = IndexedResume.objects.filter(resume=resume).values_list("content_hash", "domain_probs").first()
    if indexed is None or indexed[0] != resume_content_hash(text):  # none indexed, or an older text
        return None, None
    engine = get_engine()
    found = engine.resume_vectors.vectors([resume.pk])
    if resume.pk not in found:
        return None, None
    probs = None
    if indexed[1] and engine.domain is not None and domain_stamp_version() == engine.domain.version:
        probs = np.asarray(indexed[1], dtype=np.float64)
    return np.asarray(found[resume.pk], dtype=np.float32), probs


def recommendations_refresh(*, resume: Resume, k: int = TOP_K) -> RecommendResult:
    """Replace the resume's stored top-k with a fresh ranking under the seeker's saved filters.
    Running it twice stores the same rows; the second time, the resume's text unchanged, it embeds and
    classifies nothing and leaves the recruiter-side indexes as they are."""
    try:
        filters = Filters.from_dict(resume.filters)
    except (FilterError, TypeError, ValueError):  # saved by an older version: rank without them
        log.warning("resume %s has filters that no longer apply; ranking without them", resume.pk)
        filters = None
    text = resume_query_text(resume=resume)
    timings = StageTimings()
    with _timed(timings, "indexed vector"):
        indexed_vec, indexed_probs = indexed_resume_entry(resume=resume, text=text)
    result = jobs_for_text(
        text=text,
        profile=resume.profile,
        filters=filters,
        k=k,
        personal=personal_for(resume),
        query_vec=indexed_vec,
        domain_probs=indexed_probs,
    )
    result.timings.ms.update(timings.ms)
    rows = [
        Recommendation(
            resume=resume,
            posting=item.posting,
            rank=rank,
            score=item.candidate.final_score,
            bm25_score=item.candidate.bm25_score,
            bm25_rank=item.candidate.bm25_rank,
            vector_score=item.candidate.vector_score,
            vector_rank=item.candidate.vector_rank,
            fused_score=item.candidate.fused_score,
            domain_score=item.candidate.domain_score,
            why=item.why,
            features=item.features,
        )
        for rank, item in enumerate(result.items, start=1)
    ]
    with transaction.atomic():
        Recommendation.objects.filter(resume=resume).delete()
        Recommendation.objects.bulk_create(rows)
    if indexed_vec is None and result.query_vec is not None:  # a new text: the recruiter side takes it too
        from .recruiting import resume_index

        with _timed(result.timings, "index resume"):
            resume_index(resume=resume, text=text, vector=result.query_vec, probs=result.resume_probs)
    return result
