"""Data migrations: what a site upgraded in place finds in its rows."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.conftest import make_resume

BEFORE = [("search", "0005_feedback")]


@pytest.mark.django_db(transaction=True)
def test_resumes_indexed_before_the_domain_search_get_the_probability_of_their_domain():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps.get_model("search", "IndexedResume")
        owner = get_user_model().objects.create_user("upgraded", password="x")
        sure, unread = (make_resume(owner, text=f"resume {i}") for i in range(2))
        old.objects.create(resume_id=sure.pk, content_hash="h", domain="CHEF", domain_probs=[0.1, 0.72, 0.18])
        old.objects.create(resume_id=unread.pk, content_hash="h", domain="", domain_probs=None)
    finally:
        executor = MigrationExecutor(connection)  # the graph as it is now
        executor.migrate(executor.loader.graph.leaf_nodes())
    from search.matching.recruiters import resumes_of_domain
    from search.models import IndexedResume

    assert IndexedResume.objects.get(resume=sure).domain_score == pytest.approx(0.72)
    assert IndexedResume.objects.get(resume=unread).domain_score is None
    assert resumes_of_domain("CHEF") == {sure.pk}
    assert ("search", "0006_domain_search") in MigrationExecutor(connection).loader.applied_migrations
