"""Decoding turns CRLF and lone CR into LF, whether a text has a few CRs or many."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from peerlit_tui.importers.base import SourceFile


def _expected(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def test_every_short_mix_of_cr_and_lf() -> None:
    for size in range(1, 8):
        for chars in itertools.product("a\r\n", repeat=size):
            text = "".join(chars)
            source = SourceFile.from_bytes(Path("x.ris"), text.encode())
            assert source.text == _expected(text), repr(text)


@pytest.mark.parametrize(
    "text",
    [
        "TY  - JOUR\r\nTI  - A\rB\r\nER  - \r\n" * 3,  # a few CRs: cut at each
        "TI  - x\r\n" * 999 + "\r",  # the last CR the cutting handles
        "TI  - x\r\n" * 1000 + "\r\r\n",  # more CRs than that: whole-text replace
        "é\r\n" * 2000 + "\r",  # non-ASCII text, many CRs
        "ü\r" * 5,  # non-ASCII text, lone CRs only
    ],
)
def test_few_and_many_crs(text: str) -> None:
    source = SourceFile.from_bytes(Path("x.ris"), text.encode())
    assert source.text == _expected(text)
