"""Postings are read in the resumes' vocabulary: canonical skills and an O*NET occupation."""

from search.models import JobPosting
from search.services import postings_understand, vocabulary_stamp


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
    from resumes.understanding.pipeline import skills_in_texts

    assert "Microsoft Access" not in skills_in_texts([p.description])[0]  # "access data" is no product


def test_a_posting_is_read_again_only_when_it_was_not_read_since_it_changed(corpus):
    from search.services import index_build

    assert index_build().bm25_updated == 0  # everything read and indexed already
    posting = JobPosting.objects.filter(active=True).order_by("id").first()
    # As after an upgrade from a version without vocabularies: never read.
    JobPosting.objects.filter(pk=posting.pk).update(vocabulary_hash="", skills=[], occupation_code="")
    report = index_build()
    assert (report.embedded, report.bm25_updated) == (0, 1)  # read again, and BM25 re-indexes its words
    posting.refresh_from_db()
    assert posting.vocabulary_hash == vocabulary_stamp(posting.content_hash)
    assert index_build().bm25_updated == 0


def test_a_posting_without_a_description_asks_for_its_occupations_tools(db):
    p = JobPosting.objects.create(source="test", external_id="vocab-2", title="Accountant")
    postings_understand(ids=[p.pk])
    p.refresh_from_db()
    assert p.occupation_code == "13-2011.00"
    assert "Microsoft Excel" in p.skills and len(p.skills) <= 12  # O*NET's hot technologies for accountants
