"""The layers import one way: ``api`` and ``web`` are siblings on top of the app layer (``service.server``),
only ``service.server.app`` composes them, and the core (store, index, search, ingest) knows none of
the three. Read from the source (every import statement of every module), not from what happens to be
imported at run time."""

from __future__ import annotations

import ast
from pathlib import Path

SERVICE = Path(__file__).resolve().parents[2] / "service"
HTTP_LAYERS = ("service.api", "service.web", "service.server")


def _module_name(path: Path) -> str:
    parts = path.relative_to(SERVICE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, relative imports resolved, ``from a import b`` counted as both
    ``a`` and ``a.b`` (b may be a module)."""
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _under(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _offences(modules: str, forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    offences = {}
    for path in sorted(SERVICE.rglob("*.py")):
        name = _module_name(path)
        if not _under(name, modules):
            continue
        bad = sorted(m for m in _imports(path) if any(_under(m, f) for f in forbidden))
        if bad:
            offences[name] = bad
    return offences


def test_the_import_reader_sees_what_is_there() -> None:
    """The test below would pass vacuously if the reader missed imports."""
    assert "service.server.deps.ArchiveDep" in _imports(SERVICE / "api" / "routers" / "articles.py")
    assert "service.server.deps" in _imports(SERVICE / "web" / "pages.py")
    assert {"service.api.routers", "service.web"} <= _imports(SERVICE / "server" / "app.py")


def test_api_and_web_never_import_each_other() -> None:
    assert _offences("service.api", ("service.web",)) | _offences("service.web", ("service.api",)) == {}


def test_only_the_app_factory_composes_the_siblings() -> None:
    """``service.server.app`` imports every router: no module imports it back (uvicorn is given its
    name as a string), and the rest of the app layer, which the routers import, imports no router."""
    assert _offences("service", ("service.server.app",)) == {}
    below_app = {
        name: bad
        for name, bad in _offences("service.server", ("service.api", "service.web")).items()
        if name != "service.server.app"
    }
    assert below_app == {}


def test_the_core_knows_no_http_layer() -> None:
    """Store, index, search, ingest: none imports the HTTP layers."""
    core = {
        name: bad
        for name, bad in _offences("service", HTTP_LAYERS).items()
        if not any(_under(name, layer) for layer in HTTP_LAYERS) and name != "service.cli"
    }
    assert core == {}


def test_the_cli_takes_only_the_apis_json_contract() -> None:
    """The CLI is a front end beside ``api`` and ``web``: its ``--json`` output is the API's own schema
    (``service.api.schemas``), and nothing else of the HTTP layers (``arshif serve`` names the app
    factory to uvicorn as a string)."""
    bad = [
        m
        for m in _offences("service.cli", HTTP_LAYERS).get("service.cli", [])
        if not _under(m, "service.api.schemas")
    ]
    assert bad == []


def test_routes_and_pages_take_what_the_app_holds_from_the_typed_dependencies() -> None:
    """``app.state`` is filled by the app factory and read by the dependencies, nowhere else."""
    readers = sorted(
        str(path.relative_to(SERVICE.parent))
        for path in SERVICE.rglob("*.py")
        if "app.state" in path.read_text(encoding="utf-8")
    )
    assert readers == ["service/server/app.py", "service/server/deps.py"]
