"""Text hygiene shared by every importer: control characters, escapes, whitespace, folding.

Imported text is untrusted. A title holding `ESC ] 52 ; c ; ...` would write the
reader's clipboard the moment a terminal printed it, and Rich/Textual strip only
a handful of C0 characters. So every string is cleaned once, on the way in:
terminal escape sequences are removed whole (payload included), C1 characters that
are really mis-decoded Windows-1252 punctuation are repaired, and every other
C0/C1 control and bidi override is dropped.
"""

from __future__ import annotations

import re
import unicodedata

# A whole 7-bit terminal escape sequence: CSI (ESC [ ... final byte), OSC / DCS / PM /
# APC / SOS strings up to their terminator (BEL or ESC \\, or the end of the text when
# unterminated, so a torn sequence cannot swallow what follows on screen), and any
# other ESC sequence. 8-bit introducers need no pattern: once C1 is repaired or
# dropped below, what followed them is plain text a terminal will not act on.
_ESCAPE_SEQUENCE = re.compile(
    r"""
    \x1b\[[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?        # CSI
    | \x1b[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)?        # OSC DCS SOS PM APC
    | \x1b[\x20-\x2f]*[\x30-\x7e]?                      # other ESC sequences
    """,
    re.VERBOSE,
)

# C1 code points that cp1252 maps to printable punctuation: text that arrives with
# U+0096 almost always meant an en dash that was decoded as Latin-1 upstream.
_C1_REPAIR = {
    cp: bytes([cp]).decode("cp1252")
    for cp in range(0x80, 0xA0)
    if cp not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}
_C1_TABLE = str.maketrans({chr(cp): ch for cp, ch in _C1_REPAIR.items()})

# What remains forbidden after repair: C0 except TAB/LF, DEL, C1, and the bidi
# embedding/override/isolate controls that can reorder text on screen.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_C1 = re.compile(r"[\x80-\x9f]")
# Lone UTF-16 surrogates (JSON "\ud800", file names decoded with surrogateescape) are
# not text: SQLite and every UTF-8 stream refuse them, so they become U+FFFD.
_SURROGATES = re.compile(r"[\ud800-\udfff]")
_NEEDS_WORK = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


#: The ASCII characters that are not printable: C0 controls (white space but the
#: plain space included) and DEL.
_ASCII_UNPRINTABLE = bytes(range(0x20)) + b"\x7f"


def is_printable(text: str) -> bool:
    """`str.isprintable`, several times faster on ASCII text.

    `isprintable` looks every character up in the Unicode database. An ASCII text
    is printable exactly when it holds no C0 control and no DEL, which deleting
    those bytes from its (copied, not encoded) ASCII bytes shows at C speed.

    Args:
        text: Any text.

    Returns:
        True when every character is printable (the plain space counts as printable).
    """
    if len(text) > 48 and text.isascii():  # short texts: `isprintable` is quicker
        data = text.encode("ascii")
        return len(data.translate(None, _ASCII_UNPRINTABLE)) == len(data)
    return text.isprintable()


def strip_controls(text: str) -> str:
    """Remove escape sequences and control characters, repairing cp1252 punctuation.

    Newlines and tabs are kept; CR and CRLF become LF.

    Args:
        text: Untrusted text.

    Returns:
        The text with nothing a terminal would interpret.
    """
    if not text:
        return ""
    # Fast paths: almost all imported text is clean, and one C-level scan proves it.
    # Printable text holds none of the characters below (all are Cc or Cf), and
    # `isprintable` scans several times faster than the character class.
    if is_printable(text) or not _NEEDS_WORK.search(text):
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x1b" in text:
        text = _ESCAPE_SEQUENCE.sub("", text)
    if _C1.search(text):
        text = text.translate(_C1_TABLE)
    if _SURROGATES.search(text):
        text = _SURROGATES.sub("\ufffd", text)
    return _CONTROLS.sub("", text)


# Output to a terminal or pipe: as `strip_controls`, but a CR is kept before LF
# (CSV exports end rows with CRLF) and, with `keep_cr`, everywhere (progress lines).
_OUTPUT_CONTROLS = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]|\r(?!\n)"
)
_OUTPUT_CONTROLS_KEEP_CR = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"
)


def terminal_safe(text: str, *, keep_cr: bool = False) -> str:
    """Make text safe to write to a terminal, whatever it holds.

    Escape sequences are removed whole, C1 punctuation repaired, other controls
    and bidi overrides dropped, lone surrogates replaced with U+FFFD. Newlines and
    tabs are kept, and so is CR before LF.

    Args:
        text: Output text, possibly read from files another program wrote.
        keep_cr: Keep every CR (a progress line redraws itself with one).

    Returns:
        The text with nothing a terminal would interpret.
    """
    if not text or not _NEEDS_WORK.search(text):
        return text
    if "\x1b" in text:
        text = _ESCAPE_SEQUENCE.sub("", text)
    if _C1.search(text):
        text = text.translate(_C1_TABLE)
    if _SURROGATES.search(text):
        text = _SURROGATES.sub("\ufffd", text)
    return (_OUTPUT_CONTROLS_KEEP_CR if keep_cr else _OUTPUT_CONTROLS).sub("", text)


def clean_line(text: str | None) -> str:
    """Clean a one-line field: controls removed, all whitespace runs become one space.

    Args:
        text: Untrusted text, possibly None.

    Returns:
        The cleaned single-line text.
    """
    if not text:
        return ""
    if _tidy(text):
        return text
    # str.split() splits on the same Unicode whitespace as \s and is several times faster.
    return " ".join(strip_controls(text).split())


def _tidy(text: str) -> bool:
    """True when cleaning would return `text` unchanged (checked without splitting it).

    Printable text holds no control and no white space but the plain space, so
    without doubled or edge spaces it is one clean line already.
    """
    return is_printable(text) and "  " not in text and text[0] != " " and text[-1] != " "


def clean_block(text: str | None) -> str:
    r"""Clean a multi-paragraph field, keeping paragraph breaks as one blank line.

    Single line breaks inside a paragraph (hard-wrapped exports) become spaces.

    Args:
        text: Untrusted text, possibly None.

    Returns:
        The cleaned text, paragraphs joined by "\n\n".
    """
    if not text:
        return ""
    if _tidy(text):
        return text
    text = strip_controls(text)
    paragraphs = _PARAGRAPH_BREAK.split(text)
    out = [" ".join(p.split()) for p in paragraphs]
    return "\n\n".join(p for p in out if p)


def clean_note(text: str | None) -> str:
    """Clean user-typed multi-line text (notes): controls removed, lines kept as typed.

    Args:
        text: Text typed by a user or read from stdin.

    Returns:
        The text with trailing spaces on each line and surrounding blank lines removed.
    """
    if not text:
        return ""
    lines = [line.rstrip() for line in strip_controls(text).split("\n")]
    return "\n".join(lines).strip("\n")


def _fold_run(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


# Runs of ASCII and of other characters: folding is exact run by run (a combining
# accent is never ASCII, and NFKD never composes), and ASCII runs only need lower().
_RUNS = re.compile(r"[\x00-\x7f]+|[^\x00-\x7f]+")


def fold(text: str) -> str:
    """Fold text for case- and accent-insensitive matching.

    Only the non-ASCII runs of a mostly-ASCII text go through Unicode
    decomposition, which makes folding long abstracts several times faster.

    Args:
        text: Any text.

    Returns:
        Lower-cased text with combining accents removed ("Çelik" -> "celik").
    """
    if text.isascii():
        return text.lower()
    return "".join(r.lower() if r.isascii() else _fold_run(r) for r in _RUNS.findall(text))


_NON_ALNUM = re.compile(r"[^0-9a-z]+")
#: The ASCII bytes `match_key` drops: all but digits and (lower-case) letters.
_ASCII_NON_ALNUM = bytes(b for b in range(128) if not chr(b).isdigit() and not chr(b).islower())


def match_key(text: str) -> str:
    """Reduce text to a comparison key: folded, punctuation and spaces removed.

    Used for record identity and duplicate detection, so that "Peer support: a
    review" and "Peer Support — A Review." compare equal.

    Args:
        text: A title, name or other short text.

    Returns:
        Lower-case ASCII letters and digits only.
    """
    if text.isascii():
        # Bytes are lower-cased and filtered at C speed, with no pattern to run.
        return text.encode("ascii").lower().translate(None, _ASCII_NON_ALNUM).decode("ascii")
    return _NON_ALNUM.sub("", fold(text))


def shorten(text: str, width: int) -> str:
    """Cut text at a word boundary to at most `width` characters, adding an ellipsis.

    Args:
        text: Text to shorten.
        width: Maximum length of the result, ellipsis included.

    Returns:
        The text itself when short enough, else a prefix ending in "…".
    """
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    if not text[width - 1].isspace():
        # The cut fell inside a word: drop the partial word.
        space = cut.rfind(" ")
        if space > width // 2:
            cut = cut[:space]
    return cut.rstrip(" ,;:-") + "…"
