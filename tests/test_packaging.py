"""A wheel ships what kg reads at run time: the ontologies and the bundled queries.

The real check is a non-editable install (``pip install .``) in a fresh venv; this is its
fast, offline stand-in.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory) -> set[str]:
    """The files a wheel of the project would hold under ``kg/``.

    setuptools' ``build_py`` step (what a wheel build runs to lay out the
    packages and their data) on a copy of the project; offline, and with no
    need for the ``wheel`` package.
    """
    pytest.importorskip("setuptools")
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    for folder in ("kg", "ontologies", "queries"):
        shutil.copytree(ROOT / folder, src / folder, ignore=shutil.ignore_patterns("__pycache__"))
    lib = tmp_path_factory.mktemp("lib")
    proc = subprocess.run([sys.executable, "-c", "from setuptools import setup; setup()",
                           "build_py", "--build-lib", str(lib)],
                          cwd=src, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        pytest.fail(f"build_py failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    return {p.relative_to(lib).as_posix() for p in lib.rglob("*") if p.is_file()}


def test_wheel_contains_ontologies_and_queries(wheel_names):
    for ttl in sorted((ROOT / "ontologies").glob("*.ttl")):
        assert f"kg/ontologies/{ttl.name}" in wheel_names
    rq = sorted((ROOT / "queries").glob("*.rq"))
    assert rq and all(f"kg/queries/{q.name}" in wheel_names for q in rq)
    assert "kg/py.typed" in wheel_names and "kg/components/__init__.py" in wheel_names


def test_lookups_prefer_the_package_copy_and_fall_back_to_the_source_tree():
    from kg.ontology import ONTOLOGY_DIR
    from kg.query import QUERIES_DIR

    here = Path(__import__("kg").__file__).resolve().parent
    for found, name, probe in ((ONTOLOGY_DIR, "ontologies", "kg.ttl"), (QUERIES_DIR, "queries", "produces.rq")):
        assert (found / probe).is_file()
        assert found in (here / name, here.parent / name)


def test_wheel_contains_the_trained_weights_and_every_extraction_module(wheel_names):
    for npz in ("relations.npz", "typing.npz"):
        assert f"kg/models/{npz}" in wheel_names
    for py in sorted((ROOT / "kg" / "extract").rglob("*.py")):
        assert py.relative_to(ROOT).as_posix() in wheel_names


def test_the_command_line_starts_without_loading_spacy():
    """`kg --help` and argument errors must be quick: spaCy is loaded only when a command needs it."""
    import subprocess
    import sys

    code = "import sys, kg.cli; kg.cli.build_parser(); print(sorted(m for m in ('spacy', 'thinc') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_wheel_contains_the_view_assets(wheel_names):
    assert {"kg/view_assets/view.js", "kg/view_assets/view.css"} <= wheel_names


def test_the_language_check_loads_stop_words_only():
    """Guessing a language reads spaCy's stop-word lists, not whole language packages (the French
    one compiles its tokenizer exceptions: seconds added to every build)."""
    import subprocess
    import sys

    code = ("import sys; from kg.language import guess_language; "
            "print(guess_language('Le Pérou et le Japon ont signé un accord sur le cuivre. ' * 5)[0], "
            "sorted(m for m in sys.modules if m.split('.')[:3][-1] in ('fr', 'es', 'de', 'pt', 'it', 'nl', 'id') "
            "and m.startswith('spacy.lang.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "fr []"
