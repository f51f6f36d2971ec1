"""kg.rdfio and kg.atomic: every format round-trips; writes are atomic."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from kg import atomic, rdfio
from kg.errors import InputError, KGError, OutputError
from kg.rdf import example_result, to_rdf
from kg.rdfio import FILE_NAMES, FORMATS, check_roundtrip, read_graph, serialize, write_graph, write_graphs


@pytest.fixture(scope="module")
def graph() -> Graph:
    return to_rdf(example_result())


def test_formats_table():
    assert FORMATS == {"ttl": "turtle", "nt": "ntriples", "trig": "trig", "jsonld": "json-ld"}
    assert FILE_NAMES == {"ttl": "graph.ttl", "nt": "graph.nt", "trig": "graph.trig", "jsonld": "graph.jsonld"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_roundtrips(graph, fmt, tmp_path):
    assert check_roundtrip(graph, fmt)
    path = write_graph(graph, tmp_path / FILE_NAMES[fmt])
    ttl = read_graph(write_graph(graph, tmp_path / "graph.ttl"))
    assert isomorphic(read_graph(path), ttl)
    assert isomorphic(ttl, graph)


@pytest.mark.parametrize("fmt", FORMATS)
def test_serialization_is_deterministic(fmt):
    assert serialize(to_rdf(example_result()), fmt) == serialize(to_rdf(example_result()), fmt)


def test_trig_uses_the_default_graph(graph):
    quads = list(ox.parse(serialize(graph, "trig"), format=ox.RdfFormat.TRIG))
    assert quads and all(isinstance(q.graph_name, ox.DefaultGraph) for q in quads)


def test_jsonld_has_prefix_context(graph):
    text = serialize(graph, "jsonld").decode()
    assert '"ent": "https://w3id.org/kg-minerals/entity/"' in text
    assert '"ent:peru"' in text


def test_read_build_folder(graph, tmp_path):
    write_graphs(graph, tmp_path, FORMATS)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(FILE_NAMES.values())
    assert isomorphic(read_graph(tmp_path), graph)


def test_read_errors(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_graph(tmp_path / "missing.ttl")
    with pytest.raises(InputError, match="no graph.ttl"):
        read_graph(tmp_path)
    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix x: <http://e.org/> .\nx:a x:b "open .\n')
    with pytest.raises(InputError) as err:
        read_graph(bad)
    msg = str(err.value)
    assert msg.startswith(f"{bad}: line 2 column") and "\n" not in msg
    (tmp_path / "x.csv").write_text("a,b")
    with pytest.raises(InputError, match="extension"):
        read_graph(tmp_path / "x.csv")
    with pytest.raises(KGError, match="unknown RDF format"):
        serialize(Graph(), "xml")


def _no_temps(folder: Path) -> bool:
    return not [p for p in folder.rglob("*") if p.name.endswith(atomic.TEMP_SUFFIX)]


@pytest.mark.parametrize("step", ["fsync", "replace"])
def test_atomic_write_interrupted_keeps_old_file(tmp_path, monkeypatch, step):
    target = tmp_path / "graph.ttl"
    target.write_text("old")

    def boom(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, step, boom)
    with pytest.raises(KeyboardInterrupt):
        atomic.atomic_write(target, "new")
    assert target.read_text() == "old" and _no_temps(tmp_path)


def test_replace_outputs_prepares_all_before_renaming(tmp_path, monkeypatch):
    a, b = tmp_path / "graph.ttl", tmp_path / "graph.nt"
    a.write_text("old a")
    b.write_text("old b")
    real = atomic._write_temp
    calls = []

    def second_fails(path, data):
        calls.append(path)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(path, data)

    monkeypatch.setattr(atomic, "_write_temp", second_fails)
    with pytest.raises(OSError):
        atomic.replace_outputs({a: "new a", b: "new b"})
    assert a.read_text() == "old a" and b.read_text() == "old b" and _no_temps(tmp_path)


def test_write_graph_serializer_failure_keeps_old_file(graph, tmp_path, monkeypatch):
    target = write_graph(graph, tmp_path / "graph.ttl")
    before = target.read_bytes()

    def boom(*args, **kwargs):
        raise RuntimeError("serializer broke")

    monkeypatch.setattr(rdfio, "serialize", boom)
    with pytest.raises(RuntimeError):
        rdfio.write_graphs(graph, tmp_path, ("ttl", "nt"))
    assert target.read_bytes() == before and not (tmp_path / "graph.nt").exists() and _no_temps(tmp_path)


def test_output_folder_errors(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError) as err:
        atomic.atomic_write(blocker / "sub" / "graph.ttl", "x")
    assert "\n" not in str(err.value) and "cannot create the output folder" in str(err.value)
    if os.geteuid() != 0:  # root can write anywhere
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o500)
        try:
            with pytest.raises(OutputError, match="cannot write"):
                atomic.atomic_write(ro / "graph.ttl", "x")
        finally:
            ro.chmod(0o700)


def test_atomic_write_gives_ordinary_file_mode(tmp_path):
    import os
    import stat

    from kg.atomic import atomic_write

    target = tmp_path / "out.txt"
    atomic_write(target, "hello")
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~mask


def _entity_bomb(levels: int = 7, fan: int = 10) -> str:
    """RDF/XML whose DTD entities expand ``fan ** (levels - 1)`` times ("billion laughs")."""
    entities = ['<!ENTITY a0 "lol">'] + [f'<!ENTITY a{i} "{f"&a{i - 1};" * fan}">' for i in range(1, levels)]
    return ('<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n' + "\n".join(entities) + "\n]>\n"
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://e.org/">\n'
            f'<rdf:Description rdf:about="http://e.org/a"><ex:p>&a{levels - 1};</ex:p></rdf:Description>\n'
            "</rdf:RDF>\n")


def test_rdfxml_entity_bomb_is_refused_at_once(tmp_path):
    bomb = tmp_path / "bomb.rdf"
    bomb.write_text(_entity_bomb())
    assert bomb.stat().st_size < 1024
    start = time.monotonic()
    with pytest.raises(InputError) as err:
        read_graph(bomb)
    assert time.monotonic() - start < 0.5
    msg = str(err.value)
    assert msg.startswith(f"{bomb}: RDF/XML with a DTD") and "\n" not in msg and "Turtle" in msg
    with pytest.raises(InputError, match="DTD"):
        rdfio.parse_rdf(_entity_bomb(levels=2).replace("<!DOCTYPE", "<!doctype"), "rdf")
    plain = ('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://e.org/">'
             '<rdf:Description rdf:about="http://e.org/a"><ex:p>x</ex:p></rdf:Description></rdf:RDF>')
    (tmp_path / "plain.rdf").write_text(plain)
    assert len(read_graph(tmp_path / "plain.rdf")) == 1


@pytest.mark.parametrize("command", ["query", "validate", "analyze", "view"])
def test_every_command_refuses_the_bomb_in_one_line(tmp_path, capsys, command):
    import kg.analysis
    import kg.api
    import kg.validate
    import kg.view  # noqa: F401  (imported before the clock starts: only the refusal is timed)
    from kg.cli import build_parser, main

    build_parser()
    bomb = tmp_path / "bomb.rdf"
    bomb.write_text(_entity_bomb(levels=9))
    args = [command, str(bomb)] + (["ASK { ?s ?p ?o }"] if command == "query" else [])
    start = time.monotonic()
    assert main(args) == 2
    assert time.monotonic() - start < 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"kg: error: {bomb}: RDF/XML with a DTD")


def test_rdf_input_size_is_bounded(graph, tmp_path, monkeypatch, capsys):
    from kg.cli import main

    write_graphs(graph, tmp_path, ["ttl", "nt"])
    size = (tmp_path / "graph.ttl").stat().st_size
    with pytest.raises(InputError) as err:
        read_graph(tmp_path, max_bytes=size - 1)
    assert str(err.value).startswith(f"{tmp_path / 'graph.ttl'}: ") and "KG_MAX_RDF_SIZE" in str(err.value)
    assert isomorphic(read_graph(tmp_path, max_bytes=size), graph)
    with pytest.raises(InputError, match="is more than the 1K of RDF"):
        rdfio.parse_rdf(serialize(graph, "nt"), "nt", max_bytes=1024)
    monkeypatch.setenv("KG_MAX_RDF_SIZE", "1K")
    assert main(["query", str(tmp_path / "graph.nt"), "ASK { ?s ?p ?o }"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "graph.nt: " in err[0] and "1K" in err[0] and "KG_MAX_RDF_SIZE=" in err[0]
    monkeypatch.setenv("KG_MAX_RDF_SIZE", "lots")
    assert main(["validate", str(tmp_path)]) != 0
    assert "$KG_MAX_RDF_SIZE: 'lots' is not a size" in capsys.readouterr().err
    monkeypatch.setenv("KG_MAX_RDF_SIZE", "1G")
    assert main(["query", str(tmp_path / "graph.nt"), "ASK { ?s ?p ?o }"]) == 0


def test_only_regular_files_are_read(tmp_path):
    os.symlink("/dev/null", tmp_path / "null.nt")
    with pytest.raises(InputError, match="null.nt: not a regular file"):
        read_graph(tmp_path / "null.nt")
