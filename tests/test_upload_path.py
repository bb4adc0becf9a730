"""The seeker's whole path in eager mode: sign up, upload, ten postings; and who may see what."""

import json
import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from resumes.models import Resume
from resumes.tasks import process_resume
from search.models import JobPosting, Recommendation
from tests.conftest import FIXTURES


def _upload(client, name, data, capture):
    with capture(execute=True):
        return client.post(reverse("resumes:list"), {"file": SimpleUploadedFile(name, data)})


def test_a_new_seeker_signs_up_uploads_a_pdf_and_sees_ten_postings(client, corpus, django_capture_on_commit_callbacks):
    r = client.post(
        reverse("signup"),
        {
            "email": "nina@example.org",
            "username": "nina",
            "password1": "correct horse 42 battery",
            "password2": "correct horse 42 battery",
        },
    )
    assert r.status_code == 302
    r = _upload(
        client, "my resume.pdf", (FIXTURES / "it-27295996.pdf").read_bytes(), django_capture_on_commit_callbacks
    )
    assert r.status_code == 302
    resume = Resume.objects.get(owner__username="nina")
    assert r["Location"] == reverse("resumes:detail", args=[resume.public_id])
    assert resume.status == Resume.Status.DONE, resume.failure_reason
    assert resume.content_type == "application/pdf" and len(resume.sha256) == 64
    assert "Information Technology" in resume.text or "INFORMATION TECHNOLOGY" in resume.text.upper()

    status = client.get(reverse("resumes:status", args=[resume.public_id])).json()
    assert status["status"] == "done" and status["finished"]

    page = client.get(reverse("search:resume_matches", args=[resume.public_id])).content.decode()
    recs = list(Recommendation.objects.filter(resume=resume).select_related("posting"))
    assert [r.rank for r in recs] == list(range(1, 11))
    assert len(re.findall(r'<li class="match"', page)) == 10
    for rec in recs:
        assert rec.posting.title in page.replace("&amp;", "&").replace("&#x27;", "'")
        assert rec.bm25_rank or rec.vector_rank
        assert rec.fused_score > 0
    assert "Found by" in page
    assert [r.score for r in recs] == sorted((r.score for r in recs), reverse=True)


def test_it_resume_gets_it_postings_and_chef_resume_gets_kitchen_postings(
    seeker_client, corpus, django_capture_on_commit_callbacks
):
    def titles(fixture):
        _upload(seeker_client, fixture, (FIXTURES / fixture).read_bytes(), django_capture_on_commit_callbacks)
        resume = Resume.objects.latest("created_at")
        return " ".join(r.posting.title.lower() for r in resume.recommendations.select_related("posting"))

    it_titles, chef_titles = titles("it-27295996.pdf"), titles("chef-24673903.pdf")
    assert re.search(r"technical|support|it |software|engineer|network|system|developer|data", it_titles)
    assert re.search(r"cook|chef|kitchen|food|restaurant|culinary|dining", chef_titles)


def test_running_the_task_twice_stores_the_same_ten(seeker_client, corpus, django_capture_on_commit_callbacks):
    _upload(
        seeker_client, "cv.pdf", (FIXTURES / "teacher-22408666.pdf").read_bytes(), django_capture_on_commit_callbacks
    )
    resume = Resume.objects.get()
    first = list(resume.recommendations.values_list("rank", "posting_id", "score"))
    process_resume.delay(resume.pk)
    second = list(resume.recommendations.values_list("rank", "posting_id", "score"))
    assert len(first) == 10
    assert first == second
    assert Recommendation.objects.filter(resume=resume).count() == 10


def test_the_file_is_stored_outside_the_web_root_under_a_random_name(
    seeker_client, corpus, django_capture_on_commit_callbacks
):
    _upload(
        seeker_client,
        "../../etc/passwd.pdf",
        (FIXTURES / "it-27295996.pdf").read_bytes(),
        django_capture_on_commit_callbacks,
    )
    resume = Resume.objects.get()
    stored = settings.UPLOAD_DIR / resume.stored_name
    assert stored.is_file() and stored.read_bytes() == (FIXTURES / "it-27295996.pdf").read_bytes()
    assert re.fullmatch(r"[0-9a-f]{32}", resume.stored_name)
    assert resume.original_name == "passwd.pdf"
    for web_dir in [*settings.STATICFILES_DIRS, settings.BASE_DIR / "templates"]:
        assert not str(stored).startswith(str(web_dir))


ACCEPTED = "We accept PDF, Word (.docx), OpenDocument (.odt), RTF or plain-text"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("photo.pdf", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10, ACCEPTED),
        ("page.pdf", b"\x00\x01\x02\x03" * 300, ACCEPTED),
        ("empty.txt", b"", "The file is empty."),
    ],
    ids=["png-named-pdf", "binary", "empty"],
)
def test_a_file_that_is_not_a_resume_is_refused_with_a_message_and_nothing_is_kept(
    seeker_client, corpus, django_capture_on_commit_callbacks, name, data, message
):
    before = set(settings.UPLOAD_DIR.glob("*")) if settings.UPLOAD_DIR.exists() else set()
    r = _upload(seeker_client, name, data, django_capture_on_commit_callbacks)
    assert r.status_code == 400
    assert message in r.content.decode()
    assert not Resume.objects.exists()
    after = set(settings.UPLOAD_DIR.glob("*")) if settings.UPLOAD_DIR.exists() else set()
    assert after == before


def test_a_file_over_five_megabytes_is_refused(seeker_client, corpus, django_capture_on_commit_callbacks):
    data = b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024)
    r = _upload(seeker_client, "big.pdf", data, django_capture_on_commit_callbacks)
    assert r.status_code == 400
    assert "larger than 5 MB" in r.content.decode()
    assert not Resume.objects.exists()


def test_a_pdf_with_no_text_fails_with_its_reason_shown(seeker_client, corpus, django_capture_on_commit_callbacks):
    pdf = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
    _upload(seeker_client, "scan.pdf", pdf, django_capture_on_commit_callbacks)
    resume = Resume.objects.get()
    assert resume.status == Resume.Status.FAILED and resume.failure_code == "no_text"
    page = seeker_client.get(reverse("resumes:detail", args=[resume.public_id])).content.decode()
    assert "No text was found in the file" in page
    assert seeker_client.get(reverse("resumes:status", args=[resume.public_id])).json()["failure_code"] == "no_text"


def test_a_docx_and_a_text_resume_are_matched_too(seeker_client, corpus, django_capture_on_commit_callbacks):
    _upload(
        seeker_client, "acc.docx", (FIXTURES / "01-Accountant.docx").read_bytes(), django_capture_on_commit_callbacks
    )
    _upload(
        seeker_client,
        "cv.txt",
        "Registered nurse, ICU, ten years of patient care and triage.".encode("utf-16"),
        django_capture_on_commit_callbacks,
    )
    assert [r.status for r in Resume.objects.order_by("created_at")] == ["done", "done"]
    assert {r.content_type for r in Resume.objects.all()} == {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "text/plain",
    }
    assert all(r.recommendations.count() == 10 for r in Resume.objects.all())


def test_another_seeker_cannot_see_the_resume_its_file_status_or_matches(
    client, seeker, other_seeker, corpus, django_capture_on_commit_callbacks
):
    client.force_login(seeker)
    _upload(client, "cv.pdf", (FIXTURES / "it-27295996.pdf").read_bytes(), django_capture_on_commit_callbacks)
    resume = Resume.objects.get()
    urls = [
        reverse(n, args=[resume.public_id])
        for n in ("resumes:detail", "resumes:status", "resumes:file", "search:resume_matches")
    ]
    assert all(client.get(u).status_code == 200 for u in urls)
    client.force_login(other_seeker)
    assert [client.get(u).status_code for u in urls] == [404] * 4
    assert client.post(reverse("resumes:delete", args=[resume.public_id])).status_code == 404
    client.logout()
    assert all(client.get(u).status_code == 302 for u in urls)  # to the login page


def test_the_owner_downloads_the_original_file_under_its_display_name(
    seeker_client, corpus, django_capture_on_commit_callbacks
):
    data = (FIXTURES / "it-27295996.pdf").read_bytes()
    _upload(seeker_client, "Nina CV.pdf", data, django_capture_on_commit_callbacks)
    r = seeker_client.get(reverse("resumes:file", args=[Resume.objects.get().public_id]))
    assert b"".join(r.streaming_content) == data
    assert r["Content-Type"] == "application/pdf"
    assert 'filename="Nina CV.pdf"' in r["Content-Disposition"]


def test_deleting_a_resume_removes_its_file_and_results(seeker_client, corpus, django_capture_on_commit_callbacks):
    _upload(seeker_client, "cv.pdf", (FIXTURES / "it-27295996.pdf").read_bytes(), django_capture_on_commit_callbacks)
    resume = Resume.objects.get()
    stored = settings.UPLOAD_DIR / resume.stored_name
    with django_capture_on_commit_callbacks(execute=True):
        seeker_client.post(reverse("resumes:delete", args=[resume.public_id]))
    assert not Resume.objects.exists() and not Recommendation.objects.exists()
    assert not stored.exists()


def test_recommend_prints_one_json_line_per_resume(corpus, tmp_path, capsys):
    jsonl = tmp_path / "resumes.jsonl"
    jsonl.write_text(
        json.dumps({"id": "r1", "text": (FIXTURES / "01-Accountant.docx").name + " accountant general ledger tax"})
        + "\n"
        + json.dumps({"id": 2, "text": "Line cook and sous chef, ten years in busy restaurant kitchens."})
        + "\n"
    )
    call_command("recommend", "--resume", str(FIXTURES / "it-27295996.pdf"), "--resumes-jsonl", str(jsonl))
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [x["id"] for x in lines] == [str(FIXTURES / "it-27295996.pdf"), "r1", 2]
    for line in lines:
        assert len(line["jobs"]) == 10
        for job in line["jobs"]:
            assert set(job) == {"source", "external_id", "title", "company", "location", "score", "why"}
            assert {"matched_skills", "missing_skills", "domain", "title", "seniority", "location"} <= set(job["why"])
            assert JobPosting.objects.filter(
                source=job["source"], external_id=job["external_id"], title=job["title"]
            ).exists()
        assert [j["score"] for j in line["jobs"]] == sorted((j["score"] for j in line["jobs"]), reverse=True)

    call_command("recommend", "--resumes-jsonl", str(jsonl), "--top", "3")
    assert [len(json.loads(x)["jobs"]) for x in capsys.readouterr().out.splitlines()] == [3, 3]


def test_recommend_reports_a_broken_file_and_goes_on(corpus, tmp_path, capsys):
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n garbage")
    call_command("recommend", "--resume", str(broken), "--resume", str(FIXTURES / "chef-24673903.pdf"), "--top", "2")
    first, second = (json.loads(x) for x in capsys.readouterr().out.splitlines())
    assert first["error"]["code"] in {"unreadable", "no_text"} and first["error"]["message"]
    assert len(second["jobs"]) == 2


def test_a_closed_posting_leaves_the_results_and_the_indexes(corpus):
    from search.indexing.engine import get_engine
    from search.indexing.posting_index import index_build
    from search.matching.seekers import jobs_for_text

    text = (FIXTURES / "it-27295996.pdf").name + " technical support engineer help desk networking"
    top = jobs_for_text(text=text, k=1).items[0].posting
    JobPosting.objects.filter(pk=top.pk).update(active=False)
    assert top.pk not in [i.posting.pk for i in jobs_for_text(text=text).items]  # filtered at once
    report = index_build()
    assert (report.vectors_removed, report.bm25_removed, report.embedded) == (1, 1, 0)
    engine = get_engine()
    assert top.pk not in engine.vectors.hashes() and top.pk not in engine.bm25.hashes()
    JobPosting.objects.filter(pk=top.pk).update(active=True)
    assert index_build().embedded == 1


def test_a_second_index_build_touches_only_new_or_changed_postings(corpus, capsys):
    from search.indexing.posting_index import index_build

    assert index_build().embedded == 0
    posting = JobPosting.objects.order_by("id").first()
    posting.title = posting.title + " (Remote)"
    posting.save()
    report = index_build()
    assert (report.embedded, report.bm25_updated, report.vectors_removed) == (1, 1, 0)
    call_command("build_index", "--no-progress")
    assert "embedded 0, removed 0 vectors; BM25 updated 0, removed 0" in capsys.readouterr().out


def test_a_new_embedding_recipe_re_embeds_every_posting_once(corpus, monkeypatch):
    from search.indexing import documents
    from search.indexing.engine import get_engine
    from search.indexing.posting_index import index_build

    n = JobPosting.objects.open().count()
    assert index_build().embedded == 0
    monkeypatch.setattr(documents, "EMBED_RECIPE", documents.EMBED_RECIPE + " and something new")
    assert index_build().embedded == n
    assert index_build().embedded == 0
    posting = JobPosting.objects.open().order_by("id").first()
    assert get_engine().vectors.hashes()[posting.pk] == documents.embedding_stamp(posting.content_hash)
    monkeypatch.undo()  # the shared corpus goes back to the shipped recipe for the tests after this one
    assert index_build().embedded == n


def test_with_no_postings_indexed_the_resume_fails_with_a_reason(
    seeker_client, django_capture_on_commit_callbacks, settings, tmp_path
):
    from search.indexing.engine import reset_engine

    reset_engine()
    settings.INDEX_DIR = tmp_path / "empty-index"
    try:
        _upload(
            seeker_client, "cv.pdf", (FIXTURES / "it-27295996.pdf").read_bytes(), django_capture_on_commit_callbacks
        )
        resume = Resume.objects.get()
        assert (resume.status, resume.failure_code) == ("failed", "no_postings")
        assert "no job postings to match against yet" in resume.failure_reason
    finally:
        reset_engine()
