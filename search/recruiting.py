"""Services of the recruiter side: invitations, postings written in the site, applications and
visibility, decisions, the audit log, and candidates for a posting (ranking in the other direction).

Web-process services only write rows and send tasks; the ones that open the indexes (marked
"worker") run in the Celery worker or a command, like the seeker side's matching.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from resumes.models import Resume

from . import access
from .documents import posting_embedding_text, posting_keyword_text
from .feedback import posting_applied
from .indexes.base import IndexDoc
from .models import (
    Application,
    CandidateDecision,
    CandidateMatch,
    IndexedResume,
    Invitation,
    JobPosting,
    Membership,
    Organisation,
    PostingFeedback,
    Recommendation,
    ResumeAccess,
)
from .ranking.domain import DOMAIN_SURE, sure_domain
from .ranking.features import FEATURES, SeekerSide, SkillMatch, candidate_features
from .ranking.fusion import add_domain_hits, reciprocal_rank_fusion
from .ranking.reranker import contribution_shares
from .ranking.types import Candidate, Hit, StageTimings

log = logging.getLogger(__name__)

CANDIDATES_K = 20  # the best matches kept per posting; applicants are kept whatever their rank
CANDIDATE_DEPTH = 100  # per retriever, as on the seeker side ...
CANDIDATE_DOMAIN_DEPTH = 50  # ... and the resumes of the posting's domain nearest to it (README, Ranking)


# --- invitations ----------------------------------------------------------------------------


class InvitationInvalid(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def invitation_issue(
    *, by: AbstractBaseUser, role: str, organisation: Organisation | None = None, email: str = ""
) -> Invitation:
    if role == Invitation.Role.RECRUITER and organisation is None:
        raise ValueError("a recruiter invitation names an organisation")
    if role == Invitation.Role.ADMIN:
        organisation = None
    if not access.can_issue_invitation(by, role=role, organisation=organisation):
        raise PermissionDenied("You may not issue this invitation.")
    return Invitation.objects.create(role=role, organisation=organisation, email=email, created_by=by)


def invitation_find(token: str) -> Invitation:
    invitation = Invitation.objects.filter(token=token.strip()).select_related("organisation").first()
    if invitation is None:
        raise InvitationInvalid("This invitation code is not valid. Ask whoever invited you for a new one.")
    if invitation.accepted_at is not None:
        raise InvitationInvalid("This invitation code was already used. Ask whoever invited you for a new one.")
    if invitation.expires_at <= timezone.now():
        raise InvitationInvalid("This invitation code has expired. Ask whoever invited you for a new one.")
    return invitation


def invitation_accept(*, token: str, user: AbstractBaseUser) -> Invitation:
    """Give the user the invitation's role; each code works once. Call inside the sign-up transaction."""
    with transaction.atomic():
        invitation = invitation_find(token)
        # Claim it with a conditional update, so two sign-ups racing for one code cannot both win.
        claimed = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
            accepted_at=timezone.now(), accepted_by=user
        )
        if not claimed:
            raise InvitationInvalid("This invitation code was already used. Ask whoever invited you for a new one.")
        if invitation.role == Invitation.Role.ADMIN:
            user.is_staff = user.is_superuser = True  # type: ignore[attr-defined]
            user.save(update_fields=["is_staff", "is_superuser"])
        else:
            Membership.objects.create(user=user, organisation=invitation.organisation)
    return invitation


# --- postings written in the site -------------------------------------------------------------

POSTING_FORM_FIELDS = (
    "title",
    "company",
    "location",
    "description",
    "work_type",
    "experience_level",
    "salary_min",
    "salary_max",
    "salary_period",
    "salary_currency",
    "remote",
    "closes_at",
)


def _send_after_commit(task_name: str, *args: Any) -> None:
    from . import tasks

    task = getattr(tasks, task_name)
    transaction.on_commit(lambda: task.delay(*args))


def posting_save(
    *,
    by: AbstractBaseUser,
    organisation: Organisation | None,
    values: dict[str, Any],
    posting: JobPosting | None = None,
) -> JobPosting:
    """Create or edit an organisation's posting; it is indexed and its candidates ranked in the background.
    A new posting needs an organisation; an edit keeps the posting's unless another is given."""
    with transaction.atomic():
        if posting is None:
            if organisation is None:
                raise ValueError("a new posting belongs to an organisation")
            posting = JobPosting(
                source=organisation.source,
                external_id=secrets.token_hex(6),
                organisation=organisation,
                created_by=by,
            )
        elif organisation is not None:
            posting.organisation = organisation
        for name in POSTING_FORM_FIELDS:
            if name in values:
                setattr(posting, name, values[name])
        if not posting.company and posting.organisation is not None:
            posting.company = posting.organisation.name
        posting.candidates_pending = True
        posting.save()
        _send_after_commit("index_postings")
        _send_after_commit("rank_candidates", posting.pk)
    return posting


def posting_set_open(*, posting: JobPosting, open: bool) -> JobPosting:
    """Close (leaves every result list and the indexes) or reopen a posting."""
    with transaction.atomic():
        posting.active = open
        posting.save(update_fields=["active", "updated_at"])
        _send_after_commit("index_postings")
        if not open:
            _rematch_seekers_of([posting.pk])
    return posting


def _rematch_seekers_of(posting_ids: list[int]) -> None:
    """Seekers who had these postings in their top ten get a fresh ten without them."""
    resume_ids = sorted(
        set(Recommendation.objects.filter(posting_id__in=posting_ids).values_list("resume_id", flat=True))
    )
    if resume_ids:
        _send_after_commit("refresh_recommendations", resume_ids)


def postings_expire(*, today: dt.date | None = None) -> int:
    """Close every active posting past its closing date (Celery beat runs it hourly in `make run`)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        ids = list(JobPosting.objects.filter(active=True, closes_at__lt=today).values_list("id", flat=True))
        if ids:
            JobPosting.objects.filter(id__in=ids).update(active=False, updated_at=timezone.now())
            _send_after_commit("index_postings")
            _rematch_seekers_of(ids)
    return len(ids)


# --- seekers: visibility and applications ----------------------------------------------------


class ApplicationRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _prune_candidate_rows(resume: Resume) -> None:
    """Forget candidate rows of postings this resume is no longer shared with."""
    for match in CandidateMatch.objects.filter(resume=resume).select_related("posting__organisation"):
        if not access.resumes_visible_for_posting(match.posting).filter(pk=resume.pk).exists():
            match.delete()


def resume_visibility_set(*, resume: Resume, discoverable: bool) -> Resume:
    with transaction.atomic():
        resume.discoverable = discoverable
        resume.save(update_fields=["discoverable", "updated_at"])
        if not discoverable:
            _prune_candidate_rows(resume)
    return resume


def application_submit(*, resume: Resume, posting: JobPosting) -> Application:
    if resume.status != Resume.Status.DONE:
        raise ApplicationRefused("This resume is still being processed; apply once it says Done.")
    if not posting.is_open:
        raise ApplicationRefused("This posting is closed.")
    if posting.organisation_id is None:
        raise ApplicationRefused(
            "This posting was imported from a public data set; apply on the employer's own site instead."
        )
    with transaction.atomic():
        application, created = Application.objects.get_or_create(resume=resume, posting=posting)
        if created:
            JobPosting.objects.filter(pk=posting.pk).update(candidates_pending=True)
            _send_after_commit("rank_candidates", posting.pk)
            posting_applied(resume=resume, posting=posting)  # logged, and out of the seeker's list
    return application


def application_withdraw(*, resume: Resume, posting: JobPosting) -> None:
    with transaction.atomic():
        Application.objects.filter(resume=resume, posting=posting).delete()
        PostingFeedback.objects.filter(resume=resume, posting=posting).update(applied_at=None)
        _prune_candidate_rows(resume)


# --- recruiters: decisions and the audit log ------------------------------------------------


def candidate_decide(
    *, posting: JobPosting, resume: Resume, status: str, note: str, by: AbstractBaseUser
) -> CandidateDecision:
    if not access.resumes_visible_for_posting(posting).filter(pk=resume.pk).exists():
        raise PermissionDenied("This resume is not shared with this posting's organisation.")
    decision, _ = CandidateDecision.objects.update_or_create(
        posting=posting, resume=resume, defaults={"status": status, "note": note.strip()[:2000], "decided_by": by}
    )
    return decision


def resume_access_record(
    *, user: AbstractBaseUser, resume: Resume, action: str, posting: JobPosting | None = None
) -> ResumeAccess:
    return ResumeAccess.objects.create(
        user=user,
        username=user.get_username(),
        resume=resume,
        resume_public_id=resume.public_id,
        posting=posting,
        action=action,
    )


def candidates_request(*, posting: JobPosting) -> None:
    """Ask the worker to rank the posting's candidates again; the page shows them when done."""
    with transaction.atomic():
        JobPosting.objects.filter(pk=posting.pk).update(candidates_pending=True)
        _send_after_commit("rank_candidates", posting.pk)


def candidates_stale(*, posting: JobPosting) -> bool:
    """Never ranked, or a resume it may be matched with changed since (shared, applied, re-read)."""
    if posting.candidates_ranked_at is None:
        return True
    newer = access.resumes_visible_for_posting(posting).filter(updated_at__gt=posting.candidates_ranked_at)
    applied = Application.objects.filter(posting=posting, created_at__gt=posting.candidates_ranked_at)
    return newer.exists() or applied.exists()


# --- the recruiter-side indexes (worker) -----------------------------------------------------


def resume_content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def resume_index(*, resume: Resume, text: str, vector: np.ndarray, probs: np.ndarray | None) -> None:
    """Put one resume in the recruiter-side indexes (worker): its vector, its keywords, its domain."""
    resumes_index_write([(resume, text, vector, probs)])


def resumes_index_write(items: list[tuple[Resume, str, np.ndarray, np.ndarray | None]]) -> None:
    from .engine import get_engine

    if not items:
        return
    engine = get_engine()
    classes = engine.domain.classes if engine.domain is not None else []
    docs = [
        IndexDoc(id=r.pk, content_hash=resume_content_hash(t), text=t, vector=v, payload={"kind": "resume"})
        for r, t, v, _ in items
    ]
    engine.resume_vectors.upsert(docs)
    engine.resume_bm25.upsert(docs)
    engine.resume_bm25.save()
    now = timezone.now()
    IndexedResume.objects.bulk_create(
        [
            IndexedResume(resume=r, content_hash=d.content_hash, indexed_at=now, **_domain_fields(p, classes))
            for (r, _t, _v, p), d in zip(items, docs, strict=True)
        ],
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["resume"],
        update_fields=["content_hash", "domain", "domain_score", "domain_probs", "indexed_at"],
    )


def _domain_fields(probs: np.ndarray | None, classes: list[str]) -> dict[str, Any]:
    """What an index entry holds of the resume's domain: the likeliest, its probability, all of them."""
    known = probs is not None and bool(classes)
    return {
        "domain": classes[int(np.argmax(probs))] if known else "",
        "domain_score": round(float(np.max(probs)), 5) if known else None,
        "domain_probs": [round(float(x), 5) for x in probs] if probs is not None else None,
    }


def resumes_reclassify(batch_size: int = 1000) -> int:
    """Every indexed resume's domain from the serving domain model, read from the vector the recruiter-side
    index holds and the resume's query text, whose head is embedded for a model that reads heads (about 94
    resumes a second on two cores; worker; search.services.domains_refresh calls it)."""
    from .engine import get_engine
    from .ranking.domain import resume_domain_probabilities
    from .services import query_text, resume_heads

    engine = get_engine()
    if engine.domain is None:
        return 0
    ids = list(IndexedResume.objects.values_list("resume_id", flat=True))
    done = 0
    for start in range(0, len(ids), batch_size):
        vecs = engine.resume_vectors.vectors(ids[start : start + batch_size])
        resumes = list(Resume.objects.filter(pk__in=list(vecs)).only("id", "text", "profile"))
        if not resumes:
            continue
        texts = [query_text(text=r.text, profile=r.profile) for r in resumes]
        probs = resume_domain_probabilities(
            engine.domain.estimator,
            np.asarray([vecs[r.pk] for r in resumes], dtype=np.float32),
            [r.profile for r in resumes],
            texts,
            resume_heads(engine.domain.estimator, texts),
        )
        entries = [
            IndexedResume(resume_id=r.pk, **_domain_fields(p, engine.domain.classes))
            for r, p in zip(resumes, probs, strict=True)
        ]
        IndexedResume.objects.bulk_update(entries, ["domain", "domain_score", "domain_probs"], batch_size=1000)
        done += len(entries)
    return done


def resumes_index_missing(*, resumes: QuerySet[Resume], batch_size: int = 64) -> int:
    """Index processed resumes the recruiter side does not hold yet, or holds an older text of (worker).
    Bulk imports rely on this; so does a candidates ranking that meets a resume indexed before.
    One query finds them: no entry, or the resume changed since it was indexed."""
    from .embeddings import embed_documents_and_heads
    from .engine import get_engine
    from .ranking.domain import resume_domain_probabilities
    from .services import query_text

    changed = resumes.filter(status=Resume.Status.DONE).filter(
        Q(index_entry__isnull=True) | Q(updated_at__gt=F("index_entry__indexed_at"))
    )
    have = dict(IndexedResume.objects.filter(resume__in=changed.values("id")).values_list("resume_id", "content_hash"))
    todo: list[tuple[Resume, str]] = []
    same: list[int] = []
    for resume in changed.only("id", "text", "profile"):
        text = query_text(text=resume.text, profile=resume.profile)
        if have.get(resume.pk) == resume_content_hash(text):
            same.append(resume.pk)  # saved for another reason (visibility): nothing to embed
        else:
            todo.append((resume, text))
    if same:
        IndexedResume.objects.filter(resume_id__in=same).update(indexed_at=timezone.now())
    if not todo:
        return 0
    engine = get_engine()
    for start in range(0, len(todo), batch_size):
        batch = todo[start : start + batch_size]
        vecs, heads = embed_documents_and_heads([t for _, t in batch])
        probs: list[np.ndarray | None] = [None] * len(batch)
        if engine.domain is not None:
            profiles = [r.profile for r, _ in batch]
            texts = [t for _, t in batch]
            probs = list(resume_domain_probabilities(engine.domain.estimator, vecs, profiles, texts, heads))
        resumes_index_write([(r, t, v, p) for (r, t), v, p in zip(batch, vecs, probs, strict=True)])
    if len(todo) > batch_size:
        engine.resume_vectors.optimize()  # a bulk import: the embedded store indexes what it wrote
    return len(todo)


def resumes_index_repair() -> int:
    """Forget that a resume is indexed when either recruiter-side index lacks it (the index folder was
    rebuilt, or the keyword store switched to Qdrant): the next `resumes_index_missing` over it, which
    every candidates ranking runs for the resumes it may see, writes it again. Returns how many."""
    from .engine import get_engine

    engine = get_engine()
    listed = set(IndexedResume.objects.values_list("resume_id", flat=True))
    if not listed:
        return 0
    present = set(engine.resume_bm25.hashes()) & set(engine.resume_vectors.hashes())
    lost = sorted(listed - present)
    for start in range(0, len(lost), 5000):
        IndexedResume.objects.filter(resume_id__in=lost[start : start + 5000]).delete()
    return len(lost)


def resume_entries_drop(*, resume_ids: list[int]) -> None:
    """Take resumes out of the recruiter-side indexes (vectors and keywords), leaving the rows alone."""
    from .engine import get_engine

    engine = get_engine()
    engine.resume_vectors.delete(resume_ids)
    engine.resume_bm25.delete(resume_ids)
    engine.resume_bm25.save()


def resumes_unindex(*, resume_ids: list[int]) -> None:
    """Remove resumes from the recruiter-side indexes (worker). Safe for ids already gone."""
    if not resume_ids:
        return
    resume_entries_drop(resume_ids=resume_ids)
    IndexedResume.objects.filter(resume_id__in=resume_ids).delete()


def resumes_unindex_orphans() -> int:
    """Index entries whose resume no longer exists (a deletion whose task was lost): remove them."""
    from .engine import get_engine

    engine = get_engine()
    indexed = {int(i) for i in engine.resume_bm25.ids.tolist()}
    if not indexed:
        return 0
    alive = set(Resume.objects.filter(pk__in=indexed).values_list("id", flat=True))
    orphans = sorted(indexed - alive)
    if orphans:
        resume_entries_drop(resume_ids=orphans)
    return len(orphans)


# --- candidates for a posting (worker) --------------------------------------------------------


@dataclass
class RankedResume:
    resume_id: int
    candidate: Candidate
    score: float
    why: dict[str, Any] = field(default_factory=dict)
    features: list[float] = field(default_factory=list)  # the pair's FEATURES
    match: SkillMatch | None = None
    contributions: np.ndarray | None = None


@dataclass
class CandidatesResult:
    items: list[RankedResume]
    timings: StageTimings
    pool: int = 0


@dataclass
class ResumeSide:
    """What ranking reads of one resume in the recruiter direction (profile decoded once)."""

    seeker: SeekerSide
    domain: str | None
    profile: dict[str, Any]
    domain_score: float | None = None  # the classifier's probability of `domain`


def resume_sides(ids: list[int]) -> dict[int, ResumeSide]:
    from .services import seeker_side

    out: dict[int, ResumeSide] = {}
    for i in range(0, len(ids), 5000):  # bound the query's parameters
        chunk = ids[i : i + 5000]
        resumes = Resume.objects.filter(pk__in=chunk).only("id", "profile").in_bulk()
        entries = IndexedResume.objects.filter(resume_id__in=list(resumes)).in_bulk()
        for rid, resume in resumes.items():
            entry = entries.get(rid)
            probs = np.asarray(entry.domain_probs) if entry is not None and entry.domain_probs else None
            out[rid] = ResumeSide(
                seeker_side(resume.profile, probs),
                entry.domain if entry is not None else None,
                resume.profile or {},
                entry.domain_score if entry is not None else None,
            )
    return out


def resume_reasons(
    side: ResumeSide, posting: JobPosting, x: np.ndarray, match: SkillMatch, contributions: np.ndarray
) -> dict[str, Any]:
    """The reasons shown with a resume matched to a posting (the seeker side's, plus the resume's titles)."""
    from .services import _why

    why = _why(side.seeker, posting, side.domain, x, match, contribution_shares(contributions))
    why["title"]["resume_titles"] = (side.profile.get("titles") or [])[:3]
    why["title"]["resume_occupations"] = [o.get("title") for o in side.profile.get("occupations") or []][:2]
    return why


def posting_sure_domain(posting: JobPosting, classes: list[str]) -> str | None:
    """The posting's domain when it is known well enough to search in: the one its poster declared,
    else the classifier's when it gives it at least even odds."""
    return posting.declared_domain or sure_domain(posting.domain_probs, classes)


def resumes_of_domain(domain: str, sides: dict[int, ResumeSide] | None = None) -> set[int]:
    """The indexed resumes whose likeliest domain is `domain`, at least at even odds: one indexed query,
    or none when a batch caller (alerts) read the sides of every resume it ranks already."""
    if sides is not None:
        return {rid for rid, s in sides.items() if s.domain == domain and (s.domain_score or 0.0) >= DOMAIN_SURE}
    return set(
        IndexedResume.objects.filter(domain=domain, domain_score__gte=DOMAIN_SURE).values_list("resume_id", flat=True)
    )


def resumes_for_posting(
    *,
    posting: JobPosting,
    allowed: set[int],
    k: int = CANDIDATES_K,
    include: set[int] | None = None,
    depth: int = CANDIDATE_DEPTH,
    domain_depth: int = CANDIDATE_DOMAIN_DEPTH,
    posting_vec: np.ndarray | None = None,
    sides: dict[int, ResumeSide] | None = None,
    reasons: bool = True,
) -> CandidatesResult:
    """The best k of the allowed resumes for a posting: BM25 and vectors over the resume indexes, fused,
    then up to `domain_depth` resumes of the posting's domain nearest to it that neither found (as the
    seeker side adds postings of the resume's domain), then the same pair features and learned
    re-ranker as the seeker side (worker). Resumes in `include` (applicants) are ranked too, wherever
    retrieval put them, and kept whatever their rank. A caller ranking many postings passes `sides`
    (resume_sides, read once) and may leave the reasons for later (`reasons=False`: each item keeps
    its features and skill match for resume_reasons)."""
    from .engine import get_engine
    from .services import _timed, posting_side

    engine = get_engine()
    timings = StageTimings()
    include = (include or set()) & allowed
    if not allowed:
        return CandidatesResult([], timings)
    if posting_vec is None:
        from .embeddings import embed_texts

        with _timed(timings, "embed"):
            posting_vec = embed_texts([posting_embedding_text(posting)])[0]
    with _timed(timings, "bm25"):
        bm25_hits = engine.resume_bm25.search(posting_keyword_text(posting), depth, allowed)
    with _timed(timings, "vectors"):
        vector_hits = engine.resume_vectors.search(posting_vec, depth, allowed)
    classes: list[str] = engine.domain.classes if engine.domain is not None else []
    domain_hits: list[Hit] = []
    domain = posting_sure_domain(posting, classes)
    if domain and domain_depth:
        with _timed(timings, "domain"):
            in_domain = resumes_of_domain(domain, sides) & allowed
            domain_hits = engine.resume_vectors.search(posting_vec, domain_depth, in_domain) if in_domain else []
    with _timed(timings, "fuse"):
        fused = add_domain_hits(reciprocal_rank_fusion(bm25=bm25_hits, vector=vector_hits), domain_hits)
        seen = {c.id for c in fused}
        fused += [Candidate(id=i) for i in sorted(include - seen)]  # applicants retrieval did not reach
    with _timed(timings, "features"):
        known = sides if sides is not None else {}
        missing = [c.id for c in fused if c.id not in known]
        if missing:
            known = {**known, **resume_sides(missing)}
        fused = [c for c in fused if c.id in known]
        side = posting_side(posting, classes)
        bm25_max = max((c.bm25_score or 0.0 for c in fused), default=0.0)
        today = dt.date.today()
        rows, matches = [], []
        for c in fused:
            x, match = candidate_features(
                c, known[c.id].seeker, side, skill_idf=engine.skill_idf, bm25_max=bm25_max, today=today
            )
            rows.append(x)
            matches.append(match)
        X = np.vstack(rows) if rows else np.zeros((0, len(FEATURES)))
    with _timed(timings, "rerank"):
        reranker = engine.reranker.estimator if engine.reranker is not None else None
        if reranker is not None and len(fused):
            scores, contrib = reranker.predict(X), reranker.contributions(X)
        else:
            from .ranking.rerank import rerank_score

            d = FEATURES.index("domain")
            scores = np.asarray([rerank_score(c, float(x[d])) for c, x in zip(fused, X, strict=True)])
            contrib = np.zeros_like(X)
        order = sorted(range(len(fused)), key=lambda i: (-scores[i], fused[i].id))
        keep = [i for n, i in enumerate(order) if n < k or fused[i].id in include]
        items = []
        for i in keep:
            c = fused[i]
            c.final_score = float(scores[i])
            why = resume_reasons(known[c.id], posting, X[i], matches[i], contrib[i]) if reasons else {}
            items.append(
                RankedResume(c.id, c, float(scores[i]), why, [round(float(v), 5) for v in X[i]], matches[i], contrib[i])
            )
    return CandidatesResult(items, timings, len(fused))


def candidates_refresh(*, posting: JobPosting, k: int = CANDIDATES_K) -> CandidatesResult:
    """Rank the resumes shared with the posting's organisation and store the best k plus every applicant
    (worker). Running it twice stores the same rows."""
    shared = access.resumes_visible_for_posting(posting)
    resumes_index_missing(resumes=Resume.objects.filter(pk__in=shared.values("id")))
    visible = set(shared.values_list("id", flat=True))
    applicants = set(Application.objects.filter(posting=posting).values_list("resume_id", flat=True))
    result = (
        resumes_for_posting(posting=posting, allowed=visible, k=k, include=applicants)
        if posting.is_open
        else CandidatesResult([], StageTimings())
    )
    rows = [
        CandidateMatch(
            posting=posting,
            resume_id=item.resume_id,
            rank=rank,
            score=item.score,
            bm25_rank=item.candidate.bm25_rank,
            vector_rank=item.candidate.vector_rank,
            why=item.why,
        )
        for rank, item in enumerate(result.items, start=1)
    ]
    with transaction.atomic():
        CandidateMatch.objects.filter(posting=posting).delete()
        CandidateMatch.objects.bulk_create(rows)
        JobPosting.objects.filter(pk=posting.pk).update(candidates_ranked_at=timezone.now(), candidates_pending=False)
    return result
