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


def test_the_word_part_is_averaged_in_for_texts_and_left_out_without_them():
    import numpy as np

    from search.ranking.domain import DomainClassifier, domain_probabilities

    rng = np.random.default_rng(1)
    vecs = rng.random((40, 4))  # embeddings that say nothing
    y = ["CHEF", "ACCOUNTANT"] * 20
    texts = [
        f"{w} resume number {i}" for i, w in enumerate(["sous chef kitchen menus", "ledger audit tax returns"] * 20)
    ]
    model = DomainClassifier(name_weight=0).fit(vecs, y, texts=texts)  # the names are read below
    embedding_part = model.model_.predict_proba(vecs)
    words = model.text_model_.predict_proba(texts)
    blended = domain_probabilities(model, vecs, [[] for _ in texts], texts)
    np.testing.assert_allclose(blended, 0.5 * embedding_part + 0.5 * words)
    np.testing.assert_allclose(blended.sum(axis=1), 1.0)
    assert (model.predict(vecs, texts) == y).all()  # the words separate what the embeddings cannot
    np.testing.assert_allclose(domain_probabilities(model, vecs, [[] for _ in texts]), embedding_part)  # postings
    with pytest.raises(ValueError, match="texts"):
        model.predict_proba(vecs, texts[:3])
    old = DomainClassifier().fit(vecs, y)  # saved before the word part: texts change nothing
    assert old.text_model_ is None
    del old.text_model_  # as unpickled from an artifact of that time
    np.testing.assert_allclose(old.predict_proba(vecs, texts), old.model_.predict_proba(vecs))


def test_the_title_part_reads_resumes_titles_and_leaves_documents_without_titles_alone():
    import numpy as np

    from search.ranking.domain import DomainClassifier, domain_probabilities, resume_domain_probabilities, title_text

    rng = np.random.default_rng(2)
    vecs = rng.random((40, 4))  # embeddings that say nothing
    y = np.asarray(["CHEF", "ACCOUNTANT"] * 20)
    texts = [f"resume number {i}" for i in range(40)]  # words that say nothing either
    titles = [["Sous Chef", "Line Cook"], ["Staff Accountant"]] * 20
    # The second view of each resume (without its first line) is left out of the title part's training.
    model = DomainClassifier(name_weight=0).fit(  # the names are read below
        np.vstack([vecs, vecs]), np.concatenate([y, y]), texts=texts * 2, titles=[*titles, *([None] * 40)]
    )
    assert title_text(["Sous Chef", "Line Cook", "Chef", "Dishwasher"]) == "Sous Chef | Line Cook | Chef"
    before = model.predict_proba(vecs, texts)  # the embedding and word parts
    named = model.title_model_.predict_proba([title_text(t) for t in titles])
    blended = domain_probabilities(model, vecs, titles, texts)
    np.testing.assert_allclose(blended, 0.65 * before + 0.35 * named)
    assert (blended.argmax(axis=1) == (y == "CHEF").astype(int)).all()  # classes_ sort ACCOUNTANT first
    # A resume whose understanding read no titles keeps the other parts' probabilities.
    untitled = domain_probabilities(model, vecs[:2], [[], []], texts[:2])
    np.testing.assert_allclose(untitled, before[:2])
    # Resumes are read from their profiles: the titles understanding read, none for a profile not yet read.
    profiles = [{"titles": t, "skills": []} for t in titles[:2]]
    np.testing.assert_allclose(resume_domain_probabilities(model, vecs[:2], profiles, texts[:2]), blended[:2])
    np.testing.assert_allclose(resume_domain_probabilities(model, vecs[:2], [None, {}], texts[:2]), before[:2])
    with pytest.raises(ValueError, match="profiles"):
        resume_domain_probabilities(model, vecs[:2], profiles[:1], texts[:2])
    # Postings pass no texts: neither the word nor the title part reads them.
    np.testing.assert_allclose(domain_probabilities(model, vecs, titles), model.model_.predict_proba(vecs))
    with pytest.raises(ValueError, match="title lists"):
        model.predict_proba(vecs, texts, titles[:3])
    old = DomainClassifier().fit(vecs, y, texts=texts)  # saved before the title part
    del old.title_model_  # as unpickled from an artifact of that time
    np.testing.assert_allclose(old.predict_proba(vecs, texts, titles), old.predict_proba(vecs, texts))


def test_a_domain_is_named_by_its_name_as_a_word():
    from search.ranking.domain import name_counts

    def count(text, domain):
        return int(name_counts([text], [domain])[0, 0])

    assert (
        count("Business Development lead; business-development plan; BUSINESS\nDEVELOPMENT", "BUSINESS-DEVELOPMENT")
        == 3
    )
    assert count("Teacher, then head of the teachers' union", "TEACHER") == 2
    assert count("art director", "ARTS") == 0  # the name, not a word it begins
    assert count("three threads", "HR") == 0 and count("HR generalist", "HR") == 1
    counts = name_counts(["Sous chef. Chef de partie. Chefs' table.", "nothing here", ""], ["ACCOUNTANT", "CHEF"])
    assert counts.tolist() == [[0, 3], [0, 0], [0, 0]]
    assert name_counts([], ["CHEF"]).shape == (0, 1)
    # Where one name begins another, the longer is read, and each counts in its own column.
    assert name_counts(["sales operations; sales"], ["SALES", "SALES-OPERATIONS"]).tolist() == [[1, 1]]


def test_how_often_a_resume_names_a_domain_weighs_on_its_probabilities():
    import numpy as np

    from search.ranking.domain import DomainClassifier, domain_probabilities, name_counts

    rng = np.random.default_rng(3)
    vecs = rng.random((60, 4))  # embeddings that say nothing
    y = np.asarray(["CHEF", "ACCOUNTANT", "SALES"] * 20)
    # Chefs name their domain two or three times, accountants once, sales resumes never: the evidence a
    # count gives is learnt per domain.
    texts = [
        f"resume {i} " + {"CHEF": "chef " * (2 + i % 2), "ACCOUNTANT": "accountant ", "SALES": ""}[label]
        for i, label in enumerate(y)
    ]
    model = DomainClassifier().fit(vecs, y, texts=texts)
    ratios = model.name_ratios_
    assert ratios.shape == (3, model.name_levels)
    chef, accountant = (list(model.classes_).index(d) for d in ("CHEF", "ACCOUNTANT"))
    assert ratios[chef, 2] > 0 and ratios[accountant, 1] > 0  # a chef's resume names "chef" twice; others never
    assert ratios[chef, 2] > ratios[chef, 1]  # twice, as chefs write it, tells more than once
    assert (ratios[:, 0] == 0).all()  # a domain not named is not ruled out
    # The evidence multiplies the parts' average, damped by name_weight, and the rows still sum to one.
    unnamed = DomainClassifier(name_weight=0).fit(vecs, y, texts=texts)
    average = unnamed.predict_proba(vecs, texts)
    # A text that names no domain keeps the parts' average: a nurse's resume need not write "healthcare".
    silent = ["resume x", "resume y"]
    np.testing.assert_allclose(model.predict_proba(vecs[:2], silent), unnamed.predict_proba(vecs[:2], silent))
    levels = np.minimum(name_counts(texts, model.classes_), model.name_levels - 1)
    expected = np.log(average) + model.name_weight * ratios[np.arange(3), levels]
    expected = np.exp(expected - expected.max(axis=1, keepdims=True))
    expected /= expected.sum(axis=1, keepdims=True)
    named = domain_probabilities(model, vecs, [[] for _ in texts], texts)
    np.testing.assert_allclose(named, expected)
    # A text that names "chef" three times leans to CHEF more than the same text without the name.
    said = model.predict_proba(vecs[:1], ["resume x chef chef chef"])[0, chef]
    unsaid = model.predict_proba(vecs[:1], ["resume x"])[0, chef]
    assert said > unsaid
    # Postings pass no texts: no names are read; nor by a model saved before the names were.
    np.testing.assert_allclose(domain_probabilities(model, vecs, [[] for _ in texts]), model.model_.predict_proba(vecs))
    del model.name_ratios_  # as unpickled from an artifact of that time
    np.testing.assert_allclose(model.predict_proba(vecs, texts), average)
    with pytest.raises(ValueError, match="texts"):
        DomainClassifier(text_weight=0).fit(vecs, y, texts=texts[:5])  # the names alone read the texts


def test_the_head_part_reads_resumes_by_their_first_chunk_and_leaves_postings_to_the_embedding_part():
    import numpy as np

    from search.indexing.embeddings import head_of
    from search.ranking.domain import DomainClassifier, domain_probabilities, resume_domain_probabilities

    rng = np.random.default_rng(5)
    y = np.asarray(["CHEF", "ACCOUNTANT"] * 30)
    vecs = rng.random((60, 4))  # the whole resume's embedding: says nothing here
    heads = np.where((y == "CHEF")[:, None], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]) + rng.normal(0, 0.1, (60, 3))
    model = DomainClassifier(name_weight=0).fit(vecs, y, heads=heads)
    assert model.reads_heads
    # Given its head, a resume is read by the head part in the embedding part's place (head_weight 1).
    np.testing.assert_allclose(model.predict_proba(vecs, heads=heads), model.head_model_.predict_proba(heads))
    assert (model.predict(vecs, heads=heads) == y).all()
    # Mixed in at a share below 1, the two parts are averaged.
    half = DomainClassifier(name_weight=0, head_weight=0.5).fit(vecs, y, heads=heads)
    np.testing.assert_allclose(
        half.predict_proba(vecs, heads=heads),
        0.5 * half.model_.predict_proba(vecs) + 0.5 * half.head_model_.predict_proba(heads),
    )
    # Postings (no heads) and resumes given without one keep the embedding part, as models saved before
    # the head part read every resume.
    whole = model.model_.predict_proba(vecs)
    np.testing.assert_allclose(domain_probabilities(model, vecs, [[] for _ in y]), whole)
    np.testing.assert_allclose(resume_domain_probabilities(model, vecs, [None] * 60, [""] * 60), whole)
    del model.head_model_  # as unpickled from an artifact of that time
    assert not model.reads_heads
    np.testing.assert_allclose(model.predict_proba(vecs, heads=heads), whole)
    with pytest.raises(ValueError, match="heads"):
        DomainClassifier().fit(vecs, y, heads=heads[:5])
    # A resume's head is its first chunk of 180 words.
    text = " ".join(f"w{i}" for i in range(400))
    assert head_of(text) == " ".join(f"w{i}" for i in range(180)) and head_of("") == ""
