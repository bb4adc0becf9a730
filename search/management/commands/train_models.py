"""Train the domain classifier and the learned re-ranker, each saved as a new model version.

The domain classifier learns from the train part of our split of the labelled resumes
(search.evaluation.datasets.split_resumes) and is scored on the held-out part. The re-ranker learns to
rank from the judged set's dev split (graded pairs, both directions) and is scored on its test split.
"""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from sklearn.model_selection import StratifiedKFold

from search.evaluation.cache import cached_embeddings, cached_heads, cached_profiles
from search.evaluation.datasets import load_resumes, split_resumes
from search.evaluation.judged import JUDGED_DIR, JudgedSet
from search.evaluation.judged_lists import judged_tables, read_resumes, recruiter_pool
from search.evaluation.training import cross_validated_ndcg, graded_rows, kept_by_grade, score_per_grade
from search.indexing.artifacts import DOMAIN, RERANKER, StoredModel, save_model
from search.indexing.engine import get_engine, reset_engine
from search.learning import personal_train
from search.ranking.domain import DomainClassifier, domain_inputs
from search.ranking.features import FEATURES
from search.ranking.reranker import PairwiseReranker
from search.ranking.sides import query_text


def drop_first_line(text: str) -> str:
    """The first line of most of these resumes is the job title, which nearly names the label."""
    head, _, rest = text.strip().partition("\n")
    return rest if rest.strip() else head


def _titles_below_first_line(text: str, profile: dict[str, Any]) -> list[str]:
    """The profile's titles, less those the first line names (the view without the first line)."""
    first = text.strip().partition("\n")[0].lower()
    return [t for t in profile.get("titles") or [] if t.lower() not in first]


RERANKER_C = (0.01, 0.1, 1.0)


class Command(BaseCommand):
    help = (
        "Train the domain classifier (on the labelled resumes) and the re-ranker (on the judged set's dev "
        "split); save them as new versions, with their held-out figures in metrics.json."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--resumes",
            type=Path,
            default=settings.SHARED_DATA_DIR / "kaggle-resume-dataset" / "resumes_train.parquet",
        )
        parser.add_argument(
            "--only",
            choices=["domain", "reranker", "personal"],
            help="train one model (default: domain and reranker); personal = the per-seeker corrections, "
            "from the interactions recorded here, deployed only if not worse on the newest of them",
        )
        parser.add_argument(
            "--ship", action="store_true", help="write to search/artifacts/<model> (committed with the repository)"
        )
        parser.add_argument(
            "--judged-dir", type=Path, default=JUDGED_DIR, help="the judged set the re-ranker learns from"
        )
        parser.add_argument("--folds", type=int, default=5)
        parser.add_argument("--limit", type=int, help="use the first N resumes only (smoke runs)")

    def handle(self, *args: object, **o: Any) -> None:
        if o["only"] == "personal":
            report = personal_train()
            self.stdout.write(("deployed " if report.deployed else "not deployed: ") + report.reason)
            self.stdout.write(json.dumps({"version": report.version, **report.metrics}))
            return
        if o["only"] == "reranker":
            self._reranker(None, o)
            return
        resumes_path: Path = o["resumes"]
        if not resumes_path.exists():
            raise CommandError(f"{resumes_path} not found (set JOBMATCH_SHARED_DATA or pass --resumes)")
        resumes = load_resumes(resumes_path)[: o["limit"] or None]
        train, test = split_resumes(resumes)
        cache = settings.DATA_DIR / "cache"
        t0 = time.perf_counter()
        self.stderr.write(f"reading and embedding {len(resumes)} resumes (cached under {cache})...")
        profiles = dict(
            zip((r.id for r in resumes), cached_profiles([r.text for r in resumes], cache / "profiles"), strict=True)
        )
        queries = {r.id: query_text(text=r.text, profile=profiles[r.id]) for r in resumes}
        vec = dict(zip(queries, cached_embeddings(list(queries.values()), cache / "embeddings"), strict=True))
        heads = dict(zip(queries, cached_heads(list(queries.values()), cache / "embeddings"), strict=True))
        self.stderr.write(f"  {time.perf_counter() - t0:.0f} s")

        domain = None
        if o["only"] in (None, "domain"):
            domain = self._domain(train, test, profiles, queries, vec, heads, cache, o)
        if o["only"] is None:
            self._reranker(domain, o)

    def _domain(  # type: ignore[type-arg]
        self, train: list, test: list, profiles: dict, queries: dict, vec: dict, heads: dict, cache: Path, o: dict
    ) -> StoredModel:
        everyone = train + test
        bodies = cached_embeddings([drop_first_line(queries[r.id]) for r in everyone], cache / "embeddings")
        # The head part reads each view's own head: without the first line, the first chunk below it.
        heads_body = cached_heads([drop_first_line(queries[r.id]) for r in everyone], cache / "embeddings")
        h_full = np.vstack([heads[r.id] for r in train])
        h_body = heads_body[: len(train)]
        # Two views of each resume: whole, and without its first line (text and the titles read from it).
        titles_full = [profiles[r.id].get("titles") or [] for r in everyone]
        titles_body = [_titles_below_first_line(r.text, profiles[r.id]) for r in everyone]
        full = {r.id: domain_inputs(vec[r.id], [titles_full[i]])[0] for i, r in enumerate(everyone)}
        body = {r.id: domain_inputs(bodies[i], [titles_body[i]])[0] for i, r in enumerate(everyone)}
        y = np.asarray([r.category for r in train])
        x_full = np.vstack([full[r.id] for r in train])
        x_body = np.vstack([body[r.id] for r in train])
        words_full = np.asarray([queries[r.id] for r in train], dtype=object)
        words_body = np.asarray([drop_first_line(queries[r.id]) for r in train], dtype=object)
        # The title part learns from the whole view only (adding the other view read worse on the folds);
        # each view is scored with its own titles.
        n_train = len(train)
        # Each fold trains as the shipped model does (both views of its resumes) and is scored on the
        # held-out resumes with and without their first line (usually the job title: it nearly names the label).
        folds = StratifiedKFold(n_splits=o["folds"], shuffle=True, random_state=7)
        pred = {"with_first_line": np.empty(len(y), dtype=object), "without_first_line": np.empty(len(y), dtype=object)}
        for tr, te in folds.split(x_full, y):
            m = DomainClassifier().fit(
                np.vstack([x_full[tr], x_body[tr]]),
                np.concatenate([y[tr], y[tr]]),
                texts=[*words_full[tr], *words_body[tr]],
                titles=[*(titles_full[i] for i in tr), *([None] * len(tr))],
                heads=np.vstack([h_full[tr], h_body[tr]]),
            )
            pred["with_first_line"][te] = m.predict(
                x_full[te], list(words_full[te]), [titles_full[i] for i in te], h_full[te]
            )
            pred["without_first_line"][te] = m.predict(
                x_body[te], list(words_body[te]), [titles_body[i] for i in te], h_body[te]
            )
        model = DomainClassifier().fit(
            np.vstack([x_full, x_body]),
            np.concatenate([y, y]),
            texts=[*words_full, *words_body],
            titles=[*titles_full[:n_train], *([None] * n_train)],
            heads=np.vstack([h_full, h_body]),
        )
        y_test = np.asarray([r.category for r in test])
        test_full = np.vstack([full[r.id] for r in test])
        metrics: dict[str, Any] = {
            "data": o["resumes"].name,
            "train_resumes": len(train),
            "test_resumes": len(test),
            "features": "all-MiniLM-L6-v2 of the resume with its profile's skills and titles (mean of 180-word "
            "chunks), beside the title signal of its first three titles (search.ranking.domain.title_signal); "
            "averaged with a TF-IDF (words and word pairs) logistic regression over the same text, and with "
            "one over its first three titles (search.ranking.domain.title_text); for resumes the embedding of "
            "their head (the first chunk, search.indexing.embeddings.head_of) is read instead of the whole's; the "
            "average then weighed by how often the text names each domain (search.ranking.domain.name_counts)",
        }
        for name, p in pred.items():
            metrics[f"cv_accuracy_{name}"] = round(float(np.mean(p == y)), 4)
        test_words = [queries[r.id] for r in test]
        test_heads, test_heads_body = np.vstack([heads[r.id] for r in test]), heads_body[n_train:]
        test_pred = model.predict(test_full, test_words, titles_full[n_train:], test_heads)
        test_body = np.vstack([body[r.id] for r in test])
        metrics["test_accuracy_with_first_line"] = round(float(np.mean(test_pred == y_test)), 4)
        words_body_test = [drop_first_line(queries[r.id]) for r in test]
        metrics["test_accuracy_without_first_line"] = round(
            float(np.mean(model.predict(test_body, words_body_test, titles_body[n_train:], test_heads_body) == y_test)),
            4,
        )
        # The embedding part alone, as postings are classified; then each part left out in turn: the head
        # (the embedding of the whole resume read instead), the names, and the titles with them.
        metrics["test_accuracy_embedding_part_alone"] = round(float(np.mean(model.predict(test_full) == y_test)), 4)
        metrics["test_accuracy_without_head_part"] = round(
            float(np.mean(model.predict(test_full, test_words, titles_full[n_train:]) == y_test)), 4
        )
        unnamed = copy.copy(model)
        unnamed.name_weight = 0.0  # the parts' average, as the model was before the names were read
        metrics["test_accuracy_without_name_part"] = round(
            float(np.mean(unnamed.predict(test_full, test_words, titles_full[n_train:], test_heads) == y_test)), 4
        )
        metrics["test_accuracy_without_title_part"] = round(
            float(np.mean(unnamed.predict(test_full, test_words, None, test_heads) == y_test)), 4
        )
        metrics["test_recall_per_domain"] = {
            c: round(float(np.mean(test_pred[y_test == c] == c)), 3) for c in sorted(set(y_test))
        }
        out = save_model(DOMAIN, model, metrics, out_dir=settings.SHIPPED_MODEL_DIR / DOMAIN if o["ship"] else None)
        self.stdout.write(f"domain classifier saved in {out}")
        self.stdout.write(json.dumps({k: v for k, v in metrics.items() if "accuracy" in k}))
        return StoredModel(model, out.name, metrics)

    def _reranker(self, domain: StoredModel | None, o: dict[str, Any]) -> None:
        """Learning to rank on the judged set's dev split (both directions), C chosen by cross-validation
        over its queries; the judged test split's figures, with the intervals, go into metrics.json."""
        judged = JudgedSet.load(o["judged_dir"])
        if not judged.queries or not len(judged.grades):
            raise CommandError(f"the re-ranker learns from the judged set: {judged.dir} has no queries or grades")
        shared = Path(settings.SHARED_DATA_DIR)
        reset_engine()  # the newest saved models (a domain classifier saved since the engine was loaded)
        engine = get_engine()
        if domain is not None:
            engine.domain = domain  # the classifier just trained, so the re-ranker learns with it
        try:
            resumes = read_resumes(recruiter_pool(shared, judged), shared, judged)
            dev = [q for q in judged.queries if q.split == "dev"]
            t0 = time.perf_counter()
            rows = graded_rows(dev, judged.grades, resumes, engine, shared)
            self.stderr.write(
                f"  {len(rows)} graded pairs in the dev queries' pools ({time.perf_counter() - t0:.0f} s)"
            )
            X, y, groups = rows.X, np.asarray(rows.grades), np.asarray(rows.groups)
            cv = {c: cross_validated_ndcg(X, y, groups, C=c, folds=o["folds"]) for c in RERANKER_C}
            best = max(cv, key=lambda c: cv[c])
            model = PairwiseReranker(C=best).fit(X, y, groups)
            grade = score_per_grade(model, X, y, groups)
            engine.reranker = StoredModel(model, "candidate", {"score_per_grade": grade})
            test_seekers, test_recruiters = judged_tables("test", engine, shared, judged, resumes)
        finally:
            reset_engine()
        metrics = {
            "data": "the judged set's dev split (search/evaluation/judged), both directions",
            "train_pairs_graded": len(rows),
            "train_queries": len(set(rows.groups)),
            "pairs": model.pairs_,
            "domain_model": domain.version
            if domain is not None
            else (engine.domain.version if engine.domain else None),
            "cross_validated_ndcg_at_10_by_C": {str(c): round(v, 4) for c, v in cv.items()},
            "C": best,
            "score_per_grade": round(grade, 4),
            "kept_at_score_by_grade": kept_by_grade(model, X, y),
            "weights": {f: round(float(w), 4) for f, w in zip(FEATURES, model.coef_, strict=True)},
            "test": {
                "seekers": {k: test_seekers.summary(k) for k in ("full", "fused+domain", "blend", "bm25")},
                "recruiters": {k: test_recruiters.summary(k) for k in ("full", "fused+domain", "blend", "bm25")},
            },
        }
        out = save_model(RERANKER, model, metrics, out_dir=settings.SHIPPED_MODEL_DIR / RERANKER if o["ship"] else None)
        self.stdout.write(f"re-ranker saved in {out}")
        self.stdout.write(json.dumps({"weights": metrics["weights"], "cv": metrics["cross_validated_ndcg_at_10_by_C"]}))
