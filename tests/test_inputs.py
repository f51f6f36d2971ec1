"""Inputs a user will try: URLs, RSS/Atom feeds, PDF and Word files, --offline, --lang.

URLs are served by a local HTTP server on 127.0.0.1 (a thread, port 0): an article page, a
redirect, an RSS and an Atom feed, a slow page and a trickling one, a 404, a redirect loop,
50 MB bodies (with and without a Content-Length), a PNG and a PDF. Nothing leaves the machine.
"""
from __future__ import annotations

import functools
import gzip
import io
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS

from kg.errors import InputError, ModelError
from kg.fetch import FetchError, FetchOptions, fetch
from kg.ingest import read_documents

PARAGRAPHS = [
    ("Peru and Japan signed an agreement on Tuesday to cooperate on the supply of critical minerals, "
     "including copper and zinc, officials in Lima said."),
    ("Peru is the second largest producer of copper in the world, and Japan imports most of the metal "
     "it uses in electric vehicle batteries and power lines."),
    ("The agreement sets out a ten-year roadmap for investment in exploration, smelting and training, "
     "according to a statement from the ministry of energy and mines."),
]


def _page(title: str, paragraphs: list[str]) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
            f"<script>var junk = 'SCRIPTJUNK';</script></head><body><nav>Home NAVJUNK</nav>"
            f"<article><h1>{title}</h1>{body}</article><footer>FOOTERJUNK</footer></body></html>").encode()


def _rss(base: str) -> bytes:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>Mining Daily</title><link>{base}/</link><description>News</description>
<item><title>Chile and lithium</title><link>{base}/story-1.html</link>
<pubDate>Sat, 03 Feb 2024 10:00:00 GMT</pubDate>
<description>&lt;p&gt;Chile produces lithium in the Atacama desert.&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;p&gt;China imports lithium from Chile.&lt;/p&gt;</description></item>
<item><title>Congo and cobalt</title><link>{base}/missing</link>
<pubDate>Sun, 04 Feb 2024 09:30:00 +0100</pubDate>
<content:encoded><![CDATA[<p>The Democratic Republic of the Congo produces <b>cobalt</b>.</p>]]></content:encoded>
<description>A short summary.</description></item>
</channel></rss>""".encode()


def _atom(base: str) -> bytes:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Minerals Wire</title><id>urn:x</id>
<link rel="self" href="{base}/feed.atom"/>
<updated>2024-02-05T00:00:00Z</updated>
<entry><title>Australia and nickel</title><link rel="alternate" href="/nickel.html"/><id>urn:1</id>
<published>2024-02-05T08:00:00Z</published>
<content type="html">&lt;p&gt;Australia produces nickel.&lt;/p&gt;&lt;p&gt;Indonesia exports nickel to China.&lt;/p&gt;</content></entry>
<entry><title>Plain summary</title><link href="{base}/plain.html"/><id>urn:2</id>
<updated>2024-02-06T08:00:00Z</updated><summary>Bolivia has large lithium reserves.</summary></entry>
</feed>""".encode()


BOMB = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "lollollollollollollollol">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
        b'<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">'
        b'<!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;"><!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">]>'
        b"<rss version='2.0'><channel><title>t</title><item><title>&g;</title>"
        b"<description>Peru produces copper.</description></item></channel></rss>")

BIG = 50_000_000
_CHUNK = b"x" * 65_536


def make_pdf(lines: list[str], *, title: str | None = None, password: str | None = None) -> bytes:
    """A real one-page PDF with the lines as text (Helvetica), written by pypdf."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(612, 792)
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica")})
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})})
    shown = b" ".join(b"(" + line.encode("latin-1") + b") Tj T*" for line in lines)
    content = DecodedStreamObject()
    content.set_data(b"BT /F1 12 Tf 14 TL 72 720 Td " + shown + b" ET")
    page[NameObject("/Contents")] = writer._add_object(content)
    if title:
        writer.add_metadata({"/Title": title})
    if password:
        writer.encrypt(password, algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_docx(paragraphs: list[str], *, title: str | None = None) -> bytes:
    """A real .docx written by python-docx."""
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if title is not None:
        document.core_properties.title = title
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@functools.lru_cache(maxsize=1)
def _gzip_bomb() -> bytes:
    """About 50 KB of gzip that unpacks to 50 MB."""
    return gzip.compress(b"<p>" + b" " * BIG, compresslevel=9)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:  # a client that hung up: expected here
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # a body without Content-Length ends when the connection closes

    def log_message(self, *args) -> None:  # quiet
        pass

    def _send(self, status: int, body: bytes, content_type: str = "text/html; charset=utf-8", **headers) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def _stream(self, announced: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        if announced:
            self.send_header("Content-Length", str(BIG))
        self.end_headers()
        sent = 0
        try:
            while sent < BIG:
                self.wfile.write(_CHUNK)
                sent += len(_CHUNK)
                self.server.sent[self.path] = sent
        except OSError:  # the client hung up: what we wanted
            pass

    def do_GET(self) -> None:  # http.server's name
        server = self.server
        server.requests.append(self.path)
        base = f"http://127.0.0.1:{server.server_address[1]}"
        path = self.path
        if path in ("/article.html", "/story-1.html", "/nickel.html"):
            self._send(200, _page(f"Page {path}", PARAGRAPHS if path == "/article.html" else
                                  [(f"{path} says that Chile is the largest producer of copper in the world, and "
                                    "that most of its copper goes to smelters in China and Japan every year.")] * 3))
        elif path == "/redirect":
            self._send(302, b"", Location="/article.html")
        elif path in ("/loop-a", "/loop-b"):
            self._send(302, b"", Location="/loop-b" if path == "/loop-a" else "/loop-a")
        elif path == "/feed.rss":
            self._send(200, _rss(base), "application/rss+xml")
        elif path == "/feed-as-html":
            self._send(200, _rss(base), "text/html")
        elif path == "/feed.atom":
            self._send(200, _atom(base), "application/atom+xml; charset=utf-8")
        elif path == "/bomb.rss":
            self._send(200, BOMB, "application/rss+xml")
        elif path == "/not-a-feed.xml":
            self._send(200, b"<?xml version='1.0'?><catalog><book/></catalog>", "application/xml")
        elif path == "/slow":
            time.sleep(3)
            self._send(200, _page("Slow", PARAGRAPHS))
        elif path == "/trickle":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            try:
                for _ in range(100):
                    self.wfile.write(b"<p>")
                    self.wfile.flush()
                    time.sleep(0.05)
            except OSError:
                pass
        elif path == "/big":
            self._stream(announced=True)
        elif path == "/big-unannounced":
            self._stream(announced=False)
        elif path == "/image.png":
            self._send(200, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "image/png")
        elif path == "/report.pdf":
            self._send(200, make_pdf(["Chile produces lithium.", "Peru produces copper."], title="Mining report"),
                       "application/pdf")
        elif path == "/notes.txt":
            self._send(200, b"---\ntitle: Notes\n---\nPeru produces silver.\n", "text/plain; charset=utf-8")
        elif path == "/gzip.html":
            self._send(200, gzip.compress(_page("Packed", PARAGRAPHS)), Content_Encoding="gzip")
        elif path == "/gzip-bomb.html":
            self._send(200, _gzip_bomb(), Content_Encoding="gzip")
        elif path == "/to-javascript":
            self._send(302, b"", Location="javascript:alert(1)")
        else:
            self._send(404, b"<html><body>Not Found</body></html>")


@pytest.fixture(scope="module")
def server():
    """A local HTTP server on 127.0.0.1: ``server.base`` is its URL, ``server.requests`` the paths asked."""
    with pytest.MonkeyPatch.context() as mp:
        for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
            mp.delenv(var, raising=False)
        _gzip_bomb()  # made before any request is timed
        httpd = _QuietServer(("127.0.0.1", 0), _Handler)
        httpd.requests = []
        httpd.sent = {}
        httpd.base = f"http://127.0.0.1:{httpd.server_address[1]}"
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        try:
            yield httpd
        finally:
            httpd.shutdown()
            httpd.server_close()


def _read(inputs, **options):
    warnings = []
    result = read_documents(inputs, on_warning=warnings.append, fetch=FetchOptions(**options))
    return result, [str(w) for w in warnings]


# --- URLs -----------------------------------------------------------------------------

def test_a_url_is_fetched_its_main_text_read_and_the_url_is_its_source(server):
    url = f"{server.base}/article.html"
    result, warnings = _read([url])
    (doc,) = result.documents
    assert warnings == []
    assert doc.name == url and doc.source == url and doc.title == "Page /article.html"
    assert "Peru and Japan signed an agreement" in doc.text and "JUNK" not in doc.text
    # a redirect is followed: the source is where the article is
    (moved,) = read_documents([f"{server.base}/redirect"]).documents
    assert moved.source == url


def test_a_url_is_the_source_iri_of_its_document_in_the_graph(server, nlp):
    from kg.api import build
    from kg.rdf import DOC

    url = f"{server.base}/article.html"
    g = build([url], nlp=nlp)
    (doc,) = g.result.documents
    assert (DOC[doc.id], DCTERMS.source, URIRef(url)) in g.graph
    assert g.summary()["facts"] >= 1


def test_each_url_failure_is_one_warning_naming_it_and_the_others_are_read(server, tmp_path):
    (tmp_path / "local.txt").write_text("Peru produces copper.")
    failing = {
        "/missing": "HTTP 404 Not Found",
        "/loop-a": "redirect loop",
        "/slow": "timed out after 0.5 s",
        "/trickle": "timed out after 0.5 s",
        "/big": "too large",
        "/image.png": "not a web page, a feed or a PDF (image/png)",
        "/to-javascript": "redirected to a javascript: URL",
        "/gzip-bomb.html": "too large once unpacked",
        "/not-a-feed.xml": "not an RSS or Atom feed (the root element is <catalog>)",
    }
    started = time.monotonic()
    result, warnings = _read([server.base + p for p in failing] + [tmp_path / "local.txt"],
                             timeout=0.5, max_bytes=1_000_000)
    assert time.monotonic() - started < 6
    assert [d.name for d in result.documents] == ["local.txt"]
    assert len(warnings) == len(failing) and result.skipped == len(failing)
    for (path, reason), warning in zip(failing.items(), warnings):
        assert warning.startswith(f"{server.base}{path}: ") and reason in warning, warning
        assert "\n" not in warning


def test_an_unresolvable_host_is_a_warning(monkeypatch):
    import socket

    def no_dns(*args, **kwargs):
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    result, warnings = _read(["https://no-such-host.invalid/news"])
    assert result.documents == [] and result.skipped == 1
    assert warnings == [("https://no-such-host.invalid/news: host not found (DNS lookup failed: check the address "
                         "and the network), skipped")]


@pytest.mark.parametrize("path", ["/big", "/big-unannounced"])
def test_a_50_mb_body_is_cut_off_without_being_read(server, path):
    started = time.monotonic()
    with pytest.raises(FetchError, match="too large"):
        fetch(server.base + path, FetchOptions(max_bytes=200_000))
    assert time.monotonic() - started < 5
    time.sleep(0.2)  # let the server notice that the client hung up
    assert server.sent.get(path, 0) < BIG // 2  # the rest of the 50 MB was never sent, let alone read


def test_a_compressed_page_is_unpacked(server):
    (doc,) = read_documents([f"{server.base}/gzip.html"]).documents
    assert "Peru and Japan signed an agreement" in doc.text


def test_redirects_are_bounded(server):
    with pytest.raises(FetchError, match="more than 0 redirects"):
        fetch(f"{server.base}/redirect", FetchOptions(max_redirects=0))
    assert fetch(f"{server.base}/redirect", FetchOptions(max_redirects=1)).url.endswith("/article.html")


def test_offline_refuses_urls_before_anything_is_read(server, tmp_path):
    before = list(server.requests)
    (tmp_path / "a.txt").write_text("Peru produces copper.")
    with pytest.raises(InputError, match=r"^http://127\.0\.0\.1:\d+/article\.html: a URL, and --offline refuses"):
        read_documents([tmp_path / "a.txt", f"{server.base}/article.html"], fetch=FetchOptions(offline=True))
    with pytest.raises(InputError, match="--follow-links .* --offline"):
        FetchOptions(offline=True, follow_links=True)
    assert server.requests == before


def test_another_scheme_is_named_not_mangled_into_a_path():
    from kg.api import build

    with pytest.raises(InputError, match=r"^ftp://example\.org/a\.txt: only http:// and https:// URLs are read"):
        build(["ftp://example.org/a.txt"])


def test_strict_makes_a_failed_url_an_error(server, tmp_path):
    from kg.api import StrictModeError, build

    (tmp_path / "a.txt").write_text("Peru produces copper.")
    with pytest.raises(StrictModeError):
        build([tmp_path / "a.txt", f"{server.base}/missing"], strict=True)


def test_a_pdf_and_a_text_file_by_url(server):
    result, warnings = _read([f"{server.base}/report.pdf", f"{server.base}/notes.txt"])
    assert warnings == []
    assert [(d.title, d.source, d.text) for d in result.documents] == [
        ("Mining report", f"{server.base}/report.pdf", "Chile produces lithium.\nPeru produces copper."),
        ("Notes", f"{server.base}/notes.txt", "Peru produces silver.\n"),
    ]


def test_cli_builds_a_url_and_warns_about_a_404(server, tmp_path, nlp, capsys):
    from kg.cli import main

    out = tmp_path / "out"
    code = main(["build", f"{server.base}/article.html", f"{server.base}/missing", "-o", str(out), "--timeout", "5"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert f"warning: {server.base}/missing: HTTP 404 Not Found, skipped" in err
    assert f"<{server.base}/article.html>" in (out / "graph.ttl").read_text(encoding="utf-8")
    assert main(["build", f"{server.base}/article.html", "-o", str(tmp_path / "o2"), "--offline"]) == 2
    assert "--offline refuses network input" in capsys.readouterr().err
    assert main(["build", f"{server.base}/article.html", "--max-size", "lots"]) == 2


# --- feeds ------------------------------------------------------------------------------

def test_an_rss_feed_url_gives_one_article_per_item_without_fetching_links(server):
    before = len(server.requests)
    url = f"{server.base}/feed.rss"
    result, warnings = _read([url])
    assert warnings == []
    assert [(d.name, d.title, d.source, d.date, d.publisher) for d in result.documents] == [
        (f"{url}#1", "Chile and lithium", f"{server.base}/story-1.html", "2024-02-03T10:00:00+00:00", "Mining Daily"),
        (f"{url}#2", "Congo and cobalt", f"{server.base}/missing", "2024-02-04T09:30:00+01:00", "Mining Daily"),
    ]
    first, second = result.documents
    assert first.text == "Chile produces lithium in the Atacama desert.\n\nChina imports lithium from Chile."
    assert second.text == "The Democratic Republic of the Congo produces cobalt."  # the full content wins
    assert server.requests[before:] == ["/feed.rss"]  # the items' links were not fetched
    # a feed served as text/html is still a feed
    assert len(read_documents([f"{server.base}/feed-as-html"]).documents) == 2


def test_follow_links_reads_the_linked_pages_within_the_same_limits(server):
    url = f"{server.base}/feed.rss"
    result, warnings = _read([url], follow_links=True, timeout=5)
    first, second = result.documents
    assert first.source == f"{server.base}/story-1.html" and "/story-1.html says that Chile" in first.text
    assert first.title == "Chile and lithium"
    # the second item's link is a 404: one warning, and the item's own text is kept
    assert second.text == "The Democratic Republic of the Congo produces cobalt."
    assert warnings == [f"{url}: item 2: {server.base}/missing: HTTP 404 Not Found; read the item's own text instead"]


def test_an_atom_feed_url_resolves_relative_links(server):
    url = f"{server.base}/feed.atom"
    result, warnings = _read([url])
    assert warnings == []
    assert [(d.title, d.source, d.date, d.text) for d in result.documents] == [
        ("Australia and nickel", f"{server.base}/nickel.html", "2024-02-05T08:00:00Z",
         "Australia produces nickel.\n\nIndonesia exports nickel to China."),
        ("Plain summary", f"{server.base}/plain.html", "2024-02-06T08:00:00Z", "Bolivia has large lithium reserves."),
    ]


def test_feed_files_in_a_folder(server, tmp_path):
    base = "https://news.example"
    (tmp_path / "a.rss").write_bytes(_rss(base))
    (tmp_path / "b.atom").write_bytes(_atom(base))
    (tmp_path / "c.xml").write_bytes(b"<!-- feed --><rss version='2.0'><channel><item><title>Zinc</title>"
                                     b"<description>Bolivia produces zinc.</description></item></channel></rss>")
    (tmp_path / "sitemap.xml").write_bytes(b"<?xml version='1.0'?><urlset><url/></urlset>")  # not a feed: passed over
    result, warnings = _read([tmp_path])
    assert warnings == []
    assert [d.name for d in result.documents] == ["a.rss#1", "a.rss#2", "b.atom#1", "b.atom#2", "c.xml#1"]
    assert result.documents[-1].text == "Bolivia produces zinc." and result.documents[-1].source is None
    assert result.documents[2].source == "https://news.example/nickel.html"
    # an .xml given by name that is not a feed is named in a warning
    _, warnings = _read([tmp_path / "sitemap.xml"])
    assert warnings == [f"{tmp_path / 'sitemap.xml'}: not an RSS or Atom feed (the root element is <urlset>), skipped"]


def test_an_entity_bomb_feed_is_refused_at_once(server, tmp_path):
    (tmp_path / "bomb.rss").write_bytes(BOMB)
    started = time.monotonic()
    result, warnings = _read([tmp_path / "bomb.rss", f"{server.base}/bomb.rss"])
    assert time.monotonic() - started < 3
    assert result.documents == [] and len(warnings) == 2
    assert all("the XML declares entities (refused" in w for w in warnings)


# --- PDF and Word -------------------------------------------------------------------------

def test_pdf_and_docx_files_are_read_as_articles(tmp_path):
    (tmp_path / "a.pdf").write_bytes(make_pdf(["Chile produces lithium.", "China imports lithium."], title="Lithium"))
    (tmp_path / "b.pdf").write_bytes(make_pdf(["Peru produces copper."]))
    (tmp_path / "c.docx").write_bytes(make_docx(["Cobalt in Congo", "The Congo produces cobalt."]))
    (tmp_path / "d.docx").write_bytes(make_docx(["Zambia produces copper."], title="Zambian copper"))
    result, warnings = _read([tmp_path])
    assert warnings == []
    assert [(d.name, d.title, d.text) for d in result.documents] == [
        ("a.pdf", "Lithium", "Chile produces lithium.\nChina imports lithium."),
        ("b.pdf", "Peru produces copper.", "Peru produces copper."),
        ("c.docx", "Cobalt in Congo", "Cobalt in Congo\n\nThe Congo produces cobalt."),
        ("d.docx", "Zambian copper", "Zambia produces copper."),
    ]
    assert all(d.path == str(tmp_path / d.name) for d in result.documents)


def test_encrypted_and_corrupt_pdf_and_docx_are_one_warning_each(tmp_path):
    (tmp_path / "locked.pdf").write_bytes(make_pdf(["Secret."], password="secret"))
    good = make_pdf(["Peru produces copper."])
    (tmp_path / "cut.pdf").write_bytes(good[: len(good) // 2])
    (tmp_path / "scan.pdf").write_bytes(make_pdf([]))
    (tmp_path / "cut.docx").write_bytes(make_docx(["Peru produces copper."])[:700])
    (tmp_path / "old.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    result, warnings = _read([tmp_path])
    assert result.documents == [] and result.skipped == 5
    by_name = {Path(w.split(": ", 1)[0]).name: w.split(": ", 1)[1] for w in warnings}
    assert by_name["locked.pdf"].startswith("an encrypted PDF (it needs a password)")
    assert by_name["cut.pdf"].startswith("cannot read the PDF (corrupt or truncated")
    assert by_name["scan.pdf"].startswith("the PDF has no text layer")
    assert by_name["cut.docx"].startswith("cannot read the Word document")
    assert by_name["old.docx"].startswith("an old-format or encrypted Word file")
    # an empty password only restricts copying: read
    (tmp_path / "open.pdf").write_bytes(make_pdf(["Peru produces copper."], password=""))
    assert [d.text for d in read_documents([tmp_path / "open.pdf"]).documents] == ["Peru produces copper."]


# --- sources that must never become links -----------------------------------------------

@pytest.mark.parametrize("source", ["javascript:alert(document.cookie)", "JavaScript:alert(1)",
                                    "vbscript:msgbox(1)", "data:text/html;base64,PHNjcmlwdD4="])
def test_script_and_data_sources_are_plain_literals(tmp_path, source):
    from kg.model import BuildResult
    from kg.rdf import DOC, to_rdf

    (tmp_path / "a.md").write_text(f"---\nsource: '{source}'\n---\nPeru produces copper.\n")
    (tmp_path / "b.jsonl").write_text(json.dumps({"text": "Chile produces lithium.", "url": source}) + "\n")
    docs = read_documents([tmp_path]).documents
    graph = to_rdf(BuildResult(documents=docs, entities={}, facts=[]))
    for doc in docs:
        assert list(graph.objects(DOC[doc.id], DCTERMS.source)) == [Literal(source)]
    assert not any(isinstance(o, URIRef) and str(o).lower().startswith(("javascript", "vbscript", "data"))
                   for o in graph.objects())


# --- --lang ----------------------------------------------------------------------------------

SPANISH = ("El Perú es uno de los mayores productores de cobre del mundo y también tiene grandes reservas de "
           "zinc y plata; la mayor parte de su producción se exporta a China, que la compra para sus fundiciones.")
ENGLISH = ("Peru is one of the largest producers of copper in the world, and it is also rich in zinc and silver; "
           "most of its output goes to China, which buys it for its smelters.")


@pytest.fixture(scope="module")
def spanish_model(tmp_path_factory) -> str:
    """A small Spanish spaCy pipeline with a (barely trained) parser, saved to a folder."""
    import spacy
    from spacy.training import Example

    nlp = spacy.blank("es")
    parser = nlp.add_pipe("parser")
    doc = nlp.make_doc("El Perú produce cobre.")
    example = Example.from_dict(doc, {"heads": [1, 2, 2, 2, 2], "deps": ["det", "nsubj", "ROOT", "obj", "punct"]})
    for label in ("det", "nsubj", "ROOT", "obj", "punct"):
        parser.add_label(label)
    nlp.initialize(lambda: [example])
    folder = tmp_path_factory.mktemp("es-model") / "es_test_model"
    nlp.to_disk(folder)
    return str(folder)


def test_lang_builds_another_language_with_its_model(tmp_path, spanish_model):
    from kg.api import build

    (tmp_path / "es.txt").write_text(SPANISH)
    (tmp_path / "en.txt").write_text(ENGLISH)
    warnings = []
    g = build([tmp_path], lang="es", model=spanish_model, on_warning=warnings.append)
    assert [d.name for d in g.result.documents] == ["es.txt"]
    assert warnings == ["en.txt: not Spanish (looks like en), skipped: this build reads Spanish (--lang es)"]
    # without --lang, the model's own language is expected
    assert [d.name for d in build([tmp_path], model=spanish_model).result.documents] == ["es.txt"]


def test_lang_without_a_model_for_it_names_the_model_to_install(tmp_path, nlp, capsys):
    from kg.api import build
    from kg.cli import main

    (tmp_path / "es.txt").write_text(SPANISH)
    with pytest.raises(ModelError, match="no spaCy model for language 'es' is installed.*es_core_news_sm"):
        build([tmp_path], lang="es")
    with pytest.raises(ModelError, match="reads 'en', not 'es'"):
        build([tmp_path], lang="es", nlp=nlp)
    assert main(["build", str(tmp_path), "--lang", "es", "-o", str(tmp_path / "out")]) == 2
    assert "es_core_news_sm" in capsys.readouterr().err
    assert main(["build", str(tmp_path), "--lang", "spanish!"]) == 2


def test_sizes_mean_the_same_in_every_option():
    """--max-size (a fetch) and --max-memory / KG_MAX_RDF_SIZE read "10MB" as the same number."""
    from kg import fetch, limits

    assert fetch.parse_size("10MB") == limits.parse_size("10MB") == 10 * 1024 ** 2
    assert fetch.DEFAULT_MAX_BYTES == limits.parse_size("10MB")
    with pytest.raises(ValueError, match="not a size"):
        fetch.parse_size("lots")
