"""The layer contracts in pyproject.toml hold on the tree, and `lint-imports` (part of `make lint`) fails on a
planted violation of each one.

Each violation is planted in a copy of the real packages, checked against the real configuration, so the test
fails if a contract is weakened until it no longer catches what it is for.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PAKKETTEN = ("aanpak", "models", "tasks", "flows")


def lint_imports(waar: Path, *contracten: str) -> subprocess.CompletedProcess[str]:
    """Run import-linter as `make lint` does, on the packages found first under ``waar``."""
    env = {**os.environ, "PYTHONPATH": str(waar)}
    args = [str(LINT_IMPORTS), "--no-logo", "--no-cache", *(a for c in contracten for a in ("--contract", c))]
    return subprocess.run(args, cwd=waar, env=env, capture_output=True, text=True, timeout=300, check=False)


def test_make_lint_runs_the_layer_contracts() -> None:
    droog = subprocess.run(
        ["make", "-n", "lint"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    ).stdout
    assert "lint-imports" in droog


def test_the_tree_keeps_every_contract() -> None:
    r = lint_imports(ROOT)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "0 broken" in r.stdout


@pytest.fixture
def kopie(tmp_path: Path) -> Path:
    """The project's packages and configuration, copied so an import can be planted without touching the tree."""
    for pakket in PAKKETTEN:
        shutil.copytree(ROOT / pakket, tmp_path / pakket, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


@pytest.mark.parametrize(
    ("contract", "bestand", "regel", "keten"),
    [
        ("models-zuiver", "models/kalender.py", "import sqlalchemy", "models.kalender -> sqlalchemy"),
        ("models-zuiver", "models/casus.py", "import aanpak.config", "models.casus -> aanpak.config"),
        (
            "usecases-zonder-ingang",
            "aanpak/usecases/casusbeeld.py",
            "from aanpak.cli import weergave",
            "aanpak.usecases.casusbeeld -> aanpak.cli.weergave",
        ),
        (
            "usecases-zonder-ingang",
            "aanpak/usecases/inzicht.py",
            "import prefect",
            "aanpak.usecases.inzicht -> prefect",
        ),
        (
            "ingang-via-usecases",
            "aanpak/cli/privacy.py",
            "from aanpak.store.schema import Verwerking",
            "aanpak.cli.privacy -> aanpak.store.schema",
        ),
        ("lagen", "tasks/casus.py", "import flows.weergave", "tasks.casus -> flows.weergave"),
        (
            "lagen",
            "aanpak/store/db.py",
            "import aanpak.usecases.casusopslag",
            "aanpak.store.db -> aanpak.usecases.casusopslag",
        ),
    ],
)
def test_a_planted_violation_breaks_its_contract(
    kopie: Path, contract: str, bestand: str, regel: str, keten: str
) -> None:
    assert lint_imports(kopie, contract).returncode == 0  # the copy is clean before the import is planted
    pad = kopie / bestand
    pad.write_text(pad.read_text(encoding="utf-8") + f"\n{regel}  # noqa\n", encoding="utf-8")
    r = lint_imports(kopie, contract)
    assert r.returncode != 0, r.stdout
    assert "0 kept, 1 broken" in r.stdout
    assert keten in r.stdout.replace("\n", " "), r.stdout
