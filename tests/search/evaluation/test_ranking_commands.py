"""label_postings, train_models and evaluate_ranking, end to end on the demo corpus, a few labelled resumes
and a judged set of their own."""

import json

import pytest
from django.core.management import call_command

from search.indexing.engine import reset_engine
from search.models import JobPosting
from search.ranking.features import FEATURES

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


def _judged_set(folder, labels):  # type: ignore[no-untyped-def]
    """A judged set of its own in `folder`: the resumes above, half the seekers and a few postings per
    domain in each split, graded by a written rule (2: the resume's field and a title word in common; 1:
    the field; 0: another field), every posting for every resume."""
    folder.mkdir()
    resumes = [
        {"id": f"own-{cat[:3]}-{i}", "text": text, "category": cat}
        for cat, texts in RESUMES.items()
        for i, text in enumerate(texts)
    ]
    (folder / "resumes.jsonl").write_text("".join(json.dumps(r) + "\n" for r in resumes))
    postings = list(JobPosting.objects.open().order_by("id"))
    domain = {f"{p.source}:{p.external_id}": labels.get((p.source, p.external_id), "") for p in postings}
    titles = {f"{p.source}:{p.external_id}": set(p.title.lower().split()) for p in postings}
    queries = [
        {"direction": "seeker", "id": r["id"], "split": "dev" if n % 2 == 0 else "test", "label": r["category"]}
        for n, r in enumerate(resumes)
    ]
    for cat in RESUMES:
        mine = [k for k, d in domain.items() if d == cat][:4]
        queries += [
            {"direction": "recruiter", "id": k, "split": "dev" if n % 2 == 0 else "test", "label": cat}
            for n, k in enumerate(mine)
        ]
    grades = []
    for r in resumes:
        first = set(r["text"].splitlines()[0].lower().split())
        for key, d in domain.items():
            grade = 0 if d != r["category"] else 2 if first & titles[key] else 1
            for q in queries:
                if q["direction"] == "seeker" and q["id"] == r["id"]:
                    grades.append({"direction": "seeker", "query": r["id"], "item": key, "grade": grade})
                if q["direction"] == "recruiter" and q["id"] == key:
                    grades.append({"direction": "recruiter", "query": key, "item": r["id"], "grade": grade})
    (folder / "queries.jsonl").write_text("".join(json.dumps(q) + "\n" for q in queries))
    (folder / "grades.jsonl").write_text("".join(json.dumps(g) + "\n" for g in grades))
    return queries


def test_label_train_and_evaluate(corpus, labelled, tmp_path, settings, capsys):  # type: ignore[no-untyped-def]
    settings.MODEL_DIR = tmp_path / "models"  # the trained versions stay out of the other tests' way
    settings.DATA_DIR = tmp_path  # and so does the cache of profiles and embeddings
    settings.SHARED_DATA_DIR = tmp_path / "no-shared-data"  # the judged set below carries its own resumes
    labels_path = tmp_path / "labels.jsonl"
    call_command("label_postings", "--out", str(labels_path))
    rows = [json.loads(x) for x in labels_path.read_text().splitlines()]
    assert len(rows) == 600 and {"source", "external_id", "domain"} == set(rows[0])
    assert "postings labelled" in capsys.readouterr().out
    labels = {(r["source"], r["external_id"]): r["domain"] for r in rows}
    judged = tmp_path / "judged"
    queries = _judged_set(judged, labels)

    try:
        call_command("train_models", "--resumes", str(labelled), "--only", "domain", "--folds", "2")
        assert "domain classifier saved" in capsys.readouterr().out
        call_command("train_models", "--only", "reranker", "--judged-dir", str(judged), "--folds", "2")
        assert "re-ranker saved" in capsys.readouterr().out
        reranker = json.loads((next((tmp_path / "models" / "reranker").iterdir()) / "metrics.json").read_text())
        dev = {f"{q['direction']}:{q['id']}" for q in queries if q["split"] == "dev"}
        assert 0 < reranker["train_queries"] <= len(dev) and reranker["train_pairs_graded"] > 100
        assert reranker["C"] in (0.01, 0.1, 1.0) and set(reranker["weights"]) == set(FEATURES)
        assert reranker["score_per_grade"] > 0  # a better grade scores higher
        kept = reranker["kept_at_score_by_grade"]
        for grade in ("0", "1", "2"):
            shares = [kept[t][grade] for t in sorted(kept, key=float)]
            assert shares == sorted(shares, reverse=True)  # a higher threshold keeps fewer
        assert kept["0.0"]["2"] > kept["0.0"]["0"]
        seekers = reranker["test"]["seekers"]
        assert seekers["full"]["queries"] == 6 and reranker["test"]["recruiters"]["full"]["queries"] == 6
        # Learned on the rule's grades, the full pipeline orders the held-out lists better than keywords do.
        assert seekers["full"]["ndcg"]["mean"] > seekers["bm25"]["ndcg"]["mean"]
        assert seekers["full"]["off"]["mean"] < 0.5
        reset_engine()  # serve the versions just trained

        call_command("evaluate_ranking", "--judged", "test", "--judged-dir", str(judged), "--json")
        out = capsys.readouterr().out
        table = json.loads(out.strip().splitlines()[-1])
        assert set(table["seekers"]) >= {"bm25", "vectors", "fused", "fused+domain", "full", "blend"}
        assert table["seekers"]["full"]["ndcg"] == seekers["full"]["ndcg"]  # the same lists the trainer scored
        assert "nDCG@10" in out and "recruiters: judged postings (test)" in out

        call_command("evaluate_ranking", "--resumes", str(labelled), "--labels", str(labels_path), "--json")
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
            str(labels_path),
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


def test_train_models_names_an_empty_judged_set(tmp_path):  # type: ignore[no-untyped-def]
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="has no queries or grades"):
        call_command("train_models", "--only", "reranker", "--judged-dir", str(tmp_path))


def test_evaluate_ranking_names_a_missing_file(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not found"):
        call_command("evaluate_ranking", "--resumes", str(tmp_path / "nope.jsonl"), "--labels", str(tmp_path / "x"))
