"""label_postings, train_models and evaluate_ranking, end to end on the demo corpus and a few labelled resumes."""

import json

import pytest
from django.core.management import call_command

from search.indexing.engine import reset_engine

RESUMES = {
    "INFORMATION-TECHNOLOGY": [
        "Software Engineer\nPython, SQL, AWS. Built web services and APIs for six years.",
        "IT Support Specialist\nHelp desk, Windows, Active Directory, network troubleshooting.",
        "Java Developer\nSpring, Hibernate, microservices, Jenkins, Git.",
        "Systems Administrator\nLinux servers, VMware, backups, scripting in Bash.",
    ],
    "CHEF": [
        "Sous Chef\nLine cooking, menu planning, food safety, kitchen staff of twelve.",
        "Line Cook\nGrill and saute stations in a busy restaurant kitchen.",
        "Pastry Chef\nBaking, desserts, bread, inventory of a hotel pastry kitchen.",
        "Executive Chef\nRan the kitchen of a fine dining restaurant, food cost, culinary team.",
    ],
    "ACCOUNTANT": [
        "Staff Accountant\nGeneral ledger, reconciliations, month-end close, QuickBooks.",
        "Senior Accountant\nFinancial statements, audits, GAAP, tax returns.",
        "Accounts Payable Specialist\nInvoices, vendor payments, Excel, SAP.",
        "Tax Accountant\nIndividual and corporate tax returns, CPA.",
    ],
}


@pytest.fixture
def labelled(tmp_path):
    path = tmp_path / "resumes.jsonl"
    lines = [
        json.dumps({"id": f"{cat[:3]}-{i}", "text": text, "category": cat})
        for cat, texts in RESUMES.items()
        for i, text in enumerate(texts)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_label_train_and_evaluate(corpus, labelled, tmp_path, settings, capsys):
    settings.MODEL_DIR = tmp_path / "models"  # the trained versions stay out of the other tests' way
    settings.DATA_DIR = tmp_path  # and so does the cache of profiles and embeddings
    labels = tmp_path / "labels.jsonl"
    call_command("label_postings", "--out", str(labels))
    rows = [json.loads(x) for x in labels.read_text().splitlines()]
    assert len(rows) == 600 and {"source", "external_id", "domain"} == set(rows[0])
    assert "postings labelled" in capsys.readouterr().out

    try:
        call_command("train_models", "--resumes", str(labelled), "--labels", str(labels), "--folds", "2")
        out = capsys.readouterr().out
        assert "domain classifier saved" in out and "re-ranker saved" in out
        reranker = json.loads((next((tmp_path / "models" / "reranker").iterdir()) / "metrics.json").read_text())
        assert reranker["train_resumes"] == 9 and set(reranker["weights"]) >= {"domain", "skills", "title"}
        assert set(reranker["test"]) == {"bm25", "vectors", "fused", "fused+domain", "full"}
        reset_engine()  # serve the versions just trained

        call_command("evaluate_ranking", "--resumes", str(labelled), "--labels", str(labels), "--json")
        out = capsys.readouterr().out
        table = json.loads(out.strip().splitlines()[-1])
        assert set(table["overall"]) == {"bm25", "vectors", "fused", "fused+domain", "full"}
        assert table["overall"]["full"]["n"] == 12 and set(table["per_domain"]) == set(RESUMES)
        for stage in table["overall"].values():
            assert 0 <= stage["p@10"] <= 1 and 0 <= stage["ndcg@10"] <= 1 and 0 <= stage["mrr"] <= 1
        assert "P@10" in out and "per domain" in out
        # The domain-aware stages put kitchen postings first for the chef resumes.
        assert table["per_domain"]["CHEF"]["full"]["p@10"] >= table["per_domain"]["CHEF"]["bm25"]["p@10"]

        call_command(
            "evaluate_ranking",
            "--resumes",
            str(labelled),
            "--labels",
            str(labels),
            "--direction",
            "recruiter",
            "--postings-per-domain",
            "2",
            "--json",
        )
        table = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        assert set(table["per_domain"]) <= set(RESUMES) and table["overall"]["full"]["n"] >= 2
    finally:
        reset_engine()


def test_evaluate_ranking_names_a_missing_file(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not found"):
        call_command("evaluate_ranking", "--resumes", str(tmp_path / "nope.jsonl"), "--labels", str(tmp_path / "x"))
