"""HTML to the plain text that skill extraction reads, keeping line structure for sections."""

from __future__ import annotations

import html
import re
import warnings

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning

_BLOCK_TAGS = ("p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "pre")
_MANY_BLANK_LINES = re.compile(r"\n{3,}")
_TRAILING_SPACE = re.compile(r"[ \t\u00a0]+\n")


def html_to_text(markup: str | None) -> str:
    """Visible text of an HTML fragment, with blocks on their own lines and list items as '- '."""
    if not markup:
        return ""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(markup, "html.parser")
    for tag in soup(["script", "style", "noscript", "template"]):
        tag.decompose()
    for tag in soup.find_all(_BLOCK_TAGS):
        tag.insert_before("\n")
        if tag.name != "li":  # consecutive items stay on consecutive lines
            tag.insert_after("\n")
    # After the block breaks, so the marker sits on the item's own line: "- PyTorch".
    for item in soup.find_all("li"):
        item.insert_before("- ")
    text = soup.get_text()
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _TRAILING_SPACE.sub("\n", text)
    text = _MANY_BLANK_LINES.sub("\n\n", text)
    return "\n".join(line.strip() for line in text.split("\n")).strip()


def unescaped_html_to_text(escaped_markup: str | None) -> str:
    """For sources (Greenhouse) that send HTML entity-escaped once: unescape, then strip tags."""
    return html_to_text(html.unescape(escaped_markup or ""))
