"""The reports as a person sees them: the JUnit rendered by junit2html, the Markdown by
Python-Markdown (GitLab-like) and by markdown-it-py with tables and strikethrough
(GitHub-flavoured), and the text a browser would show, line by line.

"The first screen" is defined here once: the first ``SCREEN_LINES`` lines of visible
text (about what a 1080 px high window shows of these pages; each block element — a
paragraph, heading, list item, table row, line of preformatted text — is a line, the
cells of a row share one).

``python -m tests.helpers.renders OUT`` renders the reports in ``OUT`` beside them
(``scripts/render-reports.sh`` runs the demo first).
"""

from __future__ import annotations

import html
import sys
from html.parser import HTMLParser
from pathlib import Path

SCREEN_LINES = 40
_BLOCKS = {
    "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol",
    "pre", "hr", "blockquote", "section", "summary", "details", "dt", "dd", "caption",
}  # fmt: skip
_HIDDEN = {"script", "style", "head", "title", "template"}


def junit_html(xml_path: Path) -> str:
    """The page junit2html makes of a JUnit file."""
    from junit2htmlreport.parser import Junit

    return str(Junit(str(xml_path)).html())


def markdown_html(text: str, flavour: str) -> str:
    """``python-markdown`` (tables extension) or ``gfm`` (markdown-it-py, CommonMark with
    GitHub's tables and strikethrough)."""
    if flavour == "python-markdown":
        import markdown

        return str(markdown.markdown(text, extensions=["tables"]))
    if flavour == "gfm":
        from markdown_it import MarkdownIt

        return str(MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(text))
    raise ValueError(f"unknown flavour {flavour!r}")


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        if tag == "pre":
            self.pre += 1
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        if tag == "pre":
            self.pre = max(0, self.pre - 1)
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        self.parts.append(data if self.pre else " ".join(data.split(" ")).replace("\n", " "))


def visible_lines(page: str) -> list[str]:
    """The text a browser shows, one block per line, blank lines dropped."""
    parser = _Visible()
    parser.feed(page)
    parser.close()
    text = html.unescape("".join(parser.parts))
    return [" ".join(line.split()) for line in text.split("\n") if line.strip()]


def first_screen(page: str) -> list[str]:
    return visible_lines(page)[:SCREEN_LINES]


def render_folder(folder: Path) -> list[Path]:
    """Render every report in ``folder`` beside it; return the pages written."""
    written = []
    for xml in sorted(folder.glob("*junit*.xml")):
        page = xml.with_suffix(".junit2html.html")
        page.write_text(junit_html(xml), encoding="utf-8")
        written.append(page)
    for md in sorted(folder.glob("*.md")):
        for flavour in ("python-markdown", "gfm"):
            page = md.with_suffix(f".{flavour}.html")
            page.write_text(markdown_html(md.read_text(encoding="utf-8"), flavour), "utf-8")
            written.append(page)
    return written


if __name__ == "__main__":
    for path in render_folder(Path(sys.argv[1] if len(sys.argv) > 1 else ".")):
        print(path)
