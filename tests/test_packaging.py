"""A plain ``pip install .`` (a wheel, not the editable install ``make`` uses) ships the whole package: every
sub-package, the message catalogues and the product catalogue; and git keeps every sub-package whatever its name.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The project installed from its own wheel into a temporary folder (no dependencies: the venv has them)."""
    target = tmp_path_factory.mktemp("site")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--target", str(target), str(REPO)], check=True, cwd=target)
    return target


def _run_in(target: Path, code: str) -> str:
    """Run ``code`` with only the installed copy of dashapp importable (not the checkout)."""
    result = subprocess.run([sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(target)!r}); {code}"],
                            cwd=target, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_wheel_ships_every_module_of_the_checkout(installed):
    in_checkout = sorted(p.relative_to(REPO).as_posix() for p in (REPO / "dashapp").rglob("*.py"))
    shipped = sorted(p.relative_to(installed).as_posix() for p in (installed / "dashapp").rglob("*.py"))
    assert shipped == in_checkout


def test_every_module_imports_from_the_installed_copy(installed):
    code = ("import importlib, pkgutil, dashapp; "
            "assert dashapp.__file__.startswith(sys.path[0]), dashapp.__file__; "
            "names = [m.name for m in pkgutil.walk_packages(dashapp.__path__, 'dashapp.')]; "
            "[importlib.import_module(name) for name in names]; print(len(names) + 1)")  # + dashapp itself
    assert int(_run_in(installed, code)) == len(list((REPO / "dashapp").rglob("*.py")))


def test_the_catalogues_ship_and_are_read_from_the_installed_copy(installed):
    code = ("from dashapp.core import i18n, catalogue, settings; "
            "assert i18n.LOCALE_DIR.is_relative_to(sys.path[0]); "
            "assert settings.get_settings().product_catalogue.is_relative_to(sys.path[0]); "
            "print(sorted(catalogue.read_product_catalogue())); "
            "print(i18n.LOCALE_DIR.joinpath('ru', 'LC_MESSAGES', 'messages.po').is_file())")
    kinds, russian = _run_in(installed, code).splitlines()
    assert kinds.startswith("[") and kinds != "[]"
    assert russian == "True"


def test_git_ignores_the_top_level_outputs_only():
    """``data/``, ``model/``, ``build/`` and ``export/`` are ignored at the top only: a sub-package of that name
    would otherwise never be committed."""
    def ignored(path: str) -> bool:
        return subprocess.run(["git", "check-ignore", "--quiet", "--no-index", path], cwd=REPO).returncode == 0

    for output in ("data/raw/x.csv", "model/manifest.json", "build/lib/x.py", "export/segments.sqlite"):
        assert ignored(output), output
    for source in ("dashapp/data/x.py", "dashapp/model/x.py", "dashapp/build/x.py", "dashapp/export/x.py"):
        assert not ignored(source), source
