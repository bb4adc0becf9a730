"""The one chain that turns a query into a ranked, explained list, in both directions.

    retrieve   BM25 and vectors over the items the query may see, then the items of the query's own
               domain nearest to it that neither found (fusion.add_domain_hits)
    fuse       reciprocal rank fusion of the two lists (fusion.reciprocal_rank_fusion)
    features   one row of FEATURES per (resume, posting) pair (features.candidate_features)
    score      the learned re-ranker (reranker.LinearReranker), else fused retrieval blended with
               domain agreement (rerank.rerank_score)
    personalise  the seeker's feedback and learned corrections (personalise.personalise)
    diversify  at most a few items of one employer (seekers), every included item kept (recruiters)
    explain    the reasons for the items kept (explain.reasons)

A seeker's query is a resume (its side a SeekerSide) and the items are postings; a recruiter's query
is a posting (a PostingSide) and the items are resumes. Callers give plain data and adapters: two
retrievers (anything with `search(query, k, allowed)`: the indexes in search/indexes), a `describe`
callable that says what ranking reads of each item id (and leaves out ids it cannot describe: a
posting closed since it was indexed), and the scorer. Nothing here touches Django, the embedder or a
database, so the chain is tested with in-memory indexes in milliseconds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from .diversity import cap_per_key
from .explain import reasons
from .features import FEATURES, UNKNOWN, PostingSide, SeekerSide, SkillMatch, candidate_features
from .fusion import add_domain_hits, reciprocal_rank_fusion
from .personalise import DEFAULT_GRADE, Corrections, Personal, personalise
from .rerank import rerank_score
from .types import Candidate, Hit, StageTimings

RETRIEVAL_DEPTH = 100  # per retriever; the re-ranker sees the union (up to 200) ...
DOMAIN_DEPTH = 50  # ... and the items of the query's domain nearest to it (up to 50 more)
TOP_K = 10
MAX_PER_EMPLOYER = 2  # diversity: at most this many postings of one employer in a seeker's top k
EVALUATED_STAGES = ("bm25", "vectors", "fused", "fused+domain", "full")  # what stage_orders gives

Side = SeekerSide | PostingSide
Matrix = npt.NDArray[np.float64]


class Retriever(Protocol):
    """What the chain asks of an index (search/indexes/base.SearchIndex has it)."""

    def search(self, query: Any, k: int, allowed: Collection[int] | None = None) -> list[Hit]: ...


class VectorRetriever(Retriever, Protocol):
    """A vector index: it also gives the stored vectors of items by id (the pair features measure every
    item's similarity with them, the feedback rules compare items by them)."""

    def vectors(self, ids: Iterable[int]) -> Mapping[int, Sequence[float]]: ...


class Scorer(Protocol):
    """The learned re-ranker: a score per pair, and each feature's part of it."""

    def predict(self, X: Matrix) -> Matrix: ...

    def contributions(self, X: Matrix) -> Matrix: ...


@dataclass(frozen=True)
class Query:
    """What retrieval reads of the query, and the query's own side of every pair."""

    keywords: str  # what BM25 reads
    vector: npt.NDArray[np.float32]  # what the vector index reads
    side: Side  # a resume (the seeker's query) or a posting (the recruiter's)
    allowed: Set[int] | None = None  # the items the query may see (hard filters, sharing); None: all
    domain_items: Set[int] | None = None  # the items of the query's domain; None: no domain search
    depth: int = RETRIEVAL_DEPTH
    domain_depth: int = DOMAIN_DEPTH

    @property
    def for_seeker(self) -> bool:
        return isinstance(self.side, SeekerSide)


@dataclass
class Pool:
    """Everything ranking knows about one query's candidates, in fused order."""

    query: Query
    candidates: list[Candidate]
    sides: Mapping[int, Side]  # each candidate as ranking reads it
    X: Matrix  # one row of FEATURES per candidate
    matches: list[SkillMatch]

    def pair(self, i: int) -> tuple[SeekerSide, PostingSide]:
        """The (resume, posting) sides of the i-th candidate's pair, whichever the direction."""
        item = self.sides[self.candidates[i].id]
        if self.query.for_seeker:
            assert isinstance(self.query.side, SeekerSide) and isinstance(item, PostingSide)
            return self.query.side, item
        assert isinstance(self.query.side, PostingSide) and isinstance(item, SeekerSide)
        return item, self.query.side


@dataclass
class Ranked:
    """One item kept, with what ranking knew of it."""

    candidate: Candidate
    side: Side
    features: npt.NDArray[np.float64]
    match: SkillMatch
    contributions: npt.NDArray[np.float64]
    why: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> int:
        return self.candidate.id

    @property
    def score(self) -> float:
        return self.candidate.final_score


@dataclass
class Ranking:
    items: list[Ranked]
    pool: Pool
    timings: StageTimings


def retrieve(query: Query, *, keywords: Retriever, vectors: Retriever, timings: StageTimings) -> list[Candidate]:
    """BM25 and vector hits fused, then the domain search's hits neither found (they come last: the
    re-ranker sees them, the fused order does not change)."""
    with timings.stage("bm25"):
        bm25_hits = keywords.search(query.keywords, query.depth, query.allowed)
    with timings.stage("vectors"):
        vector_hits = vectors.search(query.vector, query.depth, query.allowed)
    domain_hits: list[Hit] = []
    if query.domain_items is not None and query.domain_depth:
        with timings.stage("domain"):
            within = query.domain_items if query.allowed is None else query.domain_items & query.allowed
            domain_hits = vectors.search(query.vector, query.domain_depth, within) if within else []
    with timings.stage("fuse"):
        return add_domain_hits(reciprocal_rank_fusion(bm25=bm25_hits, vector=vector_hits), domain_hits)


def pool_for(
    query: Query,
    *,
    keywords: Retriever,
    vectors: VectorRetriever,
    describe: Callable[[list[int]], Mapping[int, Side]],
    skill_idf: Mapping[str, float],
    today: dt.date,
    exclude: Set[int] = frozenset(),
    include: Set[int] = frozenset(),
    timings: StageTimings,
) -> Pool:
    """Retrieval and the pair features, what every later stage reads (evaluation and training stop here).
    Items in `include` join however retrieval ranked them (a recruiter's applicants); items in `exclude`
    (dismissed, applied to) and items `describe` does not know (closed since indexing) leave. Items the
    vector search did not return get their similarity to the query from their stored vectors, so the
    vector feature measures every pair, not the luck of retrieval."""
    candidates = retrieve(query, keywords=keywords, vectors=vectors, timings=timings)
    with timings.stage("features"):
        seen = {c.id for c in candidates}
        candidates = candidates + [Candidate(id=i) for i in sorted(set(include) - seen)]
        sides = describe([c.id for c in candidates])
        candidates = [c for c in candidates if c.id in sides and c.id not in exclude]
        unmeasured = [c for c in candidates if c.vector_score is None]
        if unmeasured:
            found = vectors.vectors([c.id for c in unmeasured])
            q = np.asarray(query.vector, dtype=np.float32)
            q = q / (np.linalg.norm(q) + 1e-9)
            for c in unmeasured:
                if c.id in found:
                    v = np.asarray(found[c.id], dtype=np.float32)
                    c.vector_score = float(v @ q / (np.linalg.norm(v) + 1e-9))
        bm25_max = max((c.bm25_score or 0.0 for c in candidates), default=0.0)
        pool = Pool(query, candidates, sides, np.zeros((0, len(FEATURES))), [])
        rows = []
        for i, c in enumerate(candidates):
            seeker, posting = pool.pair(i)
            x, match = candidate_features(c, seeker, posting, skill_idf=skill_idf, bm25_max=bm25_max, today=today)
            rows.append(x)
            pool.matches.append(match)
        if rows:
            pool.X = np.vstack(rows)
    return pool


def model_scores(scorer: Scorer, X: Matrix) -> tuple[Matrix, Matrix]:
    """(scores, per-feature contributions) of feature rows `X` (FEATURES wide). A re-ranker trained on
    fewer features (one saved before features were added) reads the columns it knows, by name; the
    others contribute nothing."""
    X = np.atleast_2d(np.asarray(X, dtype=np.float64))
    names = list(getattr(scorer, "feature_names_", FEATURES))
    if names == list(FEATURES):
        return np.asarray(scorer.predict(X)), np.asarray(scorer.contributions(X))
    columns = [FEATURES.index(n) for n in names]
    contributions = np.zeros_like(X)
    contributions[:, columns] = scorer.contributions(X[:, columns])
    return np.asarray(scorer.predict(X[:, columns])), contributions


def score(pool: Pool, scorer: Scorer | None) -> tuple[Matrix, Matrix]:
    """(scores, per-feature contributions): the learned re-ranker's, else fused retrieval blended with
    domain agreement (contributions all zero)."""
    if scorer is not None and len(pool.candidates):
        return model_scores(scorer, pool.X)
    d = FEATURES.index("domain")
    blended = [rerank_score(c, float(x[d])) for c, x in zip(pool.candidates, pool.X, strict=True)]
    return np.asarray(blended, dtype=np.float64), np.zeros_like(pool.X)


def best_first(pool: Pool, scores: Matrix) -> list[int]:
    """Candidate positions, best score first; a tie goes to the fresher posting, then to the lower id, so
    the order is repeatable."""
    r = FEATURES.index("recency")
    fresh = pool.X[:, r] if len(pool.X) else np.zeros(len(pool.candidates))
    return sorted(range(len(pool.candidates)), key=lambda i: (-scores[i], -fresh[i], pool.candidates[i].id))


def employer_of(side: Side) -> str:
    return side.employer if isinstance(side, PostingSide) else ""


def one_per_job(pool: Pool, order: Sequence[int]) -> list[int]:
    """The order with each reposted job once (postings sharing `same_as`): the freshest posting of the
    group takes the place of the group's best."""
    groups: dict[str, list[int]] = {}
    for i in order:
        side = pool.sides[pool.candidates[i].id]
        if isinstance(side, PostingSide) and side.same_as:
            groups.setdefault(side.same_as, []).append(i)

    def freshness(i: int) -> tuple[dt.date, int]:
        side = pool.sides[pool.candidates[i].id]
        posted = side.posted_at if isinstance(side, PostingSide) else None
        return posted or dt.date.min, pool.candidates[i].id

    out, seen = [], set()
    for i in order:
        side = pool.sides[pool.candidates[i].id]
        key = side.same_as if isinstance(side, PostingSide) else ""
        if not key:
            out.append(i)
        elif key not in seen:
            seen.add(key)
            out.append(max(groups[key], key=freshness))
    return out


def keep(
    pool: Pool,
    order: Sequence[int],
    *,
    k: int,
    per_employer: int | None = None,
    include: Set[int] = frozenset(),
) -> list[int]:
    """The best k positions, each reposted job once, at most `per_employer` of one employer when given
    (an item without one counts alone), plus every included item wherever it ranks, in rank order."""
    order = one_per_job(pool, order)
    if per_employer is not None:
        top = cap_per_key(order, lambda i: employer_of(pool.sides[pool.candidates[i].id]), per_employer, k)
    else:
        top = list(order[:k])
    if not include:
        return top
    chosen = set(top)
    return [i for i in order if i in chosen or pool.candidates[i].id in include]


def explain(pool: Pool, i: int, contributions: Matrix) -> dict[str, Any]:
    """The reasons for the i-th candidate (a recruiter's name the resume's titles too)."""
    seeker, posting = pool.pair(i)
    return reasons(
        seeker, posting, pool.X[i], pool.matches[i], contributions[i], resume_titles=not pool.query.for_seeker
    )


def rank(
    query: Query,
    *,
    keywords: Retriever,
    vectors: VectorRetriever,
    describe: Callable[[list[int]], Mapping[int, Side]],
    scorer: Scorer | None,
    skill_idf: Mapping[str, float],
    today: dt.date,
    k: int = TOP_K,
    exclude: Set[int] = frozenset(),
    include: Set[int] = frozenset(),
    personal: Personal | None = None,
    learned: Corrections | None = None,
    per_employer: int | None = None,
    grade: float = DEFAULT_GRADE,
    prefer_near: float = 0.0,
    explained: bool = True,
    timings: StageTimings | None = None,
) -> Ranking:
    """The whole chain. `personal` (a seeker's feedback, whose look-alike rules compare the items' stored
    vectors; with `learned`, the personalised model, and `grade`, what a grade of the judged set's
    rubric is worth in the scorer's scores) applies to postings only;
    `explained=False` leaves the reasons to the caller (`explain`), for lists most of which are
    never shown. `prefer_near` moves items near the query's place (the same city, or remote) up and far
    ones down by up to half of it, and leaves every item in the list: the seeker's default list shows
    what is near first without hiding the rest."""
    timings = timings if timings is not None else StageTimings()
    pool = pool_for(
        query,
        keywords=keywords,
        vectors=vectors,
        describe=describe,
        skill_idf=skill_idf,
        today=today,
        exclude=exclude,
        include=include,
        timings=timings,
    )
    with timings.stage("rerank"):
        scores, contributions = score(pool, scorer)
        notes: list[dict[str, str]] = [{} for _ in pool.candidates]
        if personal is not None:
            levels = [
                side.experience_level if isinstance(side, PostingSide) else ""
                for side in (pool.sides[c.id] for c in pool.candidates)
            ]
            scores, notes = personalise(
                scores,
                personal=personal,
                ids=[c.id for c in pool.candidates],
                levels=levels,
                X=pool.X,
                vectors_of=vectors.vectors,
                learned=learned,
                grade=grade,
            )
        if prefer_near and len(pool.candidates):
            scores = scores + prefer_near * (pool.X[:, FEATURES.index("location")] - UNKNOWN)
        d = FEATURES.index("domain")
        for c, x, s in zip(pool.candidates, pool.X, scores, strict=True):
            c.domain_score = float(x[d])
            c.final_score = float(s)
        chosen = keep(pool, best_first(pool, scores), k=k, per_employer=per_employer, include=include)
        items = []
        for i in chosen:  # reasons for the items kept, not for the whole pool
            c = pool.candidates[i]
            item = Ranked(c, pool.sides[c.id], pool.X[i], pool.matches[i], contributions[i])
            if explained:
                item.why = explain(pool, i, contributions)
                if notes[i]:
                    item.why["personal"] = notes[i]
            items.append(item)
    return Ranking(items, pool, timings)


def stage_orders(pool: Pool, scorer: Scorer | None, *, per_employer: int | None = None) -> dict[str, list[int]]:
    """Item ids in the order each stage ranks the pool (evaluation): each retriever alone, the fused
    list, fused blended with domain agreement, and the full chain's order (with the same diversity
    rule as the results)."""
    cands = pool.candidates
    orders = {
        "bm25": [c.id for c in sorted((c for c in cands if c.bm25_rank), key=lambda c: c.bm25_rank or 0)],
        "vectors": [c.id for c in sorted((c for c in cands if c.vector_rank), key=lambda c: c.vector_rank or 0)],
        "fused": [c.id for c in cands],
        "fused+domain": [cands[i].id for i in best_first(pool, score(pool, None)[0])],
    }
    if scorer is not None and len(cands):
        full = keep(pool, best_first(pool, score(pool, scorer)[0]), k=len(cands), per_employer=per_employer)
        orders["full"] = [cands[i].id for i in full]
    else:
        orders["full"] = orders["fused+domain"]
    return orders
