"""The house rule of ``dashapp/``: sub-packages on layers, imports pointing down only, and no circle.

Read from the source as text (every ``import`` and ``from ... import``, at a module's top or inside a function), so
that an import hidden in a function cannot bring back the circle that one hid before (the README, "The code").
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "dashapp"

#: Each sub-package's layer, from the bottom. A module may import its own package and any lower layer; two
#: packages on one layer never import each other.
LAYERS = {
    "core": 0,
    "sources": 1, "artifacts": 1,
    "analysis": 2,
    "scoring": 3,
    "views": 4,
    "figures": 5, "results": 5,
    "web": 6,
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """The ``dashapp`` modules ``path`` imports, wherever in the file the import stands."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_bytes(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: a relative import; the house writes ``from dashapp.<package> import``"
            if node.module:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
    found = set()
    for name in names:
        # ``dashapp.core.domain.UNKNOWN`` is an attribute of dashapp.core.domain: keep the longest module prefix.
        while name and name not in modules:
            name = name.rpartition(".")[0]
        if name.startswith("dashapp."):
            found.add(name)
    return found


def _package(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(path, modules) - {name} for name, path in modules.items()}


def test_every_sub_package_has_a_layer():
    packages = {path.parent.name for path in PACKAGE.glob("*/__init__.py")}
    assert packages == set(LAYERS), "a new sub-package needs its layer here and in the README's code map"
    loose = sorted(path.name for path in PACKAGE.glob("*.py") if path.name != "__init__.py")
    assert not loose, f"modules outside the sub-packages: {loose}"


def test_imports_point_down_the_layers(graph):
    wrong = []
    for module, targets in graph.items():
        source = _package(module)
        for target in targets:
            into = _package(target)
            if source is None or into is None or into == source:
                continue
            if LAYERS[into] >= LAYERS[source]:
                wrong.append(f"{module} ({source}, layer {LAYERS[source]}) imports {target} "
                             f"({into}, layer {LAYERS[into]})")
    assert not wrong, "imports that point up or across the layers:\n" + "\n".join(sorted(wrong))


def test_no_module_imports_the_dash_pages_or_the_app_entry_point():
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_bytes())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(name == "app" or name.split(".")[0] == "pages" for name in names), path


def test_there_is_no_circle_of_imports(graph):
    # Depth-first search with three colours: a grey module met again closes a circle.
    colour: dict[str, str] = {}
    circles = []

    def visit(module: str, trail: list[str]) -> None:
        colour[module] = "grey"
        for target in sorted(graph.get(module, ())):
            if colour.get(target) == "grey":
                circles.append(" -> ".join(trail[trail.index(target):] + [target]))
            elif target not in colour:
                visit(target, trail + [target])
        colour[module] = "black"

    for module in sorted(graph):
        if module not in colour:
            visit(module, [module])
    assert not circles, "circles of imports:\n" + "\n".join(circles)


def test_the_build_never_reads_the_catalogues_wording(graph):
    """Rewording a segment or a product must never force a rebuild: no analysis module reaches the catalogue."""
    reached, pending = set(), [m for m in graph if _package(m) == "analysis"]
    while pending:
        module = pending.pop()
        if module not in reached:
            reached.add(module)
            pending.extend(graph[module])
    assert "dashapp.core.catalogue" not in reached
    assert not {m for m in reached if _package(m) in {"scoring", "views", "figures", "results", "web"}}


def test_the_layer_rule_sees_an_import_inside_a_function(tmp_path):
    """The check itself: an import hidden in a function, as the old circle's were, is found."""
    module = tmp_path / "hidden.py"
    module.write_text("def f():\n    from dashapp.web.app import create_app\n    return create_app\n")
    assert _imports(module, _modules()) == {"dashapp.web.app"}


def _imported_frameworks(code: str) -> list[str]:
    import subprocess
    import sys

    listing = "print(sorted(m for m in ('dash', 'dash_bootstrap_components', 'flask') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", f"import sys; {code}; {listing}"], cwd=PACKAGE.parent,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return ast.literal_eval(result.stdout.strip())


def test_below_the_web_layer_nothing_imports_dash_or_flask():
    """Every module under web/ runs without Dash and without Flask (the build, the scoring command, notebooks):
    all of them imported in one fresh interpreter, which then holds neither."""
    below = sorted(name for name in _modules() if _package(name) in LAYERS and LAYERS[_package(name)] < LAYERS["web"])
    assert len(below) > 50
    assert _imported_frameworks("import " + ", ".join(below)) == []


def test_the_api_needs_flask_but_not_dash():
    assert _imported_frameworks("import dashapp.web.api") == ["flask"]
