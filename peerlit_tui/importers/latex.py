r"""Turning the LaTeX inside BibTeX field values into plain Unicode text.

BibTeX exports write accents as macros (`M{\"u}ller`, `Verd{\'{u}}`), protect
capitals with braces (`{{DNA}} repair`) and escape specials (`\&`, `{\_}`).
pylatexenc reads all of that, but at about a millisecond per field (tens of
milliseconds for a long abstract with math) it would make a large bibliography
many times slower to import than to parse. So fields are decoded here with one
regular expression: accent macros, named letters (`\aa`, `\ss`), escaped specials,
text-style macros, math kept verbatim; other macros take their symbol from
pylatexenc's table (`\alpha` -> α) or are dropped, keeping their arguments as text,
which is what pylatexenc itself does. Only the rare leftovers (an accent on nothing
as in `\'{}`, a lone backslash) go through pylatexenc's full parser.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from typing import Any

# Accent macros and the combining character each one puts on its letter.
_ACCENTS = {
    "'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303",
    "=": "\u0304", ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b",
    "c": "\u0327", "k": "\u0328", "r": "\u030a", "d": "\u0323", "b": "\u0331",
}  # fmt: skip

# Stand-ins for characters that the later steps would otherwise act on: braces
# that were escaped (brace stripping) and backslashes that were spelled out.
_OPEN, _CLOSE, _BACKSLASH = "\ue000", "\ue001", "\ue002"

# Control words that stand for one character (or for nothing, like text styles
# whose argument stays as plain text once the braces are dropped).
_WORDS = {
    "aa": "å", "AA": "Å", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "o": "ø", "O": "Ø",
    "ss": "ß", "SS": "SS", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "dh": "ð", "DH": "Ð",
    "th": "þ", "TH": "Þ", "ng": "ŋ", "NG": "Ŋ", "dj": "đ", "DJ": "Đ",
    "textendash": "–", "textemdash": "—", "textquoteright": "’", "textquoteleft": "‘",
    "textquotedblleft": "“", "textquotedblright": "”", "textasciitilde": "~",
    "textasciicircum": "^", "textbackslash": _BACKSLASH, "textbar": "|", "textless": "<",
    "textbraceleft": _OPEN, "textbraceright": _CLOSE,
    "textgreater": ">", "textunderscore": "_", "textregistered": "®", "texttrademark": "™",
    "copyright": "©", "textcopyright": "©", "textdegree": "°", "textperiodcentered": "·",
    "S": "§", "P": "¶", "dag": "†", "ddag": "‡", "pounds": "£", "euro": "€", "ldots": "…",
    "dots": "…", "textellipsis": "…", "guillemotleft": "«", "guillemotright": "»",
    "quad": " ", "qquad": " ", "space": " ", "relax": "", "protect": "",
    "TeX": "TeX", "LaTeX": "LaTeX", "LaTeXe": "LaTeX2e", "BibTeX": "BibTeX",
    "textit": "", "textbf": "", "textsc": "", "textrm": "", "texttt": "", "textsf": "",
    "textsl": "", "textup": "", "textmd": "", "textnormal": "", "emph": "", "mbox": "",
    "hbox": "", "text": "", "url": "", "NoCaseChange": "", "MakeUppercase": "",
    "it": "", "bf": "", "sc": "", "rm": "", "tt": "", "sf": "", "sl": "", "em": "",
    "itshape": "", "bfseries": "", "scshape": "", "upshape": "", "normalfont": "",
}  # fmt: skip

# Escaped specials; escaped braces become stand-ins, turned back at the end.
_ESCAPES = {
    "&": "&", "%": "%", "$": "$", "#": "#", "_": "_", "{": _OPEN, "}": _CLOSE,
    " ": " ", ",": " ", ";": " ", ":": " ", "!": "", "-": "", "/": "", "@": "", "\\": " ",
}  # fmt: skip

_LETTER = r"(\\[ij](?![A-Za-z])|[A-Za-z])"
_TOKEN = re.compile(
    "|".join(
        (
            # An accent symbol on a letter: \'e, \'{e}, \' {\i}
            r"\\(['`^\"~=.])\s*(?:\{\s*LETTER\s*\}|LETTER)",
            # An accent named by a letter needs braces or a space: \c{c}, \v s
            r"\\([uvHckrdb])(?:\s*\{\s*LETTER\s*\}|\s+LETTER)",
            # A control word, with the spaces or empty group that end it: \ss{}, \L{}
            r"\\([A-Za-z]+)(\{\}|\s*)",
            # An escaped special character
            r"\\([&%$#_{} ,;:!\-/@\\])",
            # A tilde or caret on nothing is the character itself: \~{}, \^{}
            r"\\([~^])\{\}",
        )
    ).replace("LETTER", _LETTER)
)
# \href{url}{text} shows its text; \begin{x} and \end{x} show nothing.
_HREF = re.compile(r"\\href\s*\{[^{}]*\}")
_ENVIRONMENT = re.compile(r"\\(?:begin|end)\s*\{[^{}]*\}")
# Inline or display math, kept exactly as written (as pylatexenc's verbatim mode does).
_MATH = re.compile(r"(?<!\\)(\$\$?)(.+?)(?<!\\)\1", re.DOTALL)
_CONTROL_WORD = re.compile(r"\\[A-Za-z]+\s*")
_UNESCAPED_TILDE = re.compile(r"(?<!\\)~")
_UNESCAPED_PERCENT = re.compile(r"(?<!\\)%")
_DASHES_QUOTES = (("---", "—"), ("--", "–"), ("``", "“"), ("''", "”"))
_BRACES = str.maketrans({"{": None, "}": None, _OPEN: "{", _CLOSE: "}", _BACKSLASH: "\\"})


class _Unknown(Exception):
    """A construct the fast path does not handle; pylatexenc must decode the field."""


@cache
def _context() -> Any:
    from pylatexenc import latex2text

    context = latex2text.get_default_latex_context_db()
    # As in bibtexparser's LatexDecodingMiddleware: \url{x} shows as x, not <x>.
    context.add_context_category(
        "peerlit-bibtex",
        prepend=True,
        macros=[latex2text.MacroTextSpec("url", simplify_repl="%s")],
    )
    return context


@lru_cache(maxsize=1024)
def _other_word(name: str) -> str:
    if name.startswith("backslash"):
        # Mendeley writes the math "\rho" as "\backslashrho".
        return _BACKSLASH + name[len("backslash") :]
    # pylatexenc knows hundreds of symbols (\alpha, \geq, \textdegree). Any other
    # macro is dropped and its arguments stay as text, which is what pylatexenc
    # does with macros it does not know.
    spec = _context().get_macro_spec(name)
    replacement = getattr(spec, "simplify_repl", None)
    if isinstance(replacement, str) and "%" not in replacement:
        return replacement
    return ""


def _letter(raw: str) -> str:
    return raw[1] if raw.startswith("\\") else raw


def _replace(match: re.Match[str]) -> str:
    accent, braced, bare, named, nbraced, nbare, word, tail, escaped, bare_mark = match.groups()
    if accent:
        return _letter(braced or bare) + _ACCENTS[accent]
    if named:
        return _letter(nbraced or nbare) + _ACCENTS[named]
    if word:
        known = _WORDS.get(word)
        if known is not None:
            return known
        text = _other_word(word)
        # A macro shown as source text keeps the space that ended it.
        return text + " " if tail and text[:1] == _BACKSLASH and tail != "{}" else text
    return _ESCAPES[escaped] if escaped else bare_mark


def _decode_text(text: str) -> str:
    """Decode LaTeX that holds no math."""
    if "\\" in text:
        text = _UNESCAPED_TILDE.sub(" ", text)
        if "\\href" in text:
            text = _HREF.sub("", text)
        if "\\begin" in text or "\\end" in text:
            text = _ENVIRONMENT.sub("", text)
        text = _TOKEN.sub(_replace, text)
        if "\\" in text:
            # A backslash the pattern did not consume: \'{}, a lone "\".
            raise _Unknown(text)
        text = unicodedata.normalize("NFC", text)
    else:
        text = text.replace("~", " ")
    for old, new in _DASHES_QUOTES:
        if old in text:
            text = text.replace(old, new)
    return text.translate(_BRACES)


def _fast_decode(text: str) -> str:
    if "$" not in text or "$" not in text.replace("\\$", ""):
        return _decode_text(text)
    out = []
    end = 0
    for math in _MATH.finditer(text):
        out.append(_decode_text(text[end : math.start()]))
        out.append(math.group())
        end = math.end()
    out.append(_decode_text(text[end:]))
    return "".join(out)


def _slow_decode(text: str) -> str:
    from pylatexenc import latex2text

    decoder = latex2text.LatexNodes2Text(
        latex_context=_context(), keep_braced_groups=False, math_mode="verbatim"
    )
    # In a BibTeX value an unescaped % is a literal percent sign, not a comment
    # that would swallow the rest of the field.
    source = _UNESCAPED_PERCENT.sub(r"\\%", text)
    try:
        return str(decoder.latex_to_text(source))
    except Exception:  # pylatexenc gives up on some malformed input (and deep nesting)
        return _CONTROL_WORD.sub("", text).replace("{", "").replace("}", "")


def decode_latex(text: str) -> str:
    """Convert a BibTeX field value to plain text.

    Accent macros become accented letters, protection braces are dropped,
    escaped specials are unescaped, `--` becomes an en dash and `~` a space.
    Math (`$...$`) is kept as written.

    Args:
        text: The field value with its outer delimiters already removed.

    Returns:
        Plain text; whitespace is left for the import pipeline to tidy.
    """
    # Substring tests are several times faster than a regular expression over the
    # long, plain abstracts that make up most of a bibliography's text.
    if not (
        "\\" in text
        or "{" in text
        or "}" in text
        or "~" in text
        or "$" in text
        or "--" in text
        or "``" in text
        or "''" in text
    ):
        return text
    try:
        return _fast_decode(text)
    except _Unknown:
        return _slow_decode(text)


_URL_ESCAPE = re.compile(r"\\([_&%#$~{}])")


def decode_url(text: str) -> str:
    """Convert a URL, DOI or file field to plain text without reading it as prose.

    Only escapes and braces are undone: `--` and `~` keep their meaning in a URL,
    and `%` is part of percent-encoding, never a comment.

    Args:
        text: The field value with its outer delimiters already removed.

    Returns:
        The URL as plain text.
    """
    if "\\" not in text and "{" not in text:
        return text.strip()
    text = text.strip()
    if text.startswith("\\url{") and text.endswith("}"):
        text = text[5:-1]
    text = _URL_ESCAPE.sub(lambda m: {"{": _OPEN, "}": _CLOSE}.get(m.group(1), m.group(1)), text)
    return text.translate(_BRACES).strip()
