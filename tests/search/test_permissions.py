"""The permission matrix: every page and download, for every persona, with the exact status, and
nothing private in what the others get."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from search.models import Application, JobPosting, ResumeAccess
from tests.conftest import make_resume

SECRET_NAME = "Priya Quillfeather"
SECRET_EMAIL = "priya.quill@example.org"
ORG_A_TITLE = "Night Charge Nurse (Acme internal)"

PERSONAS = ["owner", "other_seeker", "recruiter", "other_recruiter", "admin", "anonymous"]


@pytest.fixture
def world(seeker, other_seeker, recruiter, other_recruiter, admin_user, org_a, org_b):  # type: ignore[no-untyped-def]
    pa = JobPosting.objects.create(
        source=org_a.source, external_id="a1", title=ORG_A_TITLE, description="Acme only.", organisation=org_a
    )
    pb = JobPosting.objects.create(
        source=org_b.source, external_id="b1", title="Teller", description="Borealis only.", organisation=org_b
    )
    profile = {"name": SECRET_NAME, "email": SECRET_EMAIL, "skills": [], "titles": ["Registered Nurse"]}
    shared = make_resume(seeker, text=f"{SECRET_NAME}\n{SECRET_EMAIL}\nRegistered Nurse", profile=profile)
    Application.objects.create(resume=shared, posting=pa)  # shared with Acme only
    private = make_resume(seeker, text=f"{SECRET_NAME}\nprivate copy", profile=profile, name="private.txt")
    users = {
        "owner": seeker,
        "other_seeker": other_seeker,
        "recruiter": recruiter,
        "other_recruiter": other_recruiter,
        "admin": admin_user,
        "anonymous": None,
    }
    return {"pa": pa, "pb": pb, "shared": shared, "private": private, "users": users}


def _client_for(client, user):  # type: ignore[no-untyped-def]
    client.logout()
    if user is not None:
        client.force_login(user)
    return client


def _row(*statuses: int) -> dict[str, int]:
    return dict(zip(PERSONAS, statuses, strict=True))


LOGIN = 302
# (url name, args from the world, expected status per persona)
MATRIX = [
    # the owner's pages: nobody else learns the resume exists (404)
    ("resumes:detail", ("shared",), _row(200, 404, 404, 404, 404, LOGIN)),
    ("resumes:status", ("shared",), _row(200, 404, 404, 404, 404, LOGIN)),
    ("resumes:file", ("shared",), _row(200, 404, 404, 404, 404, LOGIN)),
    ("resumes:profile", ("shared",), _row(200, 404, 404, 404, 404, LOGIN)),
    ("search:resume_matches", ("shared",), _row(200, 404, 404, 404, 404, LOGIN)),
    ("resumes:list", (), _row(200, 200, 200, 200, 200, LOGIN)),
    # each user's own saved, applied and dismissed postings and alert settings
    ("search:saved", (), _row(200, 200, 200, 200, 200, LOGIN)),
    ("search:applied", (), _row(200, 200, 200, 200, 200, LOGIN)),
    ("search:dismissed", (), _row(200, 200, 200, 200, 200, LOGIN)),
    ("search:alerts", (), _row(200, 200, 200, 200, 200, LOGIN)),
    # each user's own account page and data download (the export holds only their own resumes)
    ("account", (), _row(200, 200, 200, 200, 200, LOGIN)),
    ("account_data", (), _row(200, 200, 200, 200, 200, LOGIN)),
    # an open posting is public: anyone may read it (closed ones are not found: tests/search/test_public.py)
    ("search:posting", ("pa",), _row(200, 200, 200, 200, 200, 200)),
    # public search and the pasted fit, for everyone
    ("search:browse", (), _row(200, 200, 200, 200, 200, 200)),
    ("search:fit", (), _row(200, 200, 200, 200, 200, 200)),
    # recruiter pages: seekers are refused (403), other organisations' postings are not found (404)
    ("recruit:dashboard", (), _row(403, 403, 200, 200, 200, LOGIN)),
    ("recruit:overview", (), _row(403, 403, 403, 403, 200, LOGIN)),
    ("recruit:posting_new", (), _row(403, 403, 200, 200, 200, LOGIN)),
    ("recruit:invitations", (), _row(403, 403, 200, 200, 200, LOGIN)),
    ("recruit:import_new", (), _row(403, 403, 200, 200, 200, LOGIN)),
    ("recruit:posting", ("pa",), _row(403, 403, 200, 404, 200, LOGIN)),
    ("recruit:posting_edit", ("pa",), _row(403, 403, 200, 404, 200, LOGIN)),
    ("recruit:candidates_status", ("pa",), _row(403, 403, 200, 404, 200, LOGIN)),
    ("recruit:pipeline", ("pa",), _row(403, 403, 200, 404, 200, LOGIN)),
    ("recruit:pipeline_csv", ("pa",), _row(403, 403, 200, 404, 200, LOGIN)),
    # a resume shared with Acme (applied) ...
    ("recruit:candidate", ("pa", "shared"), _row(403, 403, 200, 404, 200, LOGIN)),
    ("recruit:candidate_file", ("pa", "shared"), _row(403, 403, 200, 404, 200, LOGIN)),
    # ... and one shared with nobody: no recruiter, not even an admin, may open it
    ("recruit:candidate", ("pa", "private"), _row(403, 403, 404, 404, 404, LOGIN)),
    ("recruit:candidate_file", ("pa", "private"), _row(403, 403, 404, 404, 404, LOGIN)),
    # nor through a posting of an organisation it was not shared with, whoever asks
    ("recruit:candidate", ("pb", "shared"), _row(403, 403, 404, 404, 404, LOGIN)),
    ("admin:index", (), _row(302, 302, 302, 302, 200, LOGIN)),
]


def _args(world, names):  # type: ignore[no-untyped-def]
    out = []
    for name in names:
        obj = world[name]
        out.append(obj.public_id if hasattr(obj, "public_id") else obj.pk)
    return out


@pytest.mark.parametrize("url_name,args,expected", MATRIX, ids=[f"{m[0]}{m[1]}" for m in MATRIX])
def test_permission_matrix(client, world, url_name, args, expected):  # type: ignore[no-untyped-def]
    url = reverse(url_name, args=_args(world, args))
    for persona in PERSONAS:
        c = _client_for(client, world["users"][persona])
        r = c.get(url)
        assert r.status_code == expected[persona], f"{persona} GET {url}: {r.status_code}"
        if r.status_code == 302:
            assert "login" in r["Location"], f"{persona} GET {url} redirected to {r['Location']}"
        if r.status_code in (403, 404) or (persona not in ("owner", "recruiter", "admin") and r.status_code == 200):
            body = b"".join(r) if r.streaming else r.content
            assert SECRET_NAME.encode() not in body, f"{persona} saw the name at {url}"
            assert SECRET_EMAIL.encode() not in body, f"{persona} saw the email at {url}"


POSTS = [
    ("resumes:delete", ("shared",), _row(302, 404, 404, 404, 404, LOGIN)),
    ("search:resume_visibility", ("shared",), _row(302, 404, 404, 404, 404, LOGIN)),
    ("search:resume_feedback", ("shared",), _row(302, 404, 404, 404, 404, LOGIN)),
    ("recruit:posting_close", ("pa",), _row(403, 403, 302, 404, 302, LOGIN)),
    ("recruit:candidates_refresh", ("pa",), _row(403, 403, 302, 404, 302, LOGIN)),
    ("recruit:stage", ("pa", "shared"), _row(403, 403, 302, 404, 302, LOGIN)),
    ("recruit:stage", ("pa", "private"), _row(403, 403, 404, 404, 404, LOGIN)),
]


@pytest.mark.parametrize("url_name,args,expected", POSTS, ids=[f"POST {m[0]}{m[1]}" for m in POSTS])
def test_permission_matrix_for_actions(client, world, url_name, args, expected):  # type: ignore[no-untyped-def]
    url = reverse(url_name, args=_args(world, args))
    # The owner's own action goes last: deleting the resume would change the others' answers.
    for persona in [p for p in PERSONAS if p != "owner"] + ["owner"]:
        c = _client_for(client, world["users"][persona])
        r = c.post(
            url,
            {"stage": "interview", "note": "ok", "discoverable": "1", "action": "save", "posting": world["pa"].pk},
        )
        assert r.status_code == expected[persona], f"{persona} POST {url}: {r.status_code}"
        if persona == "anonymous":
            assert "login" in r["Location"]


def test_another_organisations_dashboard_does_not_list_the_posting(client, world):  # type: ignore[no-untyped-def]
    c = _client_for(client, world["users"]["other_recruiter"])
    assert ORG_A_TITLE.encode() not in c.get(reverse("recruit:dashboard")).content
    c = _client_for(client, world["users"]["recruiter"])
    assert ORG_A_TITLE.encode() in c.get(reverse("recruit:dashboard")).content


def test_every_recruiter_view_and_download_is_audited(client, world):  # type: ignore[no-untyped-def]
    c = _client_for(client, world["users"]["recruiter"])
    pa, shared = world["pa"], world["shared"]
    assert c.get(reverse("recruit:candidate", args=[pa.pk, shared.public_id])).status_code == 200
    r = c.get(reverse("recruit:candidate_file", args=[pa.pk, shared.public_id]))
    assert r.status_code == 200 and b"".join(r).startswith(SECRET_NAME.encode())
    log = list(ResumeAccess.objects.order_by("at").values_list("username", "action", "resume_public_id", "posting_id"))
    assert log == [
        ("rita.recruiter", "view", shared.public_id, pa.pk),
        ("rita.recruiter", "download", shared.public_id, pa.pk),
    ]
    # A refused attempt leaves no entry; the owner's own downloads are not "someone else's access".
    _client_for(client, world["users"]["other_recruiter"]).get(
        reverse("recruit:candidate", args=[pa.pk, shared.public_id])
    )
    _client_for(client, world["users"]["owner"]).get(reverse("resumes:file", args=[shared.public_id]))
    assert ResumeAccess.objects.count() == 2


def test_withdrawing_the_application_hides_the_resume_from_the_organisation(client, world):  # type: ignore[no-untyped-def]
    owner = _client_for(client, world["users"]["owner"])
    pa, shared = world["pa"], world["shared"]
    r = owner.post(reverse("search:apply", args=[pa.pk]), {"resume": str(shared.public_id), "withdraw": "1"})
    assert r.status_code == 302
    assert not Application.objects.exists()
    c = _client_for(client, world["users"]["recruiter"])
    assert c.get(reverse("recruit:candidate", args=[pa.pk, shared.public_id])).status_code == 404
    # Making it discoverable shares it with every organisation's recruiters.
    _client_for(client, world["users"]["owner"]).post(
        reverse("search:resume_visibility", args=[shared.public_id]), {"discoverable": "1"}
    )
    c = _client_for(client, world["users"]["other_recruiter"])
    assert c.get(reverse("recruit:candidate", args=[world["pb"].pk, shared.public_id])).status_code == 200


def test_a_closed_posting_is_gone_for_seekers_but_its_recruiters_still_manage_it(client, world):  # type: ignore[no-untyped-def]
    pa = world["pa"]
    pa.active = False
    pa.save()
    assert (
        _client_for(client, world["users"]["other_seeker"]).get(reverse("search:posting", args=[pa.pk])).status_code
        == 404
    )
    assert (
        _client_for(client, world["users"]["recruiter"]).get(reverse("recruit:posting", args=[pa.pk])).status_code
        == 200
    )


def test_a_seeker_cannot_apply_with_someone_elses_resume(client, world):  # type: ignore[no-untyped-def]
    c = _client_for(client, world["users"]["other_seeker"])
    r = c.post(reverse("search:apply", args=[world["pa"].pk]), {"resume": str(world["private"].public_id)})
    assert r.status_code == 404
    r = c.post(reverse("search:apply", args=[world["pa"].pk]), {"resume": "not-a-uuid"})
    assert r.status_code == 404
    assert Application.objects.count() == 1


def test_staff_flag_alone_makes_an_admin_and_a_membership_a_recruiter(world):  # type: ignore[no-untyped-def]
    from search.access import ADMIN, RECRUITER, SEEKER, role_of

    users = world["users"]
    assert role_of(users["admin"]) == ADMIN
    assert role_of(users["recruiter"]) == RECRUITER
    assert role_of(users["owner"]) == SEEKER
    assert role_of(get_user_model()(username="x")) == SEEKER


# --- the API: each persona holds a token with every scope its account may give (anonymous: none) -------

API_MATRIX = [
    # (method, path with {pa}/{pb}/{shared}/{private}, expected per persona)
    ("get", "/api/v1/postings/{pa}", _row(200, 200, 200, 200, 200, 200)),
    ("get", "/api/v1/resumes", _row(200, 200, 200, 200, 200, 401)),
    ("get", "/api/v1/resumes/{shared}", _row(200, 404, 404, 404, 404, 401)),
    ("get", "/api/v1/resumes/{shared}/matches", _row(200, 404, 404, 404, 404, 401)),
    ("get", "/api/v1/resumes/{private}", _row(200, 404, 404, 404, 404, 401)),
    # seekers' tokens cannot hold the candidates scope (403); the other organisation's posting is not found
    ("get", "/api/v1/postings/{pa}/candidates", _row(403, 403, 200, 404, 200, 401)),
    ("get", "/api/v1/postings/{pb}/candidates", _row(403, 403, 404, 200, 200, 401)),
    ("patch", "/api/v1/postings/{pa}", _row(403, 403, 200, 404, 200, 401)),
    ("post", "/api/v1/postings/{pb}/close", _row(403, 403, 404, 200, 200, 401)),
]


@pytest.fixture
def api_tokens(world):  # type: ignore[no-untyped-def]
    from jobmatch.api_tokens import scopes_for, token_create

    keys = {}
    for persona, user in world["users"].items():
        if user is not None:
            keys[persona] = token_create(user=user, name="matrix", scopes=list(scopes_for(user)))[1]
    return keys


@pytest.mark.parametrize("method,path,expected", API_MATRIX, ids=[f"{m[0].upper()} {m[1]}" for m in API_MATRIX])
def test_permission_matrix_for_the_api(client, world, api_tokens, method, path, expected):  # type: ignore[no-untyped-def]
    import json

    url = path.format(
        pa=world["pa"].pk, pb=world["pb"].pk, shared=world["shared"].public_id, private=world["private"].public_id
    )
    client.logout()
    for persona in PERSONAS:
        headers = {"Authorization": f"Bearer {api_tokens[persona]}"} if persona in api_tokens else {}
        body = json.dumps({"title": ORG_A_TITLE}) if method == "patch" else None
        r = getattr(client, method)(url, data=body, content_type="application/json", headers=headers)
        assert r.status_code == expected[persona], (
            f"{persona} {method.upper()} {url}: {r.status_code} {r.content[:200]}"
        )
        if persona != "owner":  # the owner's own profile holds their address; nobody else's answer does
            assert SECRET_EMAIL.encode() not in r.content and SECRET_NAME.encode() not in r.content
