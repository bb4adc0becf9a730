"""Postings are read in the resumes' vocabulary: canonical skills and an O*NET occupation."""

from search.indexing.posting_index import postings_understand, vocabulary_stamp
from search.models import JobPosting


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
    from search.indexing.posting_index import index_build

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


def test_skills_read_in_child_processes_equal_those_read_in_this_one(corpus, settings, monkeypatch):
    """Large batches are read by forked processes; the skills, their order and each posting's share are
    the same as when this process reads them, and so are the rows written."""
    import multiprocessing.pool

    from resumes.understanding.pipeline import skills_in_texts
    from search.indexing import posting_index as services

    postings = list(JobPosting.objects.filter(active=True).order_by("id")[:300])
    texts = [f"{p.title}\n{p.description}" for p in postings]
    settings.JOBMATCH_INDEX_PROCESSES = 2
    monkeypatch.setattr(services.os, "cpu_count", lambda: 2)  # two processes on any machine
    monkeypatch.setattr(services, "PARALLEL_READ_MIN", 10)
    forked = []
    real_pool = multiprocessing.pool.Pool
    monkeypatch.setattr(
        multiprocessing.context.ForkContext,
        "Pool",
        lambda self, n: forked.append(n) or real_pool(n, context=self),
        raising=False,
    )
    with services.skills_reader(len(texts)) as read:
        in_children = read(texts)
    assert forked == [2]
    assert in_children == skills_in_texts(texts)
    assert sum(bool(s) for s in in_children) >= 30  # the comparison is over real skills (titles name them)

    before = {p.pk: (p.skills, p.occupation_code) for p in postings}
    JobPosting.objects.filter(pk__in=before).update(skills=[], occupation_code="")
    services.postings_understand(ids=sorted(before), batch_size=128)
    rows = JobPosting.objects.filter(pk__in=before).values_list("pk", "skills", "occupation_code")
    after = {pk: (skills, code) for pk, skills, code in rows}
    assert after == before
    assert forked == [2, 2]


def test_skills_are_read_here_when_no_child_process_may_start(settings, monkeypatch):
    """Celery's prefork workers are daemonic: multiprocessing refuses them children."""
    import multiprocessing.pool

    from resumes.understanding.pipeline import skills_in_texts
    from search.indexing import posting_index as services

    def refuse(self, n):
        raise AssertionError("daemonic processes are not allowed to have children")

    settings.JOBMATCH_INDEX_PROCESSES = 2
    monkeypatch.setattr(services.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(services, "PARALLEL_READ_MIN", 1)
    monkeypatch.setattr(multiprocessing.context.ForkContext, "Pool", refuse, raising=False)
    with services.skills_reader(5) as read:
        assert read is skills_in_texts
