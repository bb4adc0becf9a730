"""What each index reads of a posting."""

from __future__ import annotations

from .models import JobPosting

EMBED_DESCRIPTION_CHARS = 1200  # the model reads ~256 word pieces; the opening says what the job is


def posting_embedding_text(p: JobPosting) -> str:
    parts = [p.title]
    if p.job_functions:
        parts.append("Function: " + ", ".join(p.job_functions))
    if p.industries:
        parts.append("Industry: " + ", ".join(p.industries))
    if p.description:
        parts.append(p.description[:EMBED_DESCRIPTION_CHARS])
    return ". ".join(parts)


def posting_keyword_text(p: JobPosting) -> str:
    """Words BM25 reads: the posting's own, plus its canonical skills and occupation title."""
    return "\n".join(
        [
            p.title,
            p.company,
            " ".join(p.job_functions),
            " ".join(p.industries),
            p.description,
            " ".join(p.skills or []),
            p.occupation_title,
        ]
    )


INDEX_FIELDS = (
    "id",
    "content_hash",
    "source",
    "external_id",
    "title",
    "company",
    "description",
    "industries",
    "job_functions",
)
