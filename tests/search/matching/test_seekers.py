"""Hard filters before ranking, diversity in the top ten, and the reasons given with each result."""

import pytest

from resumes.understanding.pipeline import understand
from search.filters import FilterError, Filters
from search.matching.seekers import jobs_for_text
from search.models import JobPosting
from tests.conftest import FIXTURES
from tests.resumes.test_resilience import TEXT as ACCOUNTANT


def _posting(n, **kw):
    defaults = {"source": "test", "external_id": str(n), "title": f"Job {n}"}
    return JobPosting.objects.create(**{**defaults, **kw})


@pytest.mark.django_db
def test_each_filter_keeps_only_the_postings_that_pass():
    austin = _posting(1, location="Austin, TX", work_type="Full-time", experience_level="Entry level")
    dallas = _posting(2, location="Dallas, Texas", salary_min=30, salary_max=35, salary_period="HOURLY")
    boston = _posting(3, location="Boston, MA", remote=True, salary_max=90000, salary_period="YEARLY")
    everyone = JobPosting.objects.filter(source="test")

    def ids(**kw):
        return set(Filters(**kw).apply(everyone).values_list("id", flat=True))

    assert ids() == {austin.id, dallas.id, boston.id}
    assert ids(location_scope="remote") == {boston.id}
    assert ids(location_scope="city", location="Austin, TX") == {austin.id}
    assert ids(location_scope="region", location="Austin, Texas") == {austin.id, dallas.id}  # TX and Texas
    assert ids(work_types=("Full-time",)) == {austin.id}
    assert ids(experience_levels=("Entry level", "Director")) == {austin.id}
    assert ids(min_salary=70000) == {dallas.id, boston.id}  # 35 an hour is 72,800 a year
    assert ids(min_salary=80000) == {boston.id}


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"location_scope": "planet"}, "location scope"),
        ({"location_scope": "city", "location": ""}, "give a location"),
        ({"min_salary": -5}, "negative"),
    ],
)
def test_a_filter_that_cannot_apply_says_why(kw, message):
    with pytest.raises(FilterError, match=message):
        Filters(**kw)


def test_a_remote_only_seeker_never_sees_an_on_site_posting(corpus):
    remote = JobPosting.objects.filter(active=True, remote=True).count()
    assert remote >= 10, "the demo corpus needs remote postings for this test"
    text = "Software engineer. Python, SQL, AWS, building web services for eight years."
    result = jobs_for_text(text=text, filters=Filters(location_scope="remote"))
    assert len(result.items) == 10  # ten after filtering, as that many pass
    assert all(item.posting.remote for item in result.items)
    assert result.passed_filters == remote


def test_reasons_agree_with_the_profile_and_the_posting(corpus):
    from resumes.extract import extract_text, sniff_content_type

    data = (FIXTURES / "it-27295996.pdf").read_bytes()
    text = extract_text(data, sniff_content_type(data))
    profile = understand(text).to_dict()
    mine = {(s["canonical"] or s["name"]).lower() for s in profile["skills"]}
    result = jobs_for_text(text=text, profile=profile)
    assert result.items
    for item in result.items:
        why, posting_skills = item.why, {s.lower() for s in item.posting.skills}
        for s in why["matched_skills"]:
            assert s.lower() in mine and s.lower() in posting_skills  # matched: on both sides
        for s in why["missing_skills"]:
            assert s.lower() not in mine and s.lower() in posting_skills  # missing: the posting's, not yours
        inferred = {x.lower() for x in item.posting.skills_inferred}
        for s in why["usual_skills"]:  # the occupation's usual tools: yours, and not stated by the employer
            assert s.lower() in mine and s.lower() in inferred
        assert why["domain"]["posting"] == item.posting.domain
        assert set(why["features"]) == set(why["contributions"]) and 0 <= why["location"]["fit"] <= 1
    assert any(item.why["matched_skills"] or item.why["usual_skills"] for item in result.items)


NURSE = """Maria Lopez
Boston, MA
Registered Nurse, Massachusetts General Hospital, 2015 - Present
Critical care nursing in a surgical ICU: patient assessment, medication administration, wound care.
"""


def test_the_postings_of_the_resumes_domain_join_the_pool_after_the_fused_ones_and_obey_the_filters(corpus):
    from search.matching.seekers import candidate_pool
    from search.ranking.domain import DOMAIN_SURE
    from search.ranking.occupations import hedged_families

    profile = understand(ACCOUNTANT).to_dict()
    plain = candidate_pool(text=ACCOUNTANT, profile=profile, depth=10, domain_depth=0)
    found = candidate_pool(text=ACCOUNTANT, profile=profile, depth=10, domain_depth=30)
    assert found.domain == "ACCOUNTANT"
    fused = [c.id for c in plain.pool.candidates]
    assert [c.id for c in found.pool.candidates[: len(fused)]] == fused  # the fused order is untouched
    extra = found.pool.candidates[len(fused) :]
    assert extra and all(c.domain_rank and c.id not in fused for c in extra)
    families = hedged_families(found.pool.query.side.occupations)
    assert families and all(
        found.postings[c.id].domain == "ACCOUNTANT" or found.postings[c.id].family in families for c in extra
    )  # the resume's likeliest domain and its likely job families
    assert len(found.pool.X) == len(found.pool.candidates)  # each has its features, for the re-ranker to weigh
    remote = candidate_pool(text=ACCOUNTANT, profile=profile, depth=10, filters=Filters(location_scope="remote"))
    assert any(c.domain_rank for c in remote.pool.candidates)
    assert all(remote.postings[c.id].remote for c in remote.pool.candidates)
    # A resume whose domain the classifier is unsure of (here under even odds) searches its likeliest one too.
    unsure = candidate_pool(text=NURSE, profile=understand(NURSE).to_dict(), depth=10, domain_depth=30)
    assert max(unsure.pool.query.side.domain_probs) < DOMAIN_SURE and unsure.domain == "HEALTHCARE"
    extra = [c for c in unsure.pool.candidates if c.domain_rank]
    families = hedged_families(unsure.pool.query.side.occupations)
    assert extra and all(
        unsure.postings[c.id].domain == "HEALTHCARE" or unsure.postings[c.id].family in families for c in extra
    )


def test_the_domains_postings_are_read_again_once_a_minute(corpus, monkeypatch):
    from search.indexing import engine as engine_module

    engine = engine_module.get_engine()
    clock = {"now": 1000.0}
    monkeypatch.setattr(engine_module, "clock", lambda: clock["now"])
    engine._domain_ids.clear()
    nurses = engine.domain_postings("HEALTHCARE")
    assert nurses == set(JobPosting.objects.open().filter(domain="HEALTHCARE").values_list("id", flat=True))
    moved = JobPosting.objects.get(pk=min(nurses))
    JobPosting.objects.filter(pk=moved.pk).update(domain="CHEF")
    clock["now"] += engine_module.DOMAIN_IDS_SECONDS - 1
    assert moved.pk in engine.domain_postings("HEALTHCARE")  # read a moment ago: not yet
    assert moved.pk in engine.domain_postings("CHEF")  # never read before: read now
    clock["now"] += 2
    assert moved.pk not in engine.domain_postings("HEALTHCARE")  # a minute on: read again
    JobPosting.objects.filter(pk=moved.pk).update(active=False)
    assert moved.pk in engine.domain_postings("CHEF")  # each domain keeps its own minute
    clock["now"] += engine_module.DOMAIN_IDS_SECONDS + 1
    assert moved.pk not in engine.domain_postings("CHEF")  # closed postings are not listed
    assert engine.domain_postings("NO-SUCH-DOMAIN") == frozenset()
    engine._domain_ids.clear()  # the next test reads the table as it is


KITCHEN_TITLES = (  # demo postings beyond the test corpus: a senior chef's jobs and a crew member's
    "Executive Chef, Full Time (Alfred University)",
    "BENCH EXECUTIVE CHEF - GEORGIA",
    "Executive Sous Chef",
    "Senior Sous Chef Kitchen Manager",
    "Restaurant Crewmember - Cook, Cashier, and Customer Service",
    "Kitchen Aide  ",
    "Cook- FT",
)


def test_a_senior_chef_sees_executive_and_sous_chef_roles_before_crew_jobs_and_no_inferred_asks(corpus):
    from itertools import islice

    from resumes.extract import extract_text, sniff_content_type
    from resumes.services import profile_read
    from search.indexing.posting_index import index_build
    from search.postings.importers import read_linkedin_2023
    from search.postings.services import postings_import
    from search.ranking.sides import query_text
    from tests.conftest import DEMO

    wanted = [r for r in islice(read_linkedin_2023(DEMO), 8000) if getattr(r, "title", None) in KITCHEN_TITLES]
    postings_import(records=wanted)
    index_build()
    data = (FIXTURES / "chef-24673903.pdf").read_bytes()
    text = extract_text(data, sniff_content_type(data, "chef.pdf"))
    profile = profile_read(text=text)
    assert profile["years_experience"] and profile["years_experience"] > 15
    result = jobs_for_text(text=query_text(text=text, profile=profile), profile=profile)
    titles = [item.posting.title for item in result.items]
    senior = [n for n, t in enumerate(titles) if "Executive" in t or "Sous Chef" in t]
    crew = [n for n, t in enumerate(titles) if t.startswith(("Restaurant Crewmember", "Kitchen Aide", "Cook- FT"))]
    assert len(senior) >= 3 and senior[:3] == [0, 1, 2], titles  # the senior roles lead
    assert all(n > max(senior[:3]) for n in crew), titles
    for item in result.items:
        inferred = set(item.posting.skills_inferred)
        assert not inferred & set(item.why["missing_skills"] + item.why["matched_skills"])  # never "asked for"


def test_an_unsure_placement_searches_each_likely_family(corpus):
    from search.ranking.occupations import hedged_families

    sure = {"35-1011.00": 0.8, "35-2014.00": 0.15, "29-1141.00": 0.05}
    unsure = {"35-1011.00": 0.4, "29-1141.00": 0.35, "43-9061.00": 0.25}
    assert hedged_families(sure) == ["35"]
    assert hedged_families(unsure) == ["35", "29", "43"]
    assert hedged_families({"35-1011.00": 0.3, "29-1141.00": 0.1}) == ["35"]  # a small share is not searched


def test_the_seekers_place_moves_near_and_remote_postings_up_without_hiding_the_rest(corpus):
    profile = understand(ACCOUNTANT).to_dict()
    here = dict(profile, location="Chicago, IL")
    anywhere = dict(profile, location=None)
    near = jobs_for_text(text=ACCOUNTANT, profile=here, k=30)
    far = jobs_for_text(text=ACCOUNTANT, profile=anywhere, k=30)

    def local(items):  # type: ignore[no-untyped-def]
        return [i.posting.remote or i.posting.location.endswith(("IL", "Illinois")) for i in items]

    assert sum(local(near.items[:10])) >= sum(local(far.items[:10]))
    assert not all(local(near.items[:10]))  # the others are still there
    assert {i.posting.pk for i in near.items} & {i.posting.pk for i in far.items}


def test_the_rules_and_the_place_preference_read_a_grade_from_the_serving_reranker():
    from search.indexing.artifacts import StoredModel
    from search.indexing.engine import get_engine
    from search.ranking.personalise import DEFAULT_GRADE

    engine = get_engine()
    served = engine.reranker
    try:
        engine.reranker = StoredModel(None, "v", {"score_per_grade": 0.6})
        assert engine.grade == 0.6
        engine.reranker = StoredModel(None, "v", {})  # trained before the grade was measured
        assert engine.grade == DEFAULT_GRADE
        engine.reranker = None
        assert engine.grade == DEFAULT_GRADE
    finally:
        engine.reranker = served
