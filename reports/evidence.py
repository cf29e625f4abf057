"""Evidence snippets: the sentence around a skill mention, with the matched words in <mark>.

The text is scraped and untrusted; this module is the one place that turns it into markup, so it
escapes every slice of the text itself and adds nothing but <mark> elements and ellipses.
"""

from __future__ import annotations

import re
from html import escape

from markupsafe import Markup

MAX_CHARS = 260
# A sentence ends at . ! ? followed by whitespace, or at a line break (postings are full of
# bullet lists, where each line is its own "sentence").
_END = re.compile(r"[.!?](?=\s)|\n")


def sentence_bounds(text: str, start: int, end: int, max_chars: int = MAX_CHARS) -> tuple[int, int]:
    """The [begin, finish) slice of the sentence holding text[start:end], at most ~max_chars."""
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    begin = 0
    for match in _END.finditer(text, 0, start):
        begin = match.end()
    following = _END.search(text, end)
    finish = following.end() if following else len(text)
    if text[finish - 1 : finish] == "\n":
        finish -= 1
    # A very long "sentence" (a wall of text without punctuation) is cut to a window centred on
    # the mention, so the highlighted words always stay visible.
    if finish - begin > max_chars:
        room = max(max_chars - (end - start), 0)
        begin = max(begin, start - room // 2)
        finish = min(finish, begin + max(max_chars, end - begin))
    while begin < start and text[begin].isspace():
        begin += 1
    while finish > end and text[finish - 1].isspace():
        finish -= 1
    return begin, finish


def highlight(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> Markup:
    """Escape text[start:end] and wrap each span (absolute offsets) inside it in <mark>."""
    start = max(0, start)
    end = min(len(text), end)
    inside = sorted(
        (max(s, start), min(e, end)) for s, e in spans if s < end and e > start and e > s
    )
    pieces: list[str] = []
    if start > 0:
        pieces.append("… ")
    cursor = start
    for s, e in inside:
        if s < cursor:  # overlapping spans: mark the rest only
            s = cursor
        if e <= s:
            continue
        pieces.append(escape(_clean(text[cursor:s])))
        pieces.append(f"<mark>{escape(_clean(text[s:e]))}</mark>")
        cursor = e
    pieces.append(escape(_clean(text[cursor:end])))
    if end < len(text):
        pieces.append(" …")
    return Markup("".join(pieces))


def snippet(text: str, start: int, end: int, spans: list[tuple[int, int]] | None = None) -> Markup:
    """The highlighted sentence around the mention at [start, end)."""
    begin, finish = sentence_bounds(text, start, end)
    return highlight(text, begin, finish, spans if spans else [(start, end)])


# C0 and C1 controls, DEL, and the bidi embeddings, overrides and isolates (U+202A-U+202E,
# U+2066-U+2069): an unclosed override in a title reverses the rest of the line it sits in. The
# left-to-right and right-to-left marks stay: each acts as one invisible letter, kept inside the
# <bdi> the template prints every field in, and names in right-to-left scripts can need them.
_SPACES_AND_CONTROLS = re.compile(r"[\s\x00-\x1f\x7f-\x9f]+")
_BIDI_FORMATTING = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


def plain_field(value: str | None) -> str | None:
    """A scraped one-line field (company, title, source, URL) fit to print as text: as a
    snippet's text is cleaned, and trimmed."""
    return None if value is None else _clean(value).strip()


def _clean(piece: str) -> str:
    # Runs of whitespace and controls become one space, so a snippet reads as one line; bidi
    # formatting goes, which would reverse the rest of the quoted paragraph or line.
    return _SPACES_AND_CONTROLS.sub(" ", _BIDI_FORMATTING.sub("", piece))
