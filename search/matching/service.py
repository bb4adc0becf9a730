"""The matching worker's search service: web processes load no model and no index (tests/test_architecture.py),
so the searches a page waits for are asked of the process that holds them, over HTTP on a port of its own.

A thread of the matching worker (jobmatch/celery.py starts it when JOBMATCH_SEARCH_PORT is set) answers
POST /search, /match and /fit with JSON, one request at a time; JOBMATCH_SEARCH_TOKEN, when set, must come as a
bearer token. The client is search.postings.finder.
"""

from __future__ import annotations

import hmac
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from django.conf import settings
from django.db import connections

from search.filters import FilterError, Filters

log = logging.getLogger(__name__)
MAX_BODY = 256 * 1024
_serving = threading.Lock()  # one search at a time: the engine is shared with the worker's tasks


class BadRequest(ValueError):
    pass


def answer(path: str, body: dict[str, Any]) -> dict[str, Any]:
    """The answer to one request (what the handler sends as JSON)."""
    if path == "/search":
        from .browse import search_postings

        try:
            filters = Filters.from_dict(body.get("filters"))
        except (FilterError, TypeError, ValueError) as exc:
            raise BadRequest(str(exc)) from None
        q = body.get("q")
        if not isinstance(q, str) or not q.strip():
            raise BadRequest("q: give the words to search for")
        found = search_postings(q=q, filters=filters)
        return {
            "ids": found.ids,
            "keyword_hits": found.keyword_hits,
            "vector_hits": found.vector_hits,
            "capped": found.capped,
            "ms": found.ms,
        }
    if path == "/match":
        from .fit import text_matches

        text = body.get("text")
        if not isinstance(text, str):
            raise BadRequest("text: give the resume's text")
        try:
            return text_matches(text=text)
        except ValueError as exc:
            raise BadRequest(str(exc)) from None
    if path == "/fit":
        from .fit import fit_answer

        try:
            return fit_answer(body)
        except ValueError as exc:
            raise BadRequest(str(exc)) from None
    raise LookupError(path)


class Handler(BaseHTTPRequestHandler):
    server_version = "JobMatchSearch"

    def do_POST(self) -> None:
        token = settings.JOBMATCH_SEARCH_TOKEN
        given = self.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if token and not hmac.compare_digest(given.encode(), token.encode()):
            return self._send(401, {"error": "a bearer token is required"})
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            return self._send(413, {"error": f"the request is over {MAX_BODY // 1024} KB"})
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
            if not isinstance(body, dict):
                raise BadRequest("send one JSON object")
            with _serving:
                try:
                    result = answer(self.path, body)
                finally:
                    connections.close_all()  # each request has a thread of its own, and with it a connection
        except LookupError:
            return self._send(404, {"error": f"no such service: {self.path}"})
        except (BadRequest, json.JSONDecodeError, UnicodeDecodeError) as exc:
            return self._send(400, {"error": str(exc)})
        except Exception as exc:  # the worker goes on; the web side falls back and says so
            log.exception("search service failed on %s", self.path)
            return self._send(500, {"error": type(exc).__name__})
        self._send(200, result)

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("search service: " + format, *args)


def warm_up() -> None:
    """Load what /fit and /match read with besides the engine (spaCy and the resume NER: a matching worker
    does not parse uploads, so it has not loaded them), before the first request, which waits meanwhile."""
    from resumes.understanding.ner import load_ner
    from resumes.understanding.pipeline import get_nlp

    with _serving:
        try:
            get_nlp()
            load_ner()
        except Exception:  # the requests that need them will say what is wrong
            log.warning("search service: could not load the resume reader", exc_info=True)


def serve(port: int, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """Answer on host:port from a daemon thread of this process; returns the server (shutdown() stops it)."""
    threading.Thread(target=warm_up, name="search-service-warm-up", daemon=True).start()
    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="search-service", daemon=True).start()
    log.info("search service on %s:%s", host, server.server_address[1])
    return server
