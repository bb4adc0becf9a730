from __future__ import annotations

import datetime as dt
import json
import random
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from search.evaluation import (
    K,
    Table,
    cached_embeddings,
    cached_heads,
    cached_profiles,
    load_posting_labels,
    load_resumes,
    render,
    seeker_table,
    split_resumes,
)


class Command(BaseCommand):
    help = (
        "P@10, nDCG@10 and MRR of each ranking stage (BM25, vectors, fused, fused + domain, full re-ranker), "
        "overall and per domain, for seekers (jobs for each resume) or recruiters (resumes for each posting)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--resumes",
            type=Path,
            required=True,
            help="parquet (ID, Resume_str, Category) or JSONL {id, text, category}",
        )
        parser.add_argument(
            "--labels", type=Path, required=True, help="JSONL {source, external_id, domain} (label_postings)"
        )
        parser.add_argument("--direction", choices=["seeker", "recruiter"], default="seeker")
        parser.add_argument(
            "--split",
            choices=["all", "test", "train"],
            default="all",
            help="all resumes of the file, or our held-out 20%% (test) of it: the models never saw it",
        )
        parser.add_argument("--limit", type=int, help="at most N resumes (seeker) or postings per domain (recruiter)")
        parser.add_argument(
            "--postings-per-domain", type=int, default=20, help="recruiter direction: queries per domain"
        )
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: object, **o: object) -> None:
        from search.engine import get_engine, reset_engine
        from search.indexes.qdrant import VectorStoreBusy

        resumes_path, labels_path = Path(str(o["resumes"])), Path(str(o["labels"]))
        for path in (resumes_path, labels_path):
            if not path.exists():
                raise CommandError(f"{path} not found")
        resumes = load_resumes(resumes_path)
        if o["split"] != "all":
            train, test = split_resumes(resumes)
            resumes = test if o["split"] == "test" else train
        labels = load_posting_labels(labels_path)
        try:
            engine = get_engine()
            if o["direction"] == "seeker":
                limit = o["limit"]
                if isinstance(limit, int):
                    resumes = resumes[:limit]
                table = self._seekers(resumes, labels, engine)
                what = f"seekers: {len(resumes)} resumes from {resumes_path.name} ({o['split']}), top {K} jobs each"
            else:
                per_domain = o["limit"] if isinstance(o["limit"], int) else int(str(o["postings_per_domain"]))
                table, n = self._recruiters(resumes, labels, engine, per_domain)
                what = f"recruiters: {n} labelled postings, top {K} of {len(resumes)} resumes from {resumes_path.name}"
        except VectorStoreBusy as exc:
            raise CommandError(str(exc)) from None
        finally:
            reset_engine()
        render(table, self.stdout.write, what=what)
        if o["json"]:
            self.stdout.write(json.dumps(table.as_dict()))

    def _seekers(self, resumes: list, labels: dict, engine: object) -> Table:  # type: ignore[type-arg]
        from search.services import query_text

        cache = settings.DATA_DIR / "cache"
        t0 = time.perf_counter()
        self.stderr.write(f"reading {len(resumes)} resumes (profiles and embeddings are cached under {cache})...")
        profiles = cached_profiles([r.text for r in resumes], cache / "profiles")
        queries = [query_text(text=r.text, profile=p) for r, p in zip(resumes, profiles, strict=True)]
        vecs = cached_embeddings(queries, cache / "embeddings")
        heads = cached_heads(queries, cache / "embeddings")
        self.stderr.write(f"  {time.perf_counter() - t0:.0f} s; ranking...")
        reranker = engine.reranker.estimator if engine.reranker else None  # type: ignore[attr-defined]
        return seeker_table(resumes, profiles, queries, vecs, labels, reranker, heads)

    def _recruiters(self, resumes: list, labels: dict, engine: object, per_domain: int) -> tuple[Table, int]:  # type: ignore[type-arg]
        """Rank the file's resumes for labelled postings: the same stages, the roles of the two sides swapped."""
        from search.documents import posting_embedding_text, posting_keyword_text
        from search.embeddings import embed_texts
        from search.indexes.base import IndexDoc
        from search.indexes.bm25 import BM25Index
        from search.models import JobPosting
        from search.ranking.domain import resume_domain_probabilities, sure_domain
        from search.ranking.features import FEATURES, candidate_features
        from search.ranking.fusion import add_domain_hits, reciprocal_rank_fusion
        from search.ranking.rerank import rerank_score
        from search.ranking.types import Hit
        from search.recruiting import CANDIDATE_DOMAIN_DEPTH, posting_sure_domain
        from search.services import RETRIEVAL_DEPTH, posting_side, query_text, seeker_side

        cache = settings.DATA_DIR / "cache"
        profiles = cached_profiles([r.text for r in resumes], cache / "profiles")
        queries = [query_text(text=r.text, profile=p) for r, p in zip(resumes, profiles, strict=True)]
        vecs = cached_embeddings(queries, cache / "embeddings")
        domain_model = engine.domain  # type: ignore[attr-defined]
        classes = domain_model.classes if domain_model else []
        probs = (
            resume_domain_probabilities(
                domain_model.estimator, vecs, profiles, queries, cached_heads(queries, cache / "embeddings")
            )
            if domain_model
            else [None] * len(resumes)
        )
        seekers = [seeker_side(p, pr) for p, pr in zip(profiles, probs, strict=True)]
        resume_domain = [sure_domain(pr, classes) for pr in probs]  # as the recruiter-side index holds it
        index = BM25Index(None)
        index.upsert([IndexDoc(id=i, content_hash="", text=q) for i, q in enumerate(queries)])
        n_relevant = Counter(r.category for r in resumes)

        # Labelled postings, the same number per domain (those the resumes have a category for).
        by_domain: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for key, domain in sorted(labels.items()):
            if domain in n_relevant:
                by_domain[domain].append(key)
        rng = random.Random(7)
        wanted = [k for d in sorted(by_domain) for k in rng.sample(by_domain[d], min(per_domain, len(by_domain[d])))]
        postings = []
        for source, ext in wanted:
            p = JobPosting.objects.filter(source=source, external_id=ext).first()
            if p is not None:
                postings.append((p, labels[(source, ext)]))
        p_vecs = embed_texts([posting_embedding_text(p) for p, _ in postings])
        reranker = engine.reranker.estimator if engine.reranker else None  # type: ignore[attr-defined]
        d = FEATURES.index("domain")
        table = Table()
        for (p, domain), pv in zip(postings, p_vecs, strict=True):
            bm25 = index.search(posting_keyword_text(p), RETRIEVAL_DEPTH)
            sims = vecs @ pv
            top = np.argsort(-sims)[:RETRIEVAL_DEPTH]
            fused = reciprocal_rank_fusion(bm25=bm25, vector=[Hit(int(i), float(sims[i])) for i in top])
            wanted_domain = posting_sure_domain(p, classes)
            if wanted_domain and CANDIDATE_DOMAIN_DEPTH:  # the resumes of its domain, as resumes_for_posting
                mine = [i for i in np.argsort(-sims) if resume_domain[i] == wanted_domain][:CANDIDATE_DOMAIN_DEPTH]
                fused = add_domain_hits(fused, [Hit(int(i), float(sims[i])) for i in mine])
            side = posting_side(p, classes)
            bm25_max = max((c.bm25_score or 0.0 for c in fused), default=0.0)
            today = dt.date.today()
            rows = [
                candidate_features(
                    c,
                    seekers[c.id],
                    side,
                    skill_idf=engine.skill_idf,
                    bm25_max=bm25_max,
                    today=today,  # type: ignore[attr-defined]
                )[0]
                for c in fused
            ]
            X = np.vstack(rows) if rows else np.zeros((0, len(FEATURES)))
            dom = [rerank_score(c, float(x[d])) for c, x in zip(fused, X, strict=True)]
            orders = {
                "bm25": [h.id for h in bm25],
                "vectors": [int(i) for i in top],
                "fused": [c.id for c in fused],
                "fused+domain": [fused[i].id for i in sorted(range(len(fused)), key=lambda i: (-dom[i], fused[i].id))],
            }
            if reranker is not None and len(fused):
                s = reranker.predict(X)
                orders["full"] = [fused[i].id for i in sorted(range(len(fused)), key=lambda i: (-s[i], fused[i].id))]
            else:
                orders["full"] = orders["fused+domain"]
            for stage, order in orders.items():
                table.add(domain, stage, [int(resumes[i].category == domain) for i in order], n_relevant[domain])
        return table, len(postings)
