"""Posting domains from what the poster declared."""

import pytest

from search.ranking.posting_domains import DOMAINS, FUNCTIONS, INDUSTRIES, TITLE_RULES, posting_domain


@pytest.mark.parametrize(
    ("title", "functions", "industries", "domain"),
    [
        ("Sous Chef", [], [], "CHEF"),  # a specific title decides alone
        ("Paralegal", ["Administrative"], ["Staffing and Recruiting"], "ADVOCATE"),
        ("Registered Nurse - ICU Nights", [], [], "HEALTHCARE"),
        ("Senior Accountant", ["Accounting/Auditing"], ["Accounting"], "ACCOUNTANT"),
        ("Java Developer", [], ["IT Services and IT Consulting"], "INFORMATION-TECHNOLOGY"),
        # A generic title votes with the functions: an infrastructure engineer in IT is IT...
        (
            "Senior Infrastructure Engineer",
            ["Information Technology"],
            ["Software Development"],
            "INFORMATION-TECHNOLOGY",
        ),
        # ...and a manufacturing engineer is engineering.
        ("Process Engineer", ["Engineering", "Manufacturing"], ["Chemical Manufacturing"], "ENGINEERING"),
        ("Operations Associate", ["Other"], ["Airlines and Aviation"], "AVIATION"),  # the industry alone
        ("Sourcing Manager", ["Purchasing", "Supply Chain"], ["Government Administration"], ""),  # nothing names one
    ],
)
def test_the_declared_domain(title, functions, industries, domain):
    assert posting_domain(title, functions, industries) == domain


def test_every_rule_names_one_of_the_24_resume_domains():
    assert len(DOMAINS) == 24
    named = {d for _, d, _ in TITLE_RULES} | set(FUNCTIONS.values()) | set(INDUSTRIES.values())
    assert named == set(DOMAINS)  # and every domain can be reached


def test_ties_are_broken_the_same_way_every_time():
    a = posting_domain("Coordinator", ["Sales", "Finance"], [])
    assert a == posting_domain("Coordinator", ["Finance", "Sales"], []) == "FINANCE"


def test_the_title_signal_reads_resume_titles_with_the_posting_rules():
    import numpy as np

    from search.ranking.domain import DomainClassifier, domain_inputs, domain_probabilities, title_signal

    signal = title_signal(["Senior Accountant", "Staff Accountant", "Office Assistant", "Chef"])  # first three read
    assert signal[DOMAINS.index("ACCOUNTANT")] == 1.0 and signal.sum() == 1.0
    assert title_signal([]).sum() == 0.0
    rng = np.random.default_rng(0)
    vecs = rng.random((48, 4))
    titles = [["Chef"], ["Accountant"]] * 24
    y = ["CHEF", "ACCOUNTANT"] * 24
    with_titles = DomainClassifier().fit(domain_inputs(vecs, titles), y)
    assert (with_titles.predict(domain_inputs(vecs, titles)) == y).all()  # the titles alone separate them
    assert domain_probabilities(with_titles, vecs, titles).shape == (48, 2)
    embeddings_only = DomainClassifier().fit(vecs, y)  # a model from before the title signal still serves
    assert domain_probabilities(embeddings_only, vecs, titles).shape == (48, 2)
