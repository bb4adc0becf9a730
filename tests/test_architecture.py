"""The dependency rules of the code, checked by reading every module's imports (module level and inside
functions) with `ast`:

- no import cycle, except that a Celery task's body imports the service that sends it (services import
  their tasks module at module level; task bodies import services);
- no private name (`_name`) imported from another module;
- `resumes` reaches into `search` through one service call and one task only;
- the ranking core imports nothing of the project outside itself;
- the worker-only packages (the indexes, the embedder, the matching) are imported at module level only by
  worker-side code, so a web process never loads them.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from tests.conftest import ROOT

PACKAGES = ("jobmatch", "resumes", "search")
# What resumes may import of search: the matching service its worker stage calls, and the task that takes
# a deleted resume out of the recruiter-side indexes.
RESUMES_TO_SEARCH = {
    "search.matching.seekers": {"recommendations_refresh", "NoPostingsIndexed"},
    "search.tasks": {"unindex_resumes"},
}
WORKER_ONLY = ("search.indexing", "search.matching")
WORKER_SIDE = (*WORKER_ONLY, "search.evaluation", "search.management", "search.learning")


def module_name(path: Path) -> str:
    name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    return name.removesuffix(".__init__")


def project_modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                found[module_name(path)] = path
    return found


MODULES = project_modules()


def resolve(importer: str, node: ast.ImportFrom | ast.Import) -> list[tuple[str, str | None]]:
    """(module imported, name taken from it) pairs; a `from package import module` names the module."""
    if isinstance(node, ast.Import):
        return [(alias.name, None) for alias in node.names if alias.name.split(".")[0] in PACKAGES]
    if node.level:
        is_package = MODULES.get(importer, Path()).name == "__init__.py"
        base = importer.split(".")
        base = base if is_package else base[:-1]
        base = base[: len(base) - (node.level - 1)]
        source = ".".join([*base, node.module] if node.module else base)
    else:
        source = node.module or ""
    if source.split(".")[0] not in PACKAGES:
        return []
    out = []
    for alias in node.names:
        as_module = f"{source}.{alias.name}"
        out.append((as_module, None) if as_module in MODULES else (source, alias.name))
    return out


def imports() -> list[tuple[str, str, str | None, bool]]:
    """(importer, imported module, name, at module level) for every import between project modules."""
    found = []
    for importer, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = {id(n) for n in tree.body}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                found += [(importer, module, name, id(node) in top) for module, name in resolve(importer, node)]
    return found


IMPORTS = imports()


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_the_guard_reads_the_imports_it_checks():
    assert len(MODULES) > 60
    assert ("search.tasks", "search.matching.seekers", "recommendations_refresh", False) in IMPORTS
    assert ("resumes.services", "search.tasks", "unindex_resumes", True) in IMPORTS
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]


def test_no_import_cycle_but_a_task_body_importing_its_service():
    edges: dict[str, set[str]] = defaultdict(set)
    for importer, module, _, top_level in IMPORTS:
        task_body = importer.endswith(".tasks") and not top_level
        if module in MODULES and module != importer and not task_body:
            edges[importer].add(module)
    assert cycles(edges) == []


def test_no_private_name_is_imported_from_another_module():
    private = [
        f"{importer} imports {module}.{name}" for importer, module, name, _ in IMPORTS if name and name[0] == "_"
    ]
    assert private == []


def test_resumes_reach_search_through_one_service_and_one_task():
    crossing = [
        f"{importer} imports {module}.{name or ''}"
        for importer, module, name, _ in IMPORTS
        if importer.startswith("resumes")
        and module.startswith("search")
        and (name is None or name not in RESUMES_TO_SEARCH.get(module, set()))
    ]
    assert crossing == []


def test_the_ranking_core_imports_only_itself():
    outside = [
        f"{importer} imports {module}"
        for importer, module, _, _ in IMPORTS
        if importer.startswith("search.ranking") and not module.startswith("search.ranking")
    ]
    assert outside == []


def test_web_side_modules_load_no_worker_only_package_at_module_level():
    loaded = [
        f"{importer} imports {module}"
        for importer, module, _, top_level in IMPORTS
        if top_level and module.startswith(WORKER_ONLY) and not importer.startswith(WORKER_SIDE)
    ]
    assert loaded == []
