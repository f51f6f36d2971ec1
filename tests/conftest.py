"""Shared fixtures: the spaCy pipeline and the seed build are made once per test session."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "japan-peru-critical-minerals.txt"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def nlp():
    """The spaCy pipeline with kg's components (loaded once; ``load_pipeline`` caches it)."""
    from kg.pipeline import load_pipeline

    return load_pipeline()


@pytest.fixture(scope="session")
def seed_graph(nlp):
    """The :class:`kg.api.KnowledgeGraph` of the seed article, built once."""
    from kg.api import build

    return build([SEED])


@pytest.fixture(scope="session")
def seed_dir(seed_graph, tmp_path_factory) -> Path:
    """A build folder of the seed article (graph.ttl, graph.html, report.md); treat as read-only."""
    out = tmp_path_factory.mktemp("seed-build")
    seed_graph.save(out)
    return out
