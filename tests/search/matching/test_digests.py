"""Job alerts on the real engine: who is due, what a digest holds (new, fitting, unseen, at most ten),
the email and its one-click unsubscribe link."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from resumes.services import profile_read
from search import alerts
from search.feedback import impressions_record, posting_dismiss
from search.matching import digests
from search.models import AlertSettings, Interaction, JobPosting
from search.ranking.features import FEATURES
from tests.conftest import make_resume
from tests.search.test_feedback import ANALYST

pytestmark = pytest.mark.usefixtures("corpus")


@pytest.fixture
def subscribed(seeker):  # type: ignore[no-untyped-def]
    return subscribe(seeker)


def subscribe(seeker):  # type: ignore[no-untyped-def]
    """Daily alerts on, a processed resume, and every corpus posting older than the alert window."""
    resume = make_resume(seeker, text=ANALYST, profile=profile_read(text=ANALYST))
    alerts.frequency_set(user=seeker, frequency="daily")
    JobPosting.objects.update(created_at=timezone.now() - dt.timedelta(days=2))  # the corpus is old news
    AlertSettings.objects.filter(user=seeker).update(since=timezone.now() - dt.timedelta(hours=1))
    return resume


def arrive_postings(n: int | None = None) -> list[int]:
    """Make postings new (arrived just now, after the seeker switched alerts on)."""
    ids = list(JobPosting.objects.open().order_by("id").values_list("id", flat=True))[:n]
    JobPosting.objects.filter(id__in=ids).update(created_at=timezone.now())
    return ids


def test_a_digest_holds_at_most_ten_new_fitting_postings_best_first(subscribed):  # type: ignore[no-untyped-def]
    arrive_postings()
    run = digests.alerts_send()
    assert (run.due, run.sent) == (1, 1)
    items = run.digests[subscribed.pk]
    assert 0 < len(items) <= digests.ALERT_MAX
    assert [i.score for i in items] == sorted((i.score for i in items), reverse=True)
    assert all(i.score >= digests.min_score() for i in items)
    (message,) = mail.outbox
    assert message.to == ["sam.seeker@example.org"]  # the verified primary address
    body = message.body
    for n, item in enumerate(items, start=1):
        assert item.posting.title in body
        assert f"/jobs/{item.posting.pk}/?r={subscribed.public_id}&pos={n}" in body
    assert body.count(" match · ") == len(items)  # each job's fit level and reasons in words
    html = message.alternatives[0][0]
    assert sum(html.count(f"<strong>{level} match</strong>") for level in ("Strong", "Good", "Possible")) == len(items)
    assert "score" not in body.lower() and "bm25" not in body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    sent = Interaction.objects.filter(resume=subscribed, kind="alert")
    assert sorted(sent.values_list("position", flat=True)) == list(range(1, len(items) + 1))
    assert all(len(i.features) == len(FEATURES) for i in sent)


def test_seen_dismissed_applied_and_already_sent_postings_never_return(subscribed):  # type: ignore[no-untyped-def]
    arrive_postings()
    first = digests.digests_build(digests.alerts_due(now=timezone.now()))[0][subscribed.pk]
    seen, dismissed = first[0].posting, first[1].posting
    impressions_record(resume=subscribed, shown=[(seen.pk, 1)])
    posting_dismiss(resume=subscribed, posting=dismissed, reason="applied_elsewhere")
    run = digests.alerts_send()
    got = {i.posting.pk for i in run.digests[subscribed.pk]}
    assert seen.pk not in got and dismissed.pk not in got
    # Tomorrow: the same postings are not new, and those sent are not sent again.
    AlertSettings.objects.filter(user=subscribed.owner).update(last_sent_at=timezone.now() - dt.timedelta(days=1))
    again = digests.alerts_send()
    assert again.due == 1 and subscribed.pk not in again.digests and len(mail.outbox) == 1


def test_the_threshold_is_respected(subscribed, settings):  # type: ignore[no-untyped-def]
    arrive_postings()
    scores = [i.score for i in digests.digests_build(digests.alerts_due(now=timezone.now()))[0][subscribed.pk]]
    distinct = sorted(set(scores))  # postings with the same features tie
    assert len(distinct) > 1
    settings.JOBMATCH_ALERT_MIN_SCORE = distinct[len(distinct) // 2]  # above the lowest score
    kept = digests.digests_build(digests.alerts_due(now=timezone.now()))[0][subscribed.pk]
    assert kept and all(i.score >= settings.JOBMATCH_ALERT_MIN_SCORE for i in kept) and len(kept) < len(scores)
    assert len(kept) == sum(s >= settings.JOBMATCH_ALERT_MIN_SCORE for s in scores)  # every one above it is kept
    settings.JOBMATCH_ALERT_MIN_SCORE = max(scores) + 1
    run = digests.alerts_send()
    assert (run.sent, run.empty) == (0, 1) and not mail.outbox  # nothing fits: no email, window moves on
    assert AlertSettings.objects.get(user=subscribed.owner).last_sent_at is not None


def test_nothing_new_or_not_due_sends_nothing(subscribed):  # type: ignore[no-untyped-def]
    assert digests.alerts_send().sent == 0  # no posting arrived since alerts were switched on
    arrive_postings()
    AlertSettings.objects.filter(user=subscribed.owner).update(last_sent_at=timezone.now() - dt.timedelta(hours=2))
    assert digests.alerts_send().due == 0  # daily: sent two hours ago
    AlertSettings.objects.filter(user=subscribed.owner).update(
        frequency="weekly", last_sent_at=timezone.now() - dt.timedelta(days=2)
    )
    assert digests.alerts_send().due == 0
    AlertSettings.objects.filter(user=subscribed.owner).update(frequency="off", last_sent_at=None)
    assert digests.alerts_send().due == 0 and not mail.outbox


def test_the_unsubscribe_link_works_without_login_and_cannot_be_forged(client, subscribed, other_seeker):  # type: ignore[no-untyped-def]
    alerts.frequency_set(user=other_seeker, frequency="weekly")
    token = alerts.unsubscribe_token(subscribed.owner)
    forged = signing.dumps({"u": other_seeker.pk}, salt="not-our-salt", compress=True)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for bad in (forged, tampered, "nonsense"):
        r = client.get(reverse("search:unsubscribe", args=[bad]))
        assert r.status_code == 400 and "not valid" in r.content.decode()
    assert AlertSettings.objects.get(user=other_seeker).frequency == "weekly"
    assert AlertSettings.objects.get(user=subscribed.owner).frequency == "daily"
    r = client.get(reverse("search:unsubscribe", args=[token]))  # anonymous
    assert r.status_code == 200 and "unsubscribed" in r.content.decode()
    assert AlertSettings.objects.get(user=subscribed.owner).frequency == "off"
    assert AlertSettings.objects.get(user=other_seeker).frequency == "weekly"
    alerts.frequency_set(user=subscribed.owner, frequency="daily")
    assert client.post(reverse("search:unsubscribe", args=[token])).status_code == 200  # RFC 8058 one-click POST
    assert AlertSettings.objects.get(user=subscribed.owner).frequency == "off"


def test_the_settings_page_switches_alerts_on_and_off(seeker_client, seeker):  # type: ignore[no-untyped-def]
    assert seeker_client.get(reverse("search:alerts")).status_code == 200
    r = seeker_client.post(reverse("search:alerts"), {"frequency": "weekly"})
    assert r.status_code == 302 and AlertSettings.objects.get(user=seeker).frequency == "weekly"
    r = seeker_client.post(reverse("search:alerts"), {"frequency": "hourly"})
    assert r.status_code == 200 and AlertSettings.objects.get(user=seeker).frequency == "weekly"


def test_alerts_are_in_the_beat_schedule(settings):  # type: ignore[no-untyped-def]
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "search.send_job_alerts" in tasks


# --- picking a seeker's digest: personalised first, the threshold read once ----------------------


class AddsPerPosting:
    """A personalised model that adds a fixed amount to some postings' scores."""

    def __init__(self, by_posting: dict[int, float]) -> None:
        self.by_posting = by_posting

    def corrections(self, X, seekers, postings):  # type: ignore[no-untyped-def]
        import numpy as np

        return np.asarray([self.by_posting.get(p, 0.0) for p in postings])


def _pair(pk: int, score: float, level: str = "") -> digests.Pair:
    return digests.Pair(JobPosting(pk=pk, experience_level=level), score, tuple([0.0] * len(FEATURES)))


def test_a_posting_the_seekers_feedback_lifts_over_the_threshold_is_sent_and_one_it_sinks_is_not():
    from search.ranking.personalise import Personal, levels_wanted

    pairs = [
        _pair(1, -0.5),  # below the threshold, lifted by the seeker's learned correction
        _pair(2, 0.8, "Internship"),  # above it, sunk by the levels the seeker refused
        _pair(3, 0.4),  # above it, untouched
        _pair(4, 0.9),  # above it, but dismissed
    ]
    personal = Personal(resume_id=7, excluded=frozenset({4}), levels=(3, 5), notes={"seniority": levels_wanted((3, 5))})
    picked = digests.digest_pick(
        pairs, personal=personal, threshold=0.0, vectors_of=lambda ids: {}, learned=AddsPerPosting({1: 1.5})
    )
    assert [(p.posting.pk, round(score, 2)) for p, score, _ in picked] == [(1, 1.0), (3, 0.4)]
    assert "learned" in picked[0][2]


def test_a_digest_keeps_the_best_k_in_order_ties_by_posting():
    from search.ranking.personalise import Personal

    pairs = [_pair(pk, score) for pk, score in [(5, 0.3), (2, 0.9), (9, 0.3), (1, 0.1)]]
    picked = digests.digest_pick(pairs, personal=Personal(), threshold=0.0, vectors_of=lambda ids: {}, k=3)
    assert [p.posting.pk for p, _, _ in picked] == [2, 5, 9]


def test_no_alert_goes_to_an_address_that_is_not_verified(subscribed):  # type: ignore[no-untyped-def]
    from allauth.account.models import EmailAddress

    EmailAddress.objects.filter(user=subscribed.owner).update(verified=False)
    arrive_postings()
    run = digests.alerts_send()
    assert run.due == 0 and not mail.outbox
    EmailAddress.objects.filter(user=subscribed.owner).update(verified=True)
    assert digests.alerts_send().sent == 1
