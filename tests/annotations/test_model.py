from __future__ import annotations

import pytest

from peerlit_tui.annotation import (
    Annotation,
    tag_key,
    validate_decision,
    validate_note,
    validate_rating,
    validate_read_status,
    validate_reason,
    validate_record_id,
    validate_tag,
)
from peerlit_tui.storage.annotation_index import fast_annotation


def test_blank_annotation_defaults() -> None:
    ann = Annotation("10.1108/x")
    assert ann.is_blank()
    assert ann.to_json() == {
        "record_id": "10.1108/x",
        "tags": [],
        "note": "",
        "rating": 0,
        "read": "unread",
        "decision": "undecided",
        "reason": "",
        "created": "",
        "updated": "",
    }


@pytest.mark.parametrize(
    "change", [{"tags": ("a",)}, {"note": "n"}, {"rating": 1}, {"read": "read"},
               {"decision": "maybe"}, {"reason": "r"}],
)  # fmt: skip
def test_any_field_makes_it_non_blank(change: dict[str, object]) -> None:
    assert not Annotation("x", **change).is_blank()  # type: ignore[arg-type]


def test_round_trip_and_immutability() -> None:
    ann = Annotation("3f9a2c1b7e0d", ("Peer", "qual"), "line 1\nline 2", 4, "skimmed",
                     "exclude", "wrong population", "t1", "t2")  # fmt: skip
    assert Annotation.from_json(ann.to_json()) == ann
    with pytest.raises(AttributeError):
        ann.note = "changed"  # type: ignore[misc]


def test_fast_constructor_equals_normal_one() -> None:
    values = ("x", ("a",), "n", 2, "read", "include", "", "c", "u")
    assert fast_annotation(*values) == Annotation(*values)


def test_has_tag_is_case_and_accent_insensitive() -> None:
    ann = Annotation("x", tags=("Peer Support", "Müller"))
    assert ann.has_tag("peer  support")
    assert ann.has_tag("MULLER")
    assert not ann.has_tag("peer")
    assert tag_key("  Peer\tSupport ") == "peer support"


def test_validate_rating() -> None:
    assert validate_rating(0) == 0
    assert validate_rating("5") == 5
    for bad in (6, -1, 2.5, True, "three", None):
        with pytest.raises(ValueError, match="rating"):
            validate_rating(bad)


def test_validate_enums_normalise_case() -> None:
    assert validate_read_status(" Skimmed ") == "skimmed"
    assert validate_decision("INCLUDE") == "include"
    with pytest.raises(ValueError, match="unread, skimmed, read"):
        validate_read_status("done")
    with pytest.raises(ValueError, match="undecided, include, exclude, maybe"):
        validate_decision("yes")


def test_validate_tag_note_reason_and_id() -> None:
    assert validate_tag(" peer \x1b[31m support\n") == "peer support"
    with pytest.raises(ValueError, match="empty"):
        validate_tag("   ")
    with pytest.raises(ValueError, match="at most 80"):
        validate_tag("x" * 81)
    assert validate_note("first  \r\nsecond\x07") == "first\nsecond"
    with pytest.raises(ValueError, match="note must be text"):
        validate_note(3)
    assert validate_reason(" wrong  population ") == "wrong population"
    with pytest.raises(ValueError, match="cannot be empty"):
        validate_reason("")
    assert validate_record_id("10.1108/x") == "10.1108/x"
    for bad in ("", " x", "a\nb", 5, "x" * 301):
        with pytest.raises(ValueError, match="record id"):
            validate_record_id(bad)


def test_from_json_rejects_bad_values() -> None:
    with pytest.raises(ValueError, match="rating"):
        Annotation.from_json({"record_id": "x", "rating": 9})
    with pytest.raises(ValueError, match="record id"):
        Annotation.from_json({"tags": ["a"]})
