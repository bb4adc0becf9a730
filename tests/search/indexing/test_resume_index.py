"""The recruiter-side resume indexes: written once per query text, reclassified by a new domain model,
repaired when an index lost a resume, and emptied of deleted resumes."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from resumes.models import Resume
from search.models import CandidateMatch, IndexedResume, JobPosting
from tests.search.personas import DEVELOPER, NURSE, resume_of


def test_a_new_domain_model_classifies_postings_and_indexed_resumes_again_from_their_vectors(seeker, corpus):  # type: ignore[no-untyped-def]
    """A retrained or newly shipped classifier: build_index gives what the indexes hold its probabilities
    without embedding anything again, once."""

    from search.indexing.engine import domain_stamp_path
    from search.indexing.posting_index import index_build
    from search.indexing.resume_index import resumes_index_missing

    resume = resume_of(seeker, NURSE, discoverable=True)
    resumes_index_missing(resumes=Resume.objects.all())
    assert index_build().postings_reclassified == 0  # classified by the serving model already
    entry = IndexedResume.objects.get(resume=resume)
    undeclared = JobPosting.objects.open().filter(declared_domain="").first()
    assert undeclared is not None and entry.domain == "HEALTHCARE"
    right = (undeclared.domain, undeclared.domain_probs, entry.domain_probs)

    # As an older model left them: other probabilities, stamped with another version.
    wrong = [1.0] + [0.0] * (len(entry.domain_probs) - 1)
    JobPosting.objects.filter(pk=undeclared.pk).update(domain="ACCOUNTANT", domain_probs=wrong)
    IndexedResume.objects.filter(pk=entry.pk).update(domain="ACCOUNTANT", domain_score=1.0, domain_probs=wrong)
    domain_stamp_path().write_text(json.dumps({"version": "an older model"}))
    report = index_build()
    assert report.embedded == 0
    assert report.postings_reclassified == JobPosting.objects.open().count() and report.resumes_reclassified == 1
    undeclared.refresh_from_db()
    entry.refresh_from_db()
    assert undeclared.domain == right[0] and undeclared.domain_probs == pytest.approx(right[1], abs=1e-4)
    assert entry.domain == "HEALTHCARE" and entry.domain_probs == pytest.approx(right[2], abs=1e-4)
    assert entry.domain_score == pytest.approx(max(entry.domain_probs))
    again = index_build()
    assert (again.postings_reclassified, again.resumes_reclassified) == (0, 0)


def test_deleting_a_resume_removes_it_from_the_recruiter_indexes(  # type: ignore[no-untyped-def]
    client, seeker, nurse_posting, django_capture_on_commit_callbacks
):
    from search.indexing.engine import get_engine

    resume = resume_of(seeker, NURSE, discoverable=True)
    from search.matching.recruiters import candidates_refresh

    candidates_refresh(posting=nurse_posting)
    engine = get_engine()
    assert resume.pk in engine.resume_bm25.hashes() and resume.pk in engine.resume_vectors.hashes()
    client.force_login(seeker)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("resumes:delete", args=[resume.public_id]))
    assert resume.pk not in engine.resume_bm25.hashes() and resume.pk not in engine.resume_vectors.hashes()
    assert not IndexedResume.objects.exists() and not CandidateMatch.objects.exists()


def test_a_resume_deleted_without_its_unindex_task_leaves_the_indexes_at_the_next_build(seeker, nurse_posting):  # type: ignore[no-untyped-def]
    """A deletion whose task was lost (the broker down) or a row deleted around the services: build_index
    takes the resume's vector and keywords out of the recruiter-side indexes."""
    from search.indexing.engine import get_engine
    from search.indexing.posting_index import index_build
    from search.matching.recruiters import candidates_refresh

    kept = resume_of(seeker, DEVELOPER, discoverable=True)
    gone = resume_of(seeker, NURSE, discoverable=True)
    candidates_refresh(posting=nurse_posting)
    engine = get_engine()
    assert {kept.pk, gone.pk} <= set(engine.resume_bm25.hashes()) & set(engine.resume_vectors.hashes())
    Resume.objects.filter(pk=gone.pk).delete()  # no task sent
    report = index_build()
    assert report.resumes_orphaned == 1
    assert gone.pk not in engine.resume_bm25.hashes() and gone.pk not in engine.resume_vectors.hashes()
    assert kept.pk in engine.resume_bm25.hashes() and kept.pk in engine.resume_vectors.hashes()


def test_resumes_an_index_lost_are_written_again_by_the_next_ranking(seeker, nurse_posting):  # type: ignore[no-untyped-def]
    """The index folder rebuilt, or the keyword store switched: build_index notices the resumes the
    recruiter-side indexes lack, and the next candidates ranking indexes them again."""
    from search.indexing.engine import get_engine
    from search.indexing.posting_index import index_build
    from search.matching.recruiters import candidates_refresh

    resume = resume_of(seeker, NURSE, discoverable=True)
    candidates_refresh(posting=nurse_posting)
    engine = get_engine()
    engine.resume_bm25.delete([resume.pk])  # as if its keyword index had been lost
    engine.resume_bm25.save()
    assert index_build().resumes_lost == 1
    assert not IndexedResume.objects.filter(resume=resume).exists()
    assert index_build().resumes_lost == 0
    candidates_refresh(posting=nurse_posting)
    assert resume.pk in engine.resume_bm25.hashes() and resume.pk in engine.resume_vectors.hashes()
    assert IndexedResume.objects.filter(resume=resume).exists()


def test_a_refresh_of_an_unchanged_resume_embeds_nothing_and_a_changed_one_is_embedded_again(  # type: ignore[no-untyped-def]
    seeker, corpus, monkeypatch
):
    """Postings closed or feedback given: the fresh top ten reuses the vector and the domain the
    recruiter-side index holds for the same query text. A corrected profile (a new query text) or a lost
    vector embeds again."""
    import numpy as np

    from search.indexing.engine import domain_stamp_path, get_engine
    from search.indexing.resume_index import resume_content_hash
    from search.matching import seekers
    from search.matching.seekers import recommendations_refresh, resume_query_text

    embedded: list[str] = []
    real, real_heads = seekers.embed_documents_and_heads, seekers.embed_heads
    monkeypatch.setattr(seekers, "embed_documents_and_heads", lambda texts: embedded.extend(texts) or real(texts))
    monkeypatch.setattr(seekers, "embed_heads", lambda texts: embedded.extend(texts) or real_heads(texts))
    resume = resume_of(seeker, NURSE)
    first = recommendations_refresh(resume=resume)
    assert len(embedded) == 1 and "embed" in first.timings.ms and "index resume" in first.timings.ms
    ten = list(resume.recommendations.values_list("posting_id", flat=True))

    second = recommendations_refresh(resume=resume)
    assert len(embedded) == 1 and "embed" not in second.timings.ms and "index resume" not in second.timings.ms
    np.testing.assert_allclose(second.query_vec, first.query_vec, atol=1e-6)
    # Nor is it classified or placed again: its index entry holds the serving models' answers (rounded).
    assert "classify" in first.timings.ms and "classify" not in second.timings.ms
    assert "occupations" in first.timings.ms and "occupations" not in second.timings.ms
    np.testing.assert_allclose(second.resume_probs, first.resume_probs, atol=1e-5)
    assert second.occupations == IndexedResume.objects.get(resume=resume).occupations
    assert list(resume.recommendations.values_list("posting_id", flat=True)) == ten
    stamp = domain_stamp_path()
    served = stamp.read_text()
    stamp.write_text('{"version": "a model before"}')  # a new model, its refresh of the indexes to come
    try:
        assert "classify" in recommendations_refresh(resume=resume).timings.ms
    finally:
        stamp.write_text(served)
    assert len(embedded) == 2  # the vector reused; the head embedded for the classifier and the placement

    resume.profile = {**resume.profile, "titles": ["Charge Nurse"]}  # the seeker corrects the profile
    resume.save()
    third = recommendations_refresh(resume=resume)
    assert len(embedded) == 3 and "Charge Nurse" in embedded[-1] and "index resume" in third.timings.ms
    indexed = IndexedResume.objects.get(resume=resume).content_hash
    assert indexed == resume_content_hash(resume_query_text(resume=resume))
    assert float(third.query_vec @ first.query_vec) < 0.99999  # not the old vector

    get_engine().resume_vectors.delete([resume.pk])  # the vector index lost it
    recommendations_refresh(resume=resume)
    assert len(embedded) == 4 and resume.pk in get_engine().resume_vectors.hashes()
