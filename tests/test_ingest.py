"""Tests of kg.ingest: files, folders, front matter, HTML, JSONL, encodings, problems."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.ingest import (
    IngestResult,
    IngestWarning,
    document_from_html,
    documents_from_jsonl,
    documents_from_strings,
    iter_documents,
    normalise_text,
    parse_front_matter,
    read_documents,
)
from kg.model import content_id

DEV_TEXTS = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev" / "texts"

HTML_PAGE = """<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8">
<title>Peru and Japan sign copper deal | Mining Daily</title>
<meta name="description" content="A deal on critical minerals">
<meta property="og:title" content="Peru and Japan sign copper deal">
<meta property="og:site_name" content="Mining Daily">
<meta property="og:url" content="https://news.example.com/peru-japan-copper">
<meta property="article:published_time" content="2024-02-03">
<script>var tracker = "SCRIPTJUNK"; function ads() { return "ADJUNK"; }</script>
<style>body { color: red; } .STYLEJUNK {}</style>
</head><body>
<nav><ul><li><a href="/">Home NAVJUNK</a></li><li><a href="/about">About us</a></li></ul></nav>
<article>
<h1>Peru and Japan sign copper deal</h1>
<p>Peru and Japan signed an agreement on Tuesday to cooperate on the supply of critical minerals,
including copper and zinc, officials in Lima said.</p>
<p>Peru is the second largest producer of copper in the world, and Japan imports most of the
metal it uses in electric vehicle batteries and power lines.</p>
<p>The agreement sets out a ten-year roadmap for investment in exploration, smelting and
training, according to a statement from the ministry of energy and mines.</p>
</article>
<footer>Copyright 2024 FOOTERJUNK. All rights reserved.</footer>
<script>document.write("LATESCRIPTJUNK");</script>
</body></html>
"""


def _write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_bytes(content.encode("utf-8"))
    return path


def _reasons(result: IngestResult) -> list[tuple[str, str]]:
    return [(Path(w.path).name, w.reason) for w in result.warnings]


# --- front matter ---------------------------------------------------------

def test_front_matter_messy_values_stay_strings():
    text = (
        "---\n"
        "title: Tenke Fungurume Mine\n"
        "source: https://wikimili.com/en/Tenke (mirror of https://en.wikipedia.org/wiki/Tenke)\n"
        "date: unknown (February 2024)\n"
        "publisher:   Wikipedia  \n"
        "license: \"CC BY-SA 4.0\"\n"
        "---\n"
        "\n"
        "Tenke Fungurume is a copper and cobalt mine.\n"
    )
    meta, body, offset = parse_front_matter(text)
    assert meta == {
        "title": "Tenke Fungurume Mine",
        "source": "https://wikimili.com/en/Tenke (mirror of https://en.wikipedia.org/wiki/Tenke)",
        "date": "unknown (February 2024)",
        "publisher": "Wikipedia",
        "license": "CC BY-SA 4.0",
    }
    assert body == "Tenke Fungurume is a copper and cobalt mine.\n"
    assert text[offset:] == body


def test_front_matter_non_string_values_become_strings():
    text = "---\nTitle: 2024\ndate: 2017-04-12\nyear: 2017\nflag: yes\nempty:\ntags: [a, b]\n---\nBody."
    meta, body, _ = parse_front_matter(text)
    assert meta == {"title": "2024", "date": "2017-04-12", "year": "2017", "flag": "true", "tags": "a, b"}
    assert all(isinstance(v, str) for v in meta.values())
    assert body == "Body."


def test_front_matter_malformed_yaml_warns_and_keeps_body():
    seen = []
    text = "---\ntitle: ok\nsource: [unclosed\n---\nThe body stays.\n"
    meta, body, offset = parse_front_matter(text, warn=lambda reason, line: seen.append((reason, line)))
    assert meta == {}
    assert body == "The body stays.\n"
    assert text[offset:] == body
    assert len(seen) == 1
    assert "malformed YAML front matter" in seen[0][0]
    assert seen[0][1] == 4  # the line of the closing '---', where YAML gave up


def test_front_matter_absent_or_unclosed_or_not_a_mapping():
    assert parse_front_matter("Plain text.\n---\n") == ({}, "Plain text.\n---\n", 0)
    seen = []
    text = "---\ntitle: never closed\nPeru produces copper.\n"
    assert parse_front_matter(text, warn=lambda r, l: seen.append(r)) == ({}, text, 0)
    assert seen and "no closing" in seen[0]
    seen.clear()
    meta, body, _ = parse_front_matter("---\n- a\n- b\n---\nText", warn=lambda r, l: seen.append(r))
    assert (meta, body) == ({}, "Text")
    assert seen and "not a YAML mapping" in seen[0]


def test_malformed_front_matter_file_is_read_with_a_warning(tmp_path):
    _write(tmp_path / "bad.md", "---\ntitle: [oops\n---\n# Heading\n\nPeru produces copper.\n")
    result = read_documents(tmp_path)
    assert [d.text for d in result.documents] == ["# Heading\n\nPeru produces copper.\n"]
    assert result.documents[0].title is None
    assert len(result.warnings) == 1 and result.warnings[0].line == 3
    assert "malformed YAML" in result.warnings[0].reason
    assert result.skipped == 0


def test_markdown_and_text_files_with_front_matter(tmp_path):
    md = _write(tmp_path / "note.md", "---\r\ntitle: \"Cobalt\"\r\nurl: https://example.org/cobalt\r\n"
                                      "date: 2024-02-03\r\n---\r\n\r\n## Cobalt\r\n\r\nCongo mines cobalt.\r\n")
    result = read_documents([md])
    (doc,) = result.documents
    assert doc.text == "## Cobalt\n\nCongo mines cobalt.\n"
    assert (doc.title, doc.source, doc.date) == ("Cobalt", "https://example.org/cobalt", "2024-02-03")
    assert doc.name == "note.md" and doc.path == str(md)
    assert doc.id == content_id(doc.text)
    assert result.warnings == []


def test_source_is_preferred_over_url(tmp_path):
    _write(tmp_path / "a.txt", "---\nurl: https://u\nsource: https://s\n---\nText.")
    assert read_documents(tmp_path).documents[0].source == "https://s"


@pytest.mark.skipif(not DEV_TEXTS.is_dir(), reason="shared/eval/dev/texts not beside the repository")
def test_real_dev_files(tmp_path):
    names = ["00-japan-peru-critical-minerals.txt", "05-tenke-fungurume-mine.txt", "13-chile-mining-trade-gov.txt"]
    for name in names:
        shutil.copy(DEV_TEXTS / name, tmp_path / name)
    result = read_documents([tmp_path])
    assert result.warnings == []
    docs = {d.name: d for d in result.documents}
    assert list(docs) == names
    plain = docs[names[0]]
    assert plain.title is None
    assert plain.text == (tmp_path / names[0]).read_text(encoding="utf-8")
    tenke = docs[names[1]]
    assert tenke.title == "Tenke Fungurume Mine"
    assert tenke.source == ("https://wikimili.com/en/Tenke_Fungurume_Mine "
                            "(mirror of https://en.wikipedia.org/wiki/Tenke_Fungurume_Mine)")
    assert tenke.license == "CC BY-SA 4.0 (Wikipedia)"
    chile = docs[names[2]]
    assert chile.date == "unknown (content refers to 2022 data and 2023 estimates)"
    for doc in (tenke, chile):
        raw = (tmp_path / doc.name).read_text(encoding="utf-8")
        assert raw.endswith(doc.text) and not doc.text.startswith(("---", "\n"))
        assert "publisher:" not in doc.text


# --- HTML -------------------------------------------------------------------

def test_html_main_text_and_metadata(tmp_path):
    page = _write(tmp_path / "site" / "peru.html", HTML_PAGE)
    result = read_documents([tmp_path / "site"])
    assert result.warnings == []
    (doc,) = result.documents
    assert "Peru is the second largest producer of copper in the world" in doc.text
    assert "ten-year roadmap" in doc.text
    for junk in ("SCRIPTJUNK", "ADJUNK", "STYLEJUNK", "NAVJUNK", "FOOTERJUNK", "LATESCRIPTJUNK", "<p>"):
        assert junk not in doc.text
    assert "\n\n" in doc.text  # paragraphs kept apart
    assert doc.title == "Peru and Japan sign copper deal"
    assert doc.publisher == "Mining Daily"
    assert doc.source == "https://news.example.com/peru-japan-copper"
    assert doc.date == "2024-02-03"
    assert (doc.name, doc.path) == ("peru.html", str(page))


def test_html_without_main_text_is_skipped(tmp_path):
    _write(tmp_path / "empty.htm", "<html><head><title>Nothing</title><script>x = 1;</script></head>"
                                   "<body><div></div><script>render();</script></body></html>")
    result = read_documents(tmp_path)
    assert result.documents == []
    assert _reasons(result) == [("empty.htm", "no main text found in the HTML, skipped")]
    assert result.skipped == 1


def test_document_from_html_accepts_a_string():
    doc = document_from_html(HTML_PAGE, "page")
    assert doc is not None and doc.name == "page" and doc.path is None
    assert "Lima" in doc.text


# --- JSONL ------------------------------------------------------------------

def test_jsonl_good_and_malformed_lines(tmp_path):
    lines = [
        json.dumps({"id": "a1", "text": "Peru produces copper.", "title": "Copper", "url": "https://x/1",
                    "date": "2024-01-02", "publisher": "Daily"}),   # 1 good
        "{not json",                                                # 2
        json.dumps(["a", "list"]),                                  # 3
        json.dumps({"title": "no text"}),                           # 4
        json.dumps({"text": "   "}),                                # 5
        json.dumps({"text": 42}),                                   # 6
        "",                                                         # 7 blank: ignored
        json.dumps({"text": "Chile produces lithium.", "source": "https://y", "date": 2024}),  # 8 good
        json.dumps({"id": 9, "text": "Peru produces copper."}),    # 9 duplicate of line 1
        "[" * 100_000,                                              # 10 nested too deeply
    ]
    path = _write(tmp_path / "news.jsonl", "\n".join(lines) + "\n")
    result = read_documents([path])
    assert [(d.name, d.text) for d in result.documents] == [
        ("news.jsonl#a1", "Peru produces copper."),
        ("news.jsonl#8", "Chile produces lithium."),
    ]
    first, second = result.documents
    assert (first.title, first.source, first.date, first.publisher) == ("Copper", "https://x/1", "2024-01-02", "Daily")
    assert (second.source, second.date) == ("https://y", "2024")
    assert all(d.path == str(path) for d in result.documents)
    problems = [(w.line, w.reason.split(" (")[0].split(",")[0]) for w in result.warnings if w.kind == "warning"]
    assert problems == [(2, "invalid JSON"), (3, "not a JSON object"), (4, '"text" missing'),
                        (5, '"text" empty'), (6, '"text" not a string'), (10, "invalid JSON")]
    duplicates = [w for w in result.warnings if w.kind == "duplicate"]
    assert [(w.line, w.reason) for w in duplicates] == [(9, "duplicate of news.jsonl#a1, skipped")]
    assert result.skipped == 7  # the six problems and the repeat: none of them is built
    assert str(result.warnings[0]) == f"{path}:2: {result.warnings[0].reason}"


def test_documents_from_jsonl_names_and_callback(tmp_path):
    path = _write(tmp_path / "sub" / "feed.jsonl", '{"text": "Zinc."}\r\n\r\n{"text": "Tin.", "id": ""}\r\n')
    seen = []
    result = documents_from_jsonl(path, name="feeds/feed.jsonl", on_warning=seen.append)
    assert [d.name for d in result.documents] == ["feeds/feed.jsonl#1", "feeds/feed.jsonl#3"]
    assert seen == [] and result.warnings == []
    with pytest.raises(InputError):
        documents_from_jsonl(tmp_path / "missing.jsonl")


def test_jsonl_name_in_folder_is_relative(tmp_path):
    _write(tmp_path / "in" / "deep" / "f.jsonl", '{"id": "x", "text": "Nickel."}\n')
    (doc,) = read_documents(tmp_path / "in").documents
    assert doc.name == "deep/f.jsonl#x"


# --- encodings and problem files ---------------------------------------------

def test_cp1252_file_is_decoded_with_a_warning(tmp_path):
    text = "Le café de São Paulo — “Peru’s copper” costs €5 million, says señor Núñez.\r\nSecond line.\r\n"
    _write(tmp_path / "win.txt", text.encode("cp1252"))
    result = read_documents(tmp_path)
    (doc,) = result.documents
    assert doc.text == text.replace("\r\n", "\n")
    assert _reasons(result) == [("win.txt", "not UTF-8; read as cp1252")]
    assert result.skipped == 0


def test_latin1_file_is_decoded(tmp_path):
    text = "Über die Förderung von Kupfer in Chile: Bergbau à la française, naïve Schätzungen, Größe.\n"
    _write(tmp_path / "latin.txt", text.encode("latin-1"))
    result = read_documents(tmp_path)
    assert [d.text for d in result.documents] == [text]
    assert len(result.warnings) == 1 and result.warnings[0].reason.startswith("not UTF-8; read as ")


def test_utf8_bom_is_dropped_without_warning(tmp_path):
    _write(tmp_path / "bom.txt", "\ufeff---\ntitle: BOM\n---\nText.".encode("utf-8"))
    result = read_documents(tmp_path)
    assert [(d.title, d.text) for d in result.documents] == [("BOM", "Text.")]
    assert result.warnings == []


def test_utf16_with_bom_is_read(tmp_path):
    _write(tmp_path / "wide.txt", "Peru produces copper.".encode("utf-16"))
    result = read_documents(tmp_path)
    assert [d.text for d in result.documents] == ["Peru produces copper."]
    assert result.warnings[0].reason.startswith("not UTF-8; read as utf_16")


def test_binary_file_is_skipped(tmp_path):
    _write(tmp_path / "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)))
    _write(tmp_path / "ok.txt", "Fine.")
    result = read_documents(tmp_path)
    assert [d.name for d in result.documents] == ["ok.txt"]
    assert _reasons(result) == [("image.txt", "binary file, skipped")]
    assert result.skipped == 1


def test_empty_and_whitespace_files_are_skipped(tmp_path):
    _write(tmp_path / "a.txt", b"")
    _write(tmp_path / "b.md", " \r\n\t\n")
    _write(tmp_path / "c.txt", "---\ntitle: Only metadata\n---\n\n")
    result = read_documents(tmp_path)
    assert result.documents == []
    assert [(n, r.split(" (")[0].split(",")[0]) for n, r in _reasons(result)] == [
        ("a.txt", "empty"), ("b.md", "empty"), ("c.txt", "empty")]
    assert result.skipped == 3


def test_oversized_file_is_skipped(tmp_path):
    _write(tmp_path / "big.txt", "x" * 101)
    _write(tmp_path / "fits.txt", "y" * 100)
    result = read_documents(tmp_path, max_bytes=100)
    assert [d.name for d in result.documents] == ["fits.txt"]
    assert len(result.warnings) == 1
    assert result.warnings[0].path.endswith("big.txt") and "too large" in result.warnings[0].reason
    assert result.skipped == 1


def test_broken_symlink_and_directory_named_like_a_file(tmp_path):
    root = tmp_path / "in"
    _write(root / "dir.txt" / "inner.txt", "Inside a folder called dir.txt.")
    (root / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    (root / "gone.csv").symlink_to(tmp_path / "nowhere.csv")  # unknown extension: ignored
    result = read_documents(root)
    assert [d.name for d in result.documents] == ["dir.txt/inner.txt"]
    assert _reasons(result) == [("gone.txt", "broken symlink, skipped")]
    assert result.skipped == 1
    # named explicitly, a broken symlink is there (not missing): a warning, not an error
    result = read_documents([root / "gone.txt"])
    assert _reasons(result) == [("gone.txt", "broken symlink, skipped")]


def test_directory_loop_is_reported_not_followed(tmp_path):
    root = tmp_path / "in"
    _write(root / "a" / "x.txt", "Loop test.")
    (root / "a" / "back").symlink_to(root, target_is_directory=True)
    result = read_documents(root)
    assert [d.name for d in result.documents] == ["a/x.txt"]
    assert [(Path(w.path).name, w.reason) for w in result.warnings] == [("back", "directory loop, skipped")]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_named_pipe_is_skipped_not_read(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")  # reading it would block forever
    result = read_documents(tmp_path)
    assert result.documents == []
    assert _reasons(result) == [("pipe.txt", "not a regular file, skipped")]
    assert result.skipped == 1


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file_is_skipped(tmp_path):
    path = _write(tmp_path / "secret.txt", "Hidden.")
    path.chmod(0)
    try:
        result = read_documents(tmp_path)
    finally:
        path.chmod(0o644)
    assert result.documents == []
    assert result.warnings[0].reason.startswith("cannot read")
    assert result.skipped == 1


# --- folders, order, names, duplicates -------------------------------------

def test_recursion_and_deterministic_order(tmp_path):
    root = tmp_path / "corpus"
    files = {
        "b.txt": "Text b.",
        "a/z.md": "Text a/z.",
        "a/b/c.txt": "Text a/b/c.",
        "a/a.htm_": "not read",
        "c/d.jsonl": '{"text": "Line one."}\n{"text": "Line two."}\n',
        "C.txt": "Upper C.",
        ".hidden/h.txt": "Hidden folder.",
        ".h.txt": "Hidden file.",
        "notes.csv": "ignored",
        "img.PNG": b"\x89PNG\x00\x00",
        "UPPER.TXT": "Upper extension.",
    }
    for name, content in files.items():
        _write(root / name, content)
    expected = ["C.txt", "UPPER.TXT", "a/b/c.txt", "a/z.md", "b.txt", "c/d.jsonl#1", "c/d.jsonl#2"]
    first = read_documents([root])
    assert [d.name for d in first.documents] == expected
    assert first.warnings == [] and first.skipped == 0
    assert first.documents[2].path == str(root / "a" / "b" / "c.txt")
    again = read_documents(str(root))
    assert [(d.id, d.name) for d in again.documents] == [(d.id, d.name) for d in first.documents]


def test_input_order_is_kept_and_single_files_use_their_name(tmp_path):
    one = _write(tmp_path / "x" / "one.txt", "One.")
    two = _write(tmp_path / "y" / "two.txt", "Two.")
    result = read_documents([two, tmp_path / "x"])
    assert [(d.name, d.path) for d in result.documents] == [("two.txt", str(two)), ("one.txt", str(one))]


def test_duplicates_are_kept_once_and_not_problems(tmp_path):
    _write(tmp_path / "a.txt", "Same text.\n")
    _write(tmp_path / "b.md", "---\ntitle: Copy\n---\nSame text.\n")
    _write(tmp_path / "c.txt", "Same text.\r\n")  # the same once line ends are normalised
    seen: list[IngestWarning] = []
    result = read_documents(tmp_path, on_warning=seen.append)
    assert [d.name for d in result.documents] == ["a.txt"]
    assert [(Path(w.path).name, w.reason, w.kind) for w in result.warnings] == [
        ("b.md", "duplicate of a.txt, skipped", "duplicate"),
        ("c.txt", "duplicate of a.txt, skipped", "duplicate"),
    ]
    assert result.skipped == 2 and result.problems == []  # skipped (counted), but not problems
    assert seen == result.warnings


def test_missing_path_raises_before_reading(tmp_path):
    _write(tmp_path / "ok.txt", "")
    seen = []
    with pytest.raises(InputError) as info:
        read_documents([tmp_path, tmp_path / "missing.txt"], on_warning=seen.append)
    assert str(info.value) == f"{tmp_path / 'missing.txt'}: no such file or directory"
    assert seen == []  # nothing was read (ok.txt would have warned)
    with pytest.raises(InputError):
        list(iter_documents(""))


def test_folder_without_articles_warns(tmp_path):
    _write(tmp_path / "data.csv", "a,b")
    result = read_documents(tmp_path)
    assert result.documents == []
    assert [w.reason for w in result.warnings] == ["no articles found (.txt, .md, .html, .jsonl, .pdf, .docx, .rss, .atom)"]
    assert result.warnings[0].kind == "warning"


def test_explicit_unknown_extension_is_read_as_text(tmp_path):
    notes = _write(tmp_path / "notes.log", "Bolivia holds lithium.")
    blob = _write(tmp_path / "blob.bin", b"\x00\x01\x02\x03garbage")
    result = read_documents([notes, blob])
    assert [(d.name, d.text) for d in result.documents] == [("notes.log", "Bolivia holds lithium.")]
    assert _reasons(result) == [("notes.log", "unknown extension '.log'; read as plain text"),
                                ("blob.bin", "binary file, skipped")]
    assert result.skipped == 1


def test_text_normalisation_keeps_offsets(tmp_path):
    raw = "  Line one.\r\nLine\ttwo.\rLine\x00 three\x07.\x0c\n\n"
    assert normalise_text(raw) == "  Line one.\nLine\ttwo.\nLine three.\n\n"
    # a NUL near the start of a file means binary; other control characters are dropped
    _write(tmp_path / "n.txt", raw.replace("\x00", "\x1b"))
    _write(tmp_path / "n.jsonl", json.dumps({"text": raw}) + "\n")
    docs = read_documents(tmp_path).documents
    assert [d.text for d in docs] == ["  Line one.\nLine\ttwo.\nLine three.\n\n"]
    assert [d.name for d in docs] == ["n.jsonl#1"]  # n.txt has the same text: a duplicate
    (doc,) = docs
    start = doc.text.index("Line\ttwo.")
    assert doc.text[start:start + 9] == "Line\ttwo."


def test_iter_documents_is_lazy(tmp_path):
    _write(tmp_path / "a.txt", "A.")
    _write(tmp_path / "b.txt", "B.")
    it = iter_documents(tmp_path)
    assert next(it).name == "a.txt"
    (tmp_path / "b.txt").write_text("B changed.")
    assert next(it).text == "B changed."


def test_warning_str_is_one_line():
    w = IngestWarning("dir/bad\nname.jsonl", "invalid JSON\r\n(Expecting value)", line=12)
    assert str(w) == "dir/bad name.jsonl:12: invalid JSON (Expecting value)"
    assert str(IngestWarning("a.txt", "empty, skipped")) == "a.txt: empty, skipped"


def test_documents_from_strings():
    seen = []
    docs = documents_from_strings(["Peru.\r\n", "  ", "Peru.\n", "Chile."], on_warning=seen.append)
    assert [(d.name, d.text) for d in docs] == [("text-1", "Peru.\n"), ("text-4", "Chile.")]
    assert [(w.path, w.kind) for w in seen] == [("text-2", "warning"), ("text-3", "duplicate")]


# --- review fixes -----------------------------------------------------------

def test_lone_surrogates_are_removed_and_pairs_joined(tmp_path):
    assert normalise_text("Chile\ud800 exports lithium.") == "Chile exports lithium."
    assert normalise_text("a\udc80\r\nb \ud83d\ude00") == "a\nb \U0001F600"
    # a JSON escape is the usual way in; the metadata is cleaned too
    _write(tmp_path / "news.jsonl", '{"text": "Chile\\ud800 exports lithium.", "title": "Li\\udfff"}\n'
                                    '{"text": "Smile \\ud83d\\ude00 Peru."}\n')
    docs = read_documents(tmp_path).documents
    assert [(d.text, d.title) for d in docs] == [("Chile exports lithium.", "Li"), ("Smile \U0001F600 Peru.", None)]
    for d in docs:
        d.text.encode("utf-8")  # encodable: the tokenizer and the writers will take it
    (doc,) = documents_from_strings(["Chile\ud800 exports lithium."])
    assert doc.text == "Chile exports lithium."


def test_front_matter_impossible_date_is_kept_as_text(tmp_path):
    seen = []
    text = "---\ntitle: Leap\ndate: 2024-02-30\nwhen: 2024-02-03 10:00:00\n---\nPeru produces copper.\n"
    meta, body, _ = parse_front_matter(text, warn=lambda r, l: seen.append(r))
    assert meta == {"title": "Leap", "date": "2024-02-30", "when": "2024-02-03 10:00:00"}
    assert body == "Peru produces copper.\n" and seen == []
    _write(tmp_path / "leap.md", text)
    (doc,) = read_documents(tmp_path).documents
    assert (doc.title, doc.date) == ("Leap", "2024-02-30")


@pytest.mark.parametrize("block, problem", [
    pytest.param("date: !!timestamp 2024-02-30", "day is out of range for month", id="impossible-timestamp"),
    pytest.param("n: !!float many", "could not convert", id="bad-float"),
    pytest.param("deep: " + "[" * 30_000, "nested too deeply", id="deep-nesting"),
])
def test_front_matter_values_yaml_cannot_build_warn(tmp_path, block, problem):
    _write(tmp_path / "odd.md", f"---\n{block}\n---\nPeru produces copper.\n")
    result = read_documents(tmp_path)
    assert [d.text for d in result.documents] == ["Peru produces copper.\n"]
    (w,) = result.warnings
    assert w.reason.startswith("malformed YAML front matter") and problem in w.reason
    assert result.skipped == 0


def test_excluded_output_folder_is_not_read(tmp_path):
    root = tmp_path / "self"
    _write(root / "a.txt", "Peru produces copper.")
    for out in (root / "out", root / "deeper" / "out"):
        _write(out / "report.md", "# Report\n\nPeru is central.\n")
        _write(out / "graph.html", "<html><body><p>Peru</p></body></html>")
        _write(out / "notes.txt", "Something else.")
    result = read_documents([root], exclude=[root / "out", tmp_path / "self" / "deeper" / ".." / "deeper" / "out"])
    assert [d.name for d in result.documents] == ["a.txt"] and result.warnings == []
    # without exclude everything is read
    assert len(read_documents([root]).documents) > 1
    # a missing excluded folder is no problem; iter_documents takes it too
    assert [d.name for d in iter_documents(root, exclude=[tmp_path / "nope", root / "out", root / "deeper"])] == ["a.txt"]


def test_input_that_is_the_output_folder_skips_only_kg_files(tmp_path):
    _write(tmp_path / "a.txt", "Peru produces copper.")
    _write(tmp_path / "report.md", "# Report\n\nPeru is central.\n")
    _write(tmp_path / "graph.html", "<html><body><p>Peru</p></body></html>")
    _write(tmp_path / "sub" / "report.md", "# A real article called report\n\nChile produces lithium.\n")
    result = read_documents(tmp_path, exclude=tmp_path)
    assert [d.name for d in result.documents] == ["a.txt", "sub/report.md"]


def test_broken_pdf_and_word_files_are_named_and_skipped_never_read_as_text(tmp_path):
    """A hand-written PDF is mostly ASCII: it must not become a 'sentence' of PDF operators."""
    from kg.ingest import read_documents

    pdf = b"%PDF-1.4\n1 0 obj << /Type /Page >> endobj\nBT /F1 12 Tf 72 720 Td (Chile produces lithium.) Tj ET\n%%EOF\n"
    (tmp_path / "a.pdf").write_bytes(pdf)
    (tmp_path / "b.docx").write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    (tmp_path / "c.txt").write_text("Peru produces copper.")
    (tmp_path / "d.odt").write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    warnings = []
    r = read_documents([tmp_path], on_warning=warnings.append)
    assert [d.name for d in r.documents] == ["c.txt"]
    text = " | ".join(str(w) for w in warnings)
    assert "a.pdf: cannot read the PDF" in text and "b.docx: cannot read the Word document" in text
    assert "d.odt: an OpenDocument text, not read" in text and r.skipped == 3
    direct = tmp_path / "renamed.txt"  # a PDF under another name is still not text
    direct.write_bytes(pdf)
    warnings.clear()
    assert read_documents([direct], on_warning=warnings.append).documents == []
    assert "cannot read the PDF" in str(warnings[0])


def test_a_subfolder_holding_an_earlier_build_is_passed_over_with_a_note(tmp_path):
    """Before, an old build's report.md (and a lead's manifest folder) was read as an article."""
    _write(tmp_path / "a.txt", "Peru produces copper.")
    _write(tmp_path / "old-build" / "graph.ttl", "@prefix kgo: <https://w3id.org/kg-minerals/ontology#> .\n")
    _write(tmp_path / "old-build" / "report.md", "# Report\n\nPeru is central.\n")
    _write(tmp_path / "old-build" / "notes.txt", "Chile produces lithium.")
    _write(tmp_path / "new-build" / "kg-manifest.json", '{"files": ["graph.ttl"]}')
    _write(tmp_path / "new-build" / "report.md", "# Report\n\nChile is central.\n")
    _write(tmp_path / "articles" / "report.md", "# A real article called report\n\nZambia produces copper.\n")
    result = read_documents(tmp_path)
    assert [d.name for d in result.documents] == ["a.txt", "articles/report.md"]
    assert [(Path(w.path).name, w.kind) for w in result.warnings] == [("new-build", "info"), ("old-build", "info")]
    assert "kg-manifest.json" in result.warnings[0].reason and "graph.ttl + report.md" in result.warnings[1].reason
    assert result.problems == [] and result.skipped == 0


def test_a_note_is_not_a_problem_for_strict_and_the_cli_prints_it_as_a_note(tmp_path, nlp, capsys):
    from kg.api import build
    from kg.cli import main

    _write(tmp_path / "in" / "a.txt", "Peru produces copper.")
    _write(tmp_path / "in" / "old" / "kg-manifest.json", "{}")
    _write(tmp_path / "in" / "old" / "report.md", "# Report\n\nPeru is central.\n")
    g = build([tmp_path / "in"], strict=True, nlp=nlp)
    assert [d.name for d in g.result.documents] == ["a.txt"]
    assert g.summary()["warnings"] == 0 and g.summary()["skipped"] == 0
    assert main(["build", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--strict", "-q"]) == 0
    err = capsys.readouterr().err
    assert f"note: {tmp_path / 'in' / 'old'}: holds the outputs of a kg build (kg-manifest.json)" in err
    assert "warning:" not in err


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_read_not_called_binary(tmp_path, encoding):
    text = "---\ntitle: Perú\n---\nPeru produces copper and Chile produces lithium.\n"
    _write(tmp_path / "wide.md", text.encode(encoding))
    result = read_documents(tmp_path)
    assert [(d.title, d.text) for d in result.documents] == [
        ("Perú", "Peru produces copper and Chile produces lithium.\n")]
    (w,) = result.warnings
    assert w.reason == f"not UTF-8; read as {encoding.replace('-', '_')} (no byte order mark)"
    # a binary file with NULs in no such pattern is still binary
    _write(tmp_path / "wide.md", bytes(range(256)) * 8)
    assert [w.reason for w in read_documents(tmp_path).warnings] == ["binary file, skipped"]


def test_an_input_folder_that_is_an_earlier_build_reads_its_articles_but_not_its_report(tmp_path):
    _write(tmp_path / "graph.ttl", "")
    _write(tmp_path / "report.md", "# Report\n\nPeru is central.\n")
    _write(tmp_path / "graph.html", "<html><body><p>Peru</p></body></html>")
    _write(tmp_path / "a.txt", "Peru produces copper.")
    result = read_documents(tmp_path)
    assert [d.name for d in result.documents] == ["a.txt"]
    assert [(w.kind, w.reason) for w in result.warnings] == [
        ("info", "holds the outputs of a kg build (graph.ttl + report.md): its report.md and graph.html are not "
                 "read as articles")]
