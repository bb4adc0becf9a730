"""Candidates for a posting on the real engine: the resumes of the posting's domain join the pool."""

from __future__ import annotations

import pytest

from resumes.models import Resume
from search.models import IndexedResume
from tests.search.personas import DEVELOPER, NURSE, resume_of


def test_a_postings_candidates_take_in_the_sure_resumes_of_its_domain_that_retrieval_missed(  # type: ignore[no-untyped-def]
    seeker, other_seeker, nurse_posting
):
    """The posting's own domain (declared by its title here) is searched among the resumes the classifier
    puts in it at even odds or better; those neither retriever found join after the fused ones."""
    from search.indexing.resume_index import resumes_index_missing
    from search.matching.recruiters import posting_sure_domain, resumes_for_posting, resumes_of_domain
    from search.matching.sides import resume_sides
    from search.ranking.domain import DOMAIN_SURE

    nurse = resume_of(seeker, NURSE, discoverable=True)
    developer = resume_of(other_seeker, DEVELOPER, discoverable=True)
    unsure = resume_of(other_seeker, DEVELOPER.replace("Tom Byte", "Ada Unsure"), discoverable=True)
    hidden = resume_of(other_seeker, DEVELOPER.replace("Tom Byte", "Hal Hidden"), discoverable=True)
    resumes_index_missing(resumes=Resume.objects.all())
    entry = IndexedResume.objects.get(resume=nurse)
    assert entry.domain_score == pytest.approx(max(entry.domain_probs)) and entry.domain == "HEALTHCARE"

    assert nurse_posting.declared_domain == "HEALTHCARE"
    assert posting_sure_domain(nurse_posting, []) == "HEALTHCARE"
    # As if the classifier had read these: two sure of the posting's domain, one under even odds.
    IndexedResume.objects.filter(resume__in=[developer, hidden]).update(domain="HEALTHCARE", domain_score=0.9)
    IndexedResume.objects.filter(resume=unsure).update(domain="HEALTHCARE", domain_score=DOMAIN_SURE - 0.01)
    IndexedResume.objects.filter(resume=nurse).update(domain_score=0.8)
    assert resumes_of_domain("HEALTHCARE") == {nurse.pk, developer.pk, hidden.pk}
    # Alerts read every ranked resume's side once; the same set comes from them, without a query.
    sides = resume_sides([nurse.pk, developer.pk, unsure.pk])
    assert resumes_of_domain("HEALTHCARE", sides) == {nurse.pk, developer.pk}

    allowed = {nurse.pk, developer.pk, unsure.pk}  # the hidden one is not shared with this organisation
    plain = resumes_for_posting(posting=nurse_posting, allowed=allowed, depth=1, domain_depth=0, k=10)
    assert [i.resume_id for i in plain.items] == [nurse.pk]  # each retriever's best is the nurse
    result = resumes_for_posting(posting=nurse_posting, allowed=allowed, depth=1, k=10)
    found = {i.resume_id: i.candidate for i in result.items}
    assert set(found) == {nurse.pk, developer.pk} and "domain" in result.timings.ms
    assert found[developer.pk].domain_rank and found[developer.pk].bm25_rank is None
    assert found[nurse.pk].bm25_rank == 1 and found[nurse.pk].domain_rank is None  # found already: not twice
    assert result.items[0].resume_id == nurse.pk  # joined the pool; the re-ranker still orders it

    # A posting whose domain nobody declared is searched in only when the classifier is sure of it.
    nurse_posting.declared_domain = ""
    classes = sorted({"HEALTHCARE", "CHEF", "ARTS"})
    nurse_posting.domain_probs = [0.2, 0.2, 0.6]  # classes order: ARTS, CHEF, HEALTHCARE
    assert posting_sure_domain(nurse_posting, classes) == "HEALTHCARE"
    nurse_posting.domain_probs = [0.3, 0.3, 0.4]
    assert posting_sure_domain(nurse_posting, classes) is None
