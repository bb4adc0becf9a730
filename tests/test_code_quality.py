"""House style that a tool can check: ruff on everything, mypy --strict on the ranking core."""

import subprocess
import sys

from tests.conftest import ROOT


def test_ruff_finds_nothing():
    r = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_the_ranking_core_passes_mypy_strict_and_imports_no_django():
    r = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--ignore-missing-imports", "search/ranking"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    for path in (ROOT / "search" / "ranking").glob("*.py"):
        assert "django" not in path.read_text(), f"{path.name} imports Django"
