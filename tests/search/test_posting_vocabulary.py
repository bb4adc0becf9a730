"""Postings are read in the resumes' vocabulary: canonical skills and an O*NET occupation."""

from search.models import JobPosting
from search.services import postings_understand


def test_indexed_postings_carry_an_occupation_and_canonical_skills(corpus):
    postings = JobPosting.objects.filter(active=True)
    with_occupation = postings.exclude(occupation_code="")
    assert with_occupation.count() > 0.6 * postings.count()
    accountant = postings.filter(title__iregex=r"\baccountant\b").exclude(occupation_code="").first()
    if accountant is not None:
        assert accountant.occupation_code == "13-2011.00"


def test_skills_in_a_posting_description_map_to_canonical_names(db):
    p = JobPosting.objects.create(
        source="test",
        external_id="vocab-1",
        title="Senior Software Engineer",
        description="You know JS, Postgres and k8s; Excel is a plus. You will access data daily.",
    )
    postings_understand(ids=[p.pk])
    p.refresh_from_db()
    assert p.occupation_code == "15-1252.00"
    assert {"JavaScript", "PostgreSQL", "Kubernetes", "Microsoft Excel"} <= set(p.skills)
    assert "Microsoft Access" not in p.skills
