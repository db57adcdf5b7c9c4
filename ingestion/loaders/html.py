"""HTML: visible text only (scripts, styles and markup dropped), block elements as line breaks."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from .base import LoadedDocument, read_text

_BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
           "table", "ul", "ol", "header", "footer", "blockquote", "pre", "td", "th"}
_SKIP = {"script", "style", "noscript", "template", "svg", "head"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title = ""
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs) -> None:  # noqa: ANN001
        if tag in _SKIP:
            self._skip += 1
        if tag == "title":
            self._in_title = True
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP and self._skip:
            self._skip -= 1
        if tag == "title":
            self._in_title = False
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._skip:
            self.parts.append(data)


def load(path: Path) -> LoadedDocument:
    parser = _Text()
    parser.feed(read_text(path))
    parser.close()
    text = "".join(parser.parts)
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    text = re.sub(r" ?\n[ \n]*", "\n", text).strip()
    title = parser.title.strip() or text.split("\n", 1)[0][:200]
    return LoadedDocument(uri=str(path), text=text, media_type="text/html", title=title)
