"""The dependency rules of the code, checked by reading every module's imports with `ast`.

An import runs when its module is imported unless it sits in a function's body (then it runs on the
call) or under `if TYPE_CHECKING:` (then never). The rules:

- every project import names a module that exists;
- no import cycle, except through a Celery task's body: services import their app's `tasks` module at
  module level to send tasks, and each task's body imports the service it runs, which may send tasks in
  turn;
- no private name (`_name`, module or attribute) imported from another module, tests and benchmarks
  included;
- `resumes` reaches into `search` through one service call and one task only;
- the ranking core imports nothing of the project outside itself and no third-party package but NumPy,
  SciPy and scikit-learn;
- web-side modules load neither the worker-only packages (the indexes, the engine and embedder, the
  matching) nor a heavy library (torch, sentence-transformers, spaCy, the Qdrant clients) when imported.
"""

from __future__ import annotations

import ast
import sys
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
WORKER_ONLY = ("search.indexes", "search.indexing", "search.matching")
WORKER_SIDE = (*WORKER_ONLY, "search.evaluation", "search.management", "search.learning")
HEAVY = {"torch", "sentence_transformers", "transformers", "spacy", "qdrant_client", "qdrant_edge", "grpc"}
RANKING_MAY_USE = {"numpy", "scipy", "sklearn"}


def module_name(path: Path) -> str:
    name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    return name.removesuffix(".__init__")


def project_modules() -> dict[str, Path]:
    found = {}
    for folder in (*PACKAGES, "tests", "bench"):
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" not in path.parts:
                found[module_name(path)] = path
    return found


MODULES = project_modules()


def is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def import_nodes(tree: ast.Module) -> list[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import with whether it runs when the module is imported (outside any function body)."""
    found: list[tuple[ast.Import | ast.ImportFrom, bool]] = []

    def visit(node: ast.AST, at_import: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if is_type_checking(child):
                continue
            if isinstance(child, ast.Import | ast.ImportFrom):
                found.append((child, at_import))
            inside_function = isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            visit(child, at_import and not inside_function)

    visit(tree, True)
    return found


def resolve(importer: str, node: ast.Import | ast.ImportFrom) -> list[tuple[str, str | None]]:
    """(module imported, name taken from it) pairs: a `from package import module` names the module;
    imports of other distributions give their top-level package with no name."""
    if isinstance(node, ast.Import):
        return [(alias.name, None) for alias in node.names]
    if node.level:
        is_package = MODULES.get(importer, Path()).name == "__init__.py"
        base = importer.split(".")
        base = base if is_package else base[:-1]
        base = base[: len(base) - (node.level - 1)]
        source = ".".join([*base, node.module] if node.module else base)
    else:
        source = node.module or ""
    out = []
    for alias in node.names:
        as_module = f"{source}.{alias.name}"
        out.append((as_module, None) if as_module in MODULES else (source, alias.name))
    return out


def imports() -> list[tuple[str, str, str | None, bool]]:
    """(importer, imported module, name, runs at import) for every import of every project module."""
    found = []
    for importer, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node, at_import in import_nodes(tree):
            found += [(importer, module, name, at_import) for module, name in resolve(importer, node)]
    return found


IMPORTS = imports()
PRODUCT = [i for i in IMPORTS if i[0].startswith(PACKAGES)]


def is_project(module: str) -> bool:
    return module.split(".")[0] in (*PACKAGES, "tests", "bench")


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
    assert len([m for m in MODULES if m.startswith(PACKAGES)]) > 60
    assert ("search.tasks", "search.matching.seekers", "recommendations_refresh", False) in IMPORTS
    assert ("resumes.services", "search.tasks", "unindex_resumes", True) in IMPORTS
    assert ("search.indexing.embeddings", "torch", None, False) in IMPORTS  # loaded on the first embedding
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]
    tree = ast.parse(
        "import a\nif TYPE_CHECKING:\n    import b\ntry:\n    import c\nexcept E:\n    pass\ndef f():\n    import d"
    )
    assert [(ast.unparse(n), at) for n, at in import_nodes(tree)] == [
        ("import a", True),
        ("import c", True),
        ("import d", False),
    ]


def test_every_project_import_names_a_module_that_exists():
    missing = [
        f"{importer} imports {module}"
        for importer, module, _, _ in IMPORTS
        if is_project(module) and module not in MODULES and module not in PACKAGES
    ]
    assert missing == []


def test_no_import_cycle_but_through_a_task_body():
    edges: dict[str, set[str]] = defaultdict(set)
    for importer, module, _, at_import in PRODUCT:
        task_body = importer.endswith(".tasks") and not at_import
        if module in MODULES and module != importer and not task_body:
            edges[importer].add(module)
    assert cycles(edges) == []


def test_no_private_name_is_imported_from_another_module():
    private = [
        f"{importer} imports {module}{'.' + name if name else ''}"
        for importer, module, name, _ in IMPORTS
        if is_project(module)
        and ((name or module.rsplit(".", 1)[-1]).startswith("_"))
        and not (name or module).endswith("__init__")
    ]
    assert private == []


def test_resumes_reach_search_through_one_service_and_one_task():
    crossing = [
        f"{importer} imports {module}.{name or ''}"
        for importer, module, name, _ in PRODUCT
        if importer.startswith("resumes")
        and module.startswith("search")
        and (name is None or name not in RESUMES_TO_SEARCH.get(module, set()))
    ]
    assert crossing == []


def test_the_ranking_core_imports_only_itself_numpy_scipy_and_scikit_learn():
    outside = [
        f"{importer} imports {module}"
        for importer, module, _, _ in PRODUCT
        if importer.startswith("search.ranking")
        and not module.startswith("search.ranking")
        and module.split(".")[0] not in RANKING_MAY_USE | set(sys.stdlib_module_names)
    ]
    assert outside == []


def test_web_side_modules_load_no_worker_only_package_or_heavy_library_when_imported():
    loaded = [
        f"{importer} imports {module}"
        for importer, module, _, at_import in PRODUCT
        if at_import
        and not importer.startswith(WORKER_SIDE)
        and (module.startswith(WORKER_ONLY) or module.split(".")[0] in HEAVY)
    ]
    assert loaded == []
