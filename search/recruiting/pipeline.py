"""A posting's hiring pipeline: the stages a candidate moves through, the moves and notes kept as history,
the board (candidates by stage) and the funnel (how many reached each stage, and how long they stayed).

A candidate is a resume shared with the posting's organisation (applied, or discoverable and ranked for
the posting). With no CandidateDecision row a candidate is "applied" if they applied and "suggested"
otherwise; a recruiter's first move writes the row."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from resumes.models import Resume
from search import access
from search.models import Application, CandidateDecision, CandidateEvent, CandidateMatch, JobPosting

Stage = CandidateDecision.Status
SUGGESTED = "suggested"
# The way through, in order; rejected is the way out, from any stage.
FORWARD = (Stage.APPLIED, Stage.SCREENING, Stage.INTERVIEW, Stage.OFFER, Stage.HIRED)
COLUMNS = (SUGGESTED, *[s.value for s in FORWARD], Stage.REJECTED.value)
BAR_FROM, BAR_SPAN, ROW = 24, 62, 34
LABELS = {SUGGESTED: "Suggested", **{s.value: s.label for s in Stage}}


def stage_label(stage: str) -> str:
    return LABELS.get(stage, stage)


def stage_of(decision: CandidateDecision | None, applied: bool) -> str:
    """Where a candidate stands: the stage a recruiter put them in, else applied, else a suggestion."""
    if decision is not None:
        return decision.status
    return Stage.APPLIED if applied else SUGGESTED


class NotACandidate(PermissionDenied):
    """The resume is not shared with the posting's organisation."""


@dataclass
class Card:
    """One candidate on the board."""

    resume: Resume
    stage: str
    since: dt.datetime | None  # when they entered the stage (None for a suggestion)
    applied: bool
    match: CandidateMatch | None
    note: str = ""

    @property
    def days_in_stage(self) -> int | None:
        return None if self.since is None else (timezone.now() - self.since).days


@dataclass
class FunnelStage:
    stage: str
    label: str
    reached: int  # candidates who ever entered this stage (or a later one)
    now: int  # candidates in it now
    median_days: float | None  # median time spent in it, finished stays and current ones alike
    share: float = 0.0  # reached / the most any stage reached
    y: int = 0  # the chart's row, in pixels

    # The chart (templates/recruit/pipeline.html): labels in the first BAR_FROM % of its width, bars up to
    # BAR_SPAN % after them, the count after the bar.
    @property
    def bar_width(self) -> float:
        return round(BAR_SPAN * self.share, 1)

    @property
    def value_x(self) -> float:
        return round(BAR_FROM + self.bar_width, 1)


@dataclass
class Board:
    columns: dict[str, list[Card]] = field(default_factory=dict)
    funnel: list[FunnelStage] = field(default_factory=list)
    rejected: int = 0

    @property
    def chart_height(self) -> int:
        return ROW * len(self.funnel)

    @property
    def in_pipeline(self) -> int:
        return sum(len(cards) for stage, cards in self.columns.items() if stage != SUGGESTED)


@transaction.atomic
def stage_move(
    *, posting: JobPosting, resume: Resume, stage: str, note: str = "", by: AbstractBaseUser
) -> CandidateDecision:
    """Put a candidate in `stage` (one of CandidateDecision.Status), with an optional note; both go to the
    history. Moving to the stage they are in only adds the note."""
    if stage not in Stage.values:
        raise ValueError(f"unknown stage {stage!r}")
    if not access.resumes_visible_for_posting(posting).filter(pk=resume.pk).exists():
        raise NotACandidate("This resume is not shared with this posting's organisation.")
    note = note.strip()[:2000]
    now = timezone.now()
    decision = CandidateDecision.objects.select_for_update().filter(posting=posting, resume=resume).first()
    before = _stage_now(posting, resume, decision)
    if decision is None:
        decision = CandidateDecision(posting=posting, resume=resume, status=stage, stage_since=now)
    elif decision.status != stage:
        decision.status, decision.stage_since = stage, now
    if note:
        decision.note = note
    decision.decided_by = by
    decision.save()
    moved = before != stage
    if moved or note:
        CandidateEvent.objects.create(
            posting=posting,
            resume=resume,
            from_stage=before if moved else "",
            to_stage=stage if moved else "",
            note=note,
            by=by,
            by_name=by.get_username(),
            at=now,
        )
    return decision


def note_add(*, posting: JobPosting, resume: Resume, note: str, by: AbstractBaseUser) -> CandidateEvent | None:
    """A note in the candidate's history without a move (also the decision's latest note)."""
    note = note.strip()[:2000]
    if not note:
        return None
    stage = _stage_now(posting, resume, CandidateDecision.objects.filter(posting=posting, resume=resume).first())
    if stage == SUGGESTED:
        stage = Stage.SCREENING  # noting a suggestion takes it into the pipeline
    stage_move(posting=posting, resume=resume, stage=stage, note=note, by=by)
    return CandidateEvent.objects.filter(posting=posting, resume=resume).first()


def _stage_now(posting: JobPosting, resume: Resume, decision: CandidateDecision | None) -> str:
    applied = decision is None and Application.objects.filter(posting=posting, resume=resume).exists()
    return stage_of(decision, applied)


def history(*, posting: JobPosting, resume: Resume) -> list[CandidateEvent]:
    """The candidate's moves and notes, newest first, with the application itself as the oldest entry."""
    events = list(CandidateEvent.objects.filter(posting=posting, resume=resume))
    applied = Application.objects.filter(posting=posting, resume=resume).first()
    if applied is not None:
        events.append(CandidateEvent(posting=posting, resume=resume, to_stage=Stage.APPLIED, at=applied.created_at))
    return events


def board_for_posting(*, posting: JobPosting, suggestions: int = 10) -> Board:
    """The candidates of a posting by stage, the best-ranked suggestions first, and its funnel."""
    visible = access.resumes_visible_for_posting(posting)
    visible_ids = set(visible.values_list("pk", flat=True))
    decisions = {d.resume_id: d for d in CandidateDecision.objects.filter(posting=posting, resume_id__in=visible_ids)}
    applications = {a.resume_id: a for a in Application.objects.filter(posting=posting, resume_id__in=visible_ids)}
    matches = {m.resume_id: m for m in CandidateMatch.objects.filter(posting=posting, resume_id__in=visible_ids)}
    ids = set(decisions) | set(applications) | set(matches)
    resumes = {r.pk: r for r in Resume.objects.filter(pk__in=ids)}
    board = Board(columns={stage: [] for stage in COLUMNS})
    for rid, resume in resumes.items():
        decision, application = decisions.get(rid), applications.get(rid)
        since = decision.stage_since if decision else application.created_at if application else None
        stage = stage_of(decision, application is not None)
        note = decision.note if decision else ""
        board.columns[stage].append(Card(resume, stage, since, application is not None, matches.get(rid), note))

    def by_rank(card: Card) -> tuple[int, float]:
        return (card.match.rank if card.match else 10_000, -(card.since or timezone.now()).timestamp())

    for stage in board.columns:
        board.columns[stage].sort(key=by_rank)
    board.columns[SUGGESTED] = board.columns[SUGGESTED][:suggestions]
    board.rejected = len(board.columns[Stage.REJECTED])
    in_stage = {stage: len(cards) for stage, cards in board.columns.items()}
    board.funnel = funnel(posting=posting, visible_ids=visible_ids, applications=applications, in_stage=in_stage)
    return board


def funnel(
    *,
    posting: JobPosting,
    visible_ids: set[int],
    applications: dict[int, Application],
    in_stage: dict[str, int],
) -> list[FunnelStage]:
    """For each forward stage: how many candidates reached it (entered it or a later one at some point,
    rejected later or not), how many are in it now (`in_stage`, the board's count), and the median days
    spent in it."""
    now = timezone.now()
    order = {s.value: i for i, s in enumerate(FORWARD)}
    furthest: dict[int, int] = {}  # resume -> index of the furthest forward stage it entered
    stays: dict[str, list[float]] = {s.value: [] for s in FORWARD}
    events_by_resume: dict[int, list[CandidateEvent]] = {}
    for e in (
        CandidateEvent.objects.filter(posting=posting, resume_id__in=visible_ids)
        .exclude(to_stage="")
        .order_by("at", "pk")
    ):
        events_by_resume.setdefault(e.resume_id, []).append(e)
    for rid in set(events_by_resume) | set(applications):
        # The stages entered, in time order: the application first, then every move.
        entered: list[tuple[str, dt.datetime]] = []
        if rid in applications:
            entered.append((Stage.APPLIED, applications[rid].created_at))
        entered += [(e.to_stage, e.at) for e in events_by_resume.get(rid, [])]
        for i, (stage, since) in enumerate(entered):
            if stage in order:
                furthest[rid] = max(furthest.get(rid, -1), order[stage])
                until = entered[i + 1][1] if i + 1 < len(entered) else now
                stays[stage].append(max(0.0, (until - since).total_seconds() / 86400))
    out = []
    for i, stage in enumerate(FORWARD):
        reached = sum(1 for f in furthest.values() if f >= i)
        days = stays[stage.value]
        out.append(
            FunnelStage(
                stage.value,
                stage.label,
                reached,
                in_stage.get(stage.value, 0),
                round(statistics.median(days), 1) if days else None,
            )
        )
    top = max((s.reached for s in out), default=0)
    for i, s in enumerate(out):
        s.share = s.reached / top if top else 0.0
        s.y = i * ROW
    return out
