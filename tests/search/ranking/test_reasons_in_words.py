"""A result's reasons in the words a person uses: a fit level, skills counted, occupation, level, place."""

from search.ranking.explain import fit_level, fit_percent, plain_reasons, score_in_words

WHY = {
    "matched_skills": ["Microsoft Excel", "SQL", "Python", "Tableau"],
    "missing_skills": ["Microsoft Power BI"],
    "occupation": {"resume": "15-2051.01", "posting": "15-2051.01"},
    "field": {"resume": "Computer and Mathematical", "posting": "Computer and Mathematical"},
    "seniority": {"years": 12.0, "posting_level": 4.0, "resume_level": 3.0},
    "location": {"resume": "Chicago, IL", "posting": "Chicago, IL", "remote": False, "fit": 1.0},
    "contributions": {"bm25": -0.02, "occupation": 0.4, "skills": 0.2, "location": -0.1, "vector": 0.05},
}


def test_the_fit_level_follows_the_score_and_the_bar_its_width():
    assert [fit_level(s) for s in (1.2, 0.5, 0.2, 0.0, -0.4, None)] == [
        "Strong match",
        "Strong match",
        "Good match",
        "Good match",
        "Possible match",
        "Possible match",
    ]
    assert fit_percent(0.0) == 60 and fit_percent(0.5) == 80 and fit_percent(5) == 100 and fit_percent(-5) == 10
    assert fit_percent(0.24) == 70 and fit_percent(None) == 10


def test_reasons_read_as_a_person_would_say_them():
    said = plain_reasons(WHY, occupation_name=lambda code: "Business Intelligence Analysts")
    assert said == [
        "You have 4 of the 5 skills it lists: Microsoft Excel, SQL, Python…",
        "Your occupation: Business Intelligence Analysts",
        "Director role — you have 12 years, a step up",
        "In Chicago, IL, where you are",
    ]
    remote = {**WHY, "matched_skills": [], "location": {"posting": "Austin, TX", "remote": True}}
    assert plain_reasons(remote)[0] == "It asks for 1 skill your resume does not name"
    assert plain_reasons(remote)[-1] == "Remote"
    other = {**WHY, "occupation": {"resume": "a", "posting": "b"}, "field": {"resume": "Sales", "posting": "Legal"}}
    assert "Another field: Legal (yours: Sales)" in plain_reasons(other)
    assert plain_reasons({}) == []


def test_why_this_job_names_what_raised_and_lowered_it_in_words():
    words = score_in_words(WHY["contributions"])
    assert words == {
        "raised": [
            "how close its occupation is to yours",
            "the skills it asks for that you have",
            "how alike the two read",
        ],
        "lowered": ["where it is"],  # shares under 3% are left out
    }
