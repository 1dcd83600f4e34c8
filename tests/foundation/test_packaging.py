"""What `pip install .` gives a user: a wheel that works away from the source tree.

A source checkout hides what a wheel leaves out (migrations/ lived only beside the package) and what a
dependency only brings in through an extra that older pips drop (lxml[html_clean] for trafilatura)."""

from __future__ import annotations

import ast
import importlib.metadata
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from tests.conftest import REPO

PAGE = """<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>اشتباكات في دير الزور</title>
</head><body><article><h1>اشتباكات في دير الزور</h1><p>قالت مصادر محلية إن اشتباكات عنيفة اندلعت اليوم في ريف
دير الزور الشرقي بين قوات سوريا الديمقراطية ومسلحين، وأسفرت عن سقوط عدد من القتلى والجرحى.</p>
<p>وأضافت المصادر أن التعزيزات العسكرية وصلت إلى المنطقة الشرقية من المحافظة صباح اليوم.</p></article></body></html>"""


def _declared() -> set[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    return {_canonical(Requirement(r).name) for r in project["dependencies"]}


def _canonical(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def _imported_modules() -> set[str]:
    found = set()
    for path in (REPO / "service").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"service"}


def test_every_package_service_imports_is_declared() -> None:
    providers = importlib.metadata.packages_distributions()
    undeclared = {
        module: providers.get(module, ["?"])
        for module in _imported_modules()
        if not {_canonical(d) for d in providers.get(module, [])} & _declared()
    }
    assert not undeclared, f"imported by service/ but not in [project.dependencies]: {undeclared}"


def test_lxml_html_clean_is_declared_for_trafilatura() -> None:
    assert "lxml-html-clean" in _declared()


@pytest.mark.slow
def test_an_installed_wheel_migrates_ingests_and_searches(tmp_path: Path) -> None:
    uv = shutil.which("uv") or str(REPO / ".tools" / "bin" / "uv")
    if not Path(uv).exists():
        pytest.fail("uv is missing: `make install-dev` provides .tools/bin/uv")
    venv = tmp_path / "venv"
    env = {**os.environ, "UV_LINK_MODE": "copy"}
    env.pop("VIRTUAL_ENV", None)
    subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(venv)], check=True, env=env)
    # a wheel, not an editable install: what PyPI users get
    subprocess.run(
        [uv, "pip", "install", "-q", "--python", str(venv / "bin" / "python"), str(REPO)],
        check=True,
        env=env,
        cwd=tmp_path,
    )
    (tmp_path / "page.html").write_text(PAGE, encoding="utf-8")
    user_env = {**env, "ARSHIF_DATA_DIR": str(tmp_path / "var"), "PYTHONPATH": ""}
    arshif = str(venv / "bin" / "arshif")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [arshif, *args], check=False, capture_output=True, text=True, env=user_env, cwd=tmp_path
        )

    upgraded = run("db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    ingested = run("ingest", "page.html")
    assert ingested.returncode == 0, ingested.stderr
    found = run("search", "دير الزور")
    assert found.returncode == 0, found.stderr
    assert "اشتباكات في دير الزور" in found.stdout
