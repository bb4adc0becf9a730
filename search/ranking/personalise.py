"""What one seeker's feedback does to their ranking: postings left out, the vector search leaning towards
what they liked, look-alikes of what they dismissed or liked moved, levels they refused moved down, and
the personalised model's learned corrections. Plain data in, scores out: the pipeline applies it the
same way to the results page, a refresh and a job alert.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt

from .features import EXPERIENCE_LEVELS

# The dismissal reasons that act on ranking (search.models.DismissReason holds them all).
NOT_RELEVANT, TOO_JUNIOR, TOO_SENIOR = "not_relevant", "too_junior", "too_senior"

# The rules' amounts are in grades of the judged set's rubric (a good fit over a plausible one, a
# plausible one over an off-field one): `grade` is what one grade is worth in the serving re-ranker's
# score (measured when it is trained: Engine.grade), so the rules move a list as far whatever the
# re-ranker's scale. DEFAULT_GRADE serves a re-ranker that did not measure it.
DEFAULT_GRADE = 1.5
# Grades taken off a posting identical to one dismissed as not relevant (a good fit falls to off-field);
# a posting whose vector is less alike than NOT_RELEVANT_FLOOR (cosine) loses nothing, in between
# linearly.
NOT_RELEVANT_WEIGHT = 2.0
NOT_RELEVANT_FLOOR = 0.6
# Grades added to a posting identical to one the seeker saved or applied to (not to that posting
# itself), linearly from LIKED_FLOOR (cosine) as above.
LIKED_WEIGHT = 1.0
LIKED_FLOOR = 0.6
# How far the vector search moves from the resume towards the liked postings (Rocchio's beta; the
# resume's own vector has weight 1).
LIKED_QUERY_SHIFT = 0.5
# Grades taken off per experience level outside the range the seeker's dismissals set.
SENIORITY_PENALTY = 1.0
# A learned correction at least this large (log-odds) is named among the result's reasons.
LEARNED_NOTE = 0.25

ALL_LEVELS = (0, len(EXPERIENCE_LEVELS) - 1)

VectorsOf = Callable[[list[int]], Mapping[int, Sequence[float]]]


class Corrections(Protocol):
    """The personalised model (search.ranking.personal.GLMix): what it adds to the global scores."""

    def corrections(
        self, X: npt.NDArray[np.float64], seekers: Sequence[int], postings: Sequence[int]
    ) -> npt.NDArray[np.float64]: ...


@dataclass(frozen=True)
class Personal:
    """What one seeker's feedback does to ranking: postings left out, look-alikes demoted, a level range."""

    resume_id: int | None = None  # whose corrections the personalised model adds
    excluded: frozenset[int] = frozenset()  # dismissed or applied
    unwanted: tuple[int, ...] = ()  # dismissed as not relevant, newest first
    levels: tuple[int, int] = ALL_LEVELS  # accepted range, indexes in EXPERIENCE_LEVELS
    notes: Mapping[str, str] = field(default_factory=dict)
    liked: tuple[int, ...] = ()  # saved or applied to, newest first

    @property
    def shifts(self) -> bool:
        return bool(self.unwanted) or bool(self.liked) or self.levels != ALL_LEVELS


def level_index(level: str) -> int | None:
    try:
        return EXPERIENCE_LEVELS.index(level.strip())
    except ValueError:
        return None


def level_range(dismissals: Iterable[tuple[str, str]]) -> tuple[int, int]:
    """The experience levels a seeker accepts after their seniority dismissals (reason, level), oldest
    first: "too junior" at level i moves the lower end above i, "too senior" the upper end below it; the
    newer dismissal wins where two disagree."""
    lo, hi = ALL_LEVELS
    for reason, level in dismissals:
        i = level_index(level)
        if i is None:
            continue
        if reason == TOO_JUNIOR:
            lo = min(i + 1, len(EXPERIENCE_LEVELS) - 1)
            hi = max(hi, lo)
        elif reason == TOO_SENIOR:
            hi = max(i - 1, 0)
            lo = min(lo, hi)
    return lo, hi


def levels_wanted(levels: tuple[int, int]) -> str:
    """ "Associate" or "Associate to Director": the range in words."""
    lo, hi = levels
    return EXPERIENCE_LEVELS[lo] if lo == hi else f"{EXPERIENCE_LEVELS[lo]} to {EXPERIENCE_LEVELS[hi]}"


def feedback_query(
    query_vec: npt.NDArray[np.float32], liked: Sequence[int], vectors_of: VectorsOf
) -> npt.NDArray[np.float32]:
    """The query's vector moved towards the mean of the postings the seeker liked (Rocchio: q + b * mean)."""
    found = vectors_of(list(liked)) if liked else {}
    rows = [np.asarray(found[i], dtype=np.float32) for i in liked if i in found]
    if not rows:
        return query_vec
    L = np.vstack(rows)
    L /= np.linalg.norm(L, axis=1, keepdims=True) + 1e-9
    q = np.asarray(query_vec, dtype=np.float32)
    return np.asarray(q / (np.linalg.norm(q) + 1e-9) + LIKED_QUERY_SHIFT * L.mean(axis=0), dtype=np.float32)


def penalties(
    personal: Personal,
    ids: Sequence[int],
    levels: Sequence[str],
    vectors_of: VectorsOf,
    grade: float = DEFAULT_GRADE,
) -> tuple[npt.NDArray[np.float64], list[dict[str, str]]]:
    """The score each posting (`ids`, with their experience `levels`) loses to the seeker's feedback
    rules, and why (one dict per posting; a negative loss is a gain); `grade` is what one grade is
    worth in the score."""
    pen = np.zeros(len(ids))
    why: list[dict[str, str]] = [{} for _ in ids]
    lo, hi = personal.levels
    if (lo, hi) != ALL_LEVELS:
        for n, level in enumerate(levels):
            i = level_index(level)
            if i is None:
                continue
            out = lo - i if i < lo else i - hi if i > hi else 0
            if out:
                pen[n] += SENIORITY_PENALTY * grade * out
                why[n]["seniority"] = f"{level}, outside the levels you want ({personal.notes['seniority']})"
    if (personal.unwanted or personal.liked) and len(ids):
        found = vectors_of(list(personal.unwanted) + list(personal.liked) + list(ids))
        for marked, sign, weight, floor, key, note in (
            (personal.unwanted, 1.0, NOT_RELEVANT_WEIGHT, NOT_RELEVANT_FLOOR, "like_dismissed", "marked not relevant"),
            (personal.liked, -1.0, LIKED_WEIGHT, LIKED_FLOOR, "like_liked", "saved or applied to"),
        ):
            rows = [i for i in marked if i in found]
            if not rows:
                continue
            U = np.vstack([np.asarray(found[i], dtype=np.float32) for i in rows])
            U /= np.linalg.norm(U, axis=1, keepdims=True) + 1e-9
            for n, pid in enumerate(ids):
                if pid not in found:
                    continue
                v = np.asarray(found[pid], dtype=np.float32)
                sims = U @ (v / (np.linalg.norm(v) + 1e-9))
                sims[[i == pid for i in rows]] = -1.0  # a posting is not its own look-alike
                sim = float(np.max(sims))
                if sim > floor:
                    pen[n] += sign * weight * grade * (sim - floor) / (1 - floor)
                    why[n][key] = f"like a posting you {note} ({sim:.2f})"
    return pen, why


def personalise(
    scores: npt.NDArray[np.float64],
    *,
    personal: Personal,
    ids: Sequence[int],
    levels: Sequence[str],
    X: npt.NDArray[np.float64],
    vectors_of: VectorsOf,
    learned: Corrections | None = None,
    grade: float = DEFAULT_GRADE,
) -> tuple[npt.NDArray[np.float64], list[dict[str, str]]]:
    """One seeker's scores for their postings (`ids`, with their experience `levels` and pair features
    `X`) after their feedback, and what moved each (one dict per posting); `grade`: what one grade of
    the rubric is worth in the scores.

    Both the learned correction and the rules' penalties and bonuses are added to the global score: the
    personalised model was fitted with the global score as its offset, so its correction applies to that
    score, not to what the rules made of it. Every list goes through this one function (the results page,
    a refresh, a job alert), and a caller that keeps only scores above a threshold (job alerts) reads what
    this returns, once: a posting the seeker's feedback lifts can reach them, one it sinks cannot."""
    n = len(ids)
    correction = np.zeros(n)
    if learned is not None and personal.resume_id is not None and n:
        correction = np.asarray(learned.corrections(X, [personal.resume_id] * n, list(ids)), dtype=np.float64)
    out = np.asarray(scores, dtype=np.float64) + correction
    notes: list[dict[str, str]] = [{} for _ in ids]
    if personal.shifts and n:
        penalty, notes = penalties(personal, ids, levels, vectors_of, grade)
        out = out - penalty
    for i, value in enumerate(correction):
        if abs(value) >= LEARNED_NOTE:
            notes[i] = {
                **notes[i],
                "learned": f"{'up' if value > 0 else 'down'} {abs(value):.2f} from your past actions",
            }
    return out, notes
