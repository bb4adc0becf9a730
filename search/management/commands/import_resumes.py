from __future__ import annotations

import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jobmatch.jsonlines import json_line
from resumes.models import Resume
from resumes.services import UploadRejected, resume_ingest
from search.indexes.qdrant import VectorStoreBusy
from search.indexing.resume_index import resumes_index_missing


def confined(folder: Path, given: str) -> Path:
    """A "path" of a JSON line, relative to the file's folder and inside it: no absolute paths, no `..`
    out of it, no link leading out of it."""
    path = (folder / given).resolve()
    if Path(given).is_absolute() or not path.is_relative_to(folder):
        raise ValueError(f"the path {given!r} is outside the folder of the JSON lines file ({folder})")
    return path


class Command(BaseCommand):
    help = (
        "Load resumes in bulk for an admin: JSON lines {id, text} or {id, path} (a path inside the file's folder); "
        "each is read like an upload. "
        "The id is kept as the resume's external id (loading again updates it)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--jsonl", type=Path, required=True)
        parser.add_argument("--discoverable", action="store_true", help="recruiters may find them")
        parser.add_argument("--owner", help="the admin who owns them (default: the first superuser)")
        parser.add_argument(
            "--no-index",
            action="store_true",
            help="skip the recruiter-side indexes (the worker indexes them when it next ranks candidates)",
        )

    def handle(
        self, *args: object, jsonl: Path, discoverable: bool, owner: str | None, no_index: bool, **options: object
    ) -> None:
        if not jsonl.is_file():
            raise CommandError(f"{jsonl} not found")
        users = get_user_model().objects
        user = users.filter(username=owner).first() if owner else users.filter(is_superuser=True).order_by("id").first()
        if user is None:
            raise CommandError(
                f"no user {owner!r}" if owner else "no admin yet: run `manage.py createsuperuser` or pass --owner"
            )
        folder = jsonl.resolve().parent
        loaded, failed, ids = 0, 0, []
        t0 = time.perf_counter()
        with jsonl.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    obj = json_line(line)
                    if not isinstance(obj, dict):
                        raise ValueError("a line must hold one JSON object")
                    rid = str(obj.get("id") or "").strip()
                    if not rid or len(rid) > 128:
                        raise ValueError("the line has no id (or one longer than 128 characters)")
                    if isinstance(obj.get("text"), str) and obj["text"].strip():
                        data, name = obj["text"].encode("utf-8"), f"{rid}.txt"
                    elif isinstance(obj.get("path"), str):
                        path = confined(folder, obj["path"])
                        data, name = path.read_bytes(), path.name
                    else:
                        raise ValueError('the line has neither "text" nor "path"')
                    resume = resume_ingest(owner=user, external_id=rid, data=data, name=name, discoverable=discoverable)
                except (ValueError, OSError, UploadRejected) as exc:
                    failed += 1
                    reason = exc.message if isinstance(exc, UploadRejected) else str(exc)
                    self.stderr.write(f"line {n}: {reason}")
                    continue
                loaded += 1
                ids.append(resume.pk)
                if loaded % 200 == 0:
                    self.stderr.write(f"  {loaded} resumes read ({loaded / (time.perf_counter() - t0):.1f}/s)")
        indexed = 0
        if ids and not no_index:
            try:
                indexed = resumes_index_missing(resumes=Resume.objects.filter(pk__in=ids))
            except VectorStoreBusy as exc:
                self.stderr.write(f"not indexed now ({exc}); the worker indexes them when it next ranks candidates")
        self.stdout.write(
            f"loaded {loaded}, failed {failed}, indexed {indexed} for recruiters; owner {user.get_username()}; "
            f"{'discoverable' if discoverable else 'private'}; {time.perf_counter() - t0:.0f} s"
        )
