"""What each index reads of a posting."""

from __future__ import annotations

import hashlib

from search.models import JobPosting

# The opening of a description says what the job is: 400 characters embed much faster than the whole
# and rank as well; fewer lose vector recall (docs/benchmarks.md, "How much of a posting is embedded").
EMBED_DESCRIPTION_CHARS = 400
# Part of the hash a posting's vector is stored with: a new recipe re-embeds every posting.
EMBED_RECIPE = f"title, functions, industries, description[:{EMBED_DESCRIPTION_CHARS}]"


def posting_embedding_text(p: JobPosting) -> str:
    parts = [p.title]
    if p.job_functions:
        parts.append("Function: " + ", ".join(p.job_functions))
    if p.industries:
        parts.append("Industry: " + ", ".join(p.industries))
    if p.description:
        parts.append(p.description[:EMBED_DESCRIPTION_CHARS])
    return ". ".join(parts)


def embedding_stamp(content_hash: str) -> str:
    """The hash a posting's vector is stored under: its content and the recipe that embedded it."""
    return hashlib.sha256(f"{content_hash}:{EMBED_RECIPE}".encode()).hexdigest()


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
