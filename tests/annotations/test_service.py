from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from peerlit_tui.services.annotations import AnnotationService, ReadOnlyStoreError
from tests.annotations.helpers import journal_lines, open_service


@pytest.fixture
def svc(tmp_path: Path) -> Iterator[AnnotationService]:
    service = open_service(tmp_path)
    yield service
    service.close()


def test_get_returns_blank_annotation_for_unknown_id(svc: AnnotationService) -> None:
    ann = svc.get("10.1108/none")
    assert ann.record_id == "10.1108/none" and ann.is_blank()
    assert svc.to_json("10.1108/none")["decision"] == "undecided"


def test_add_and_remove_tags(svc: AnnotationService) -> None:
    txn = svc.add_tags("a", ["Peer Support", "qualitative", "peer support"])
    assert txn is not None and txn.record_ids == ("a",)
    assert svc.get("a").tags == ("Peer Support", "qualitative")
    assert svc.add_tags("a", "PEER SUPPORT") is None  # already there, any spelling
    svc.remove_tags("a", "peer SUPPORT")
    assert svc.get("a").tags == ("qualitative",)
    assert svc.remove_tags("a", "absent") is None
    assert svc.ids_with_tag("Qualitative") == {"a"}


def test_new_tag_adopts_library_spelling(svc: AnnotationService) -> None:
    svc.add_tags("a", "Peer Support")
    svc.add_tags("b", "peer support")
    assert svc.get("b").tags == ("Peer Support",)
    assert svc.tag_counts() == [("Peer Support", 2)]


def test_tag_validation(svc: AnnotationService) -> None:
    with pytest.raises(ValueError, match="empty"):
        svc.add_tags("a", " ")
    with pytest.raises(ValueError, match="no tags"):
        svc.add_tags("a", [])
    with pytest.raises(ValueError, match="no record ids"):
        svc.add_tags([], "x")
    with pytest.raises(ValueError, match="record id"):
        svc.add_tags(["ok", ""], "x")
    assert len(svc) == 0


def test_note_rating_read(svc: AnnotationService) -> None:
    svc.set_note("a", "first line\nsecond line  ")
    svc.set_rating("a", 4)
    svc.set_read("a", "Skimmed")
    ann = svc.get("a")
    assert (ann.note, ann.rating, ann.read) == ("first line\nsecond line", 4, "skimmed")
    assert ann.created and ann.updated >= ann.created
    svc.set_note("a", "")
    assert svc.get("a").note == ""
    with pytest.raises(ValueError, match="0 to 5"):
        svc.set_rating("a", 6)
    with pytest.raises(ValueError, match="read status"):
        svc.set_read("a", "finished")


def test_decisions_and_reasons(svc: AnnotationService) -> None:
    svc.add_reason("Wrong population")
    assert svc.add_reason("wrong POPULATION") is None
    svc.set_decision(["a", "b"], "exclude", "wrong population")
    assert svc.get("a").reason == "Wrong population"  # the list's spelling
    with pytest.raises(ValueError, match="unknown exclusion reason 'not a study'"):
        svc.set_decision("a", "exclude", "not a study")
    with pytest.raises(ValueError, match="only goes with the decision 'exclude'"):
        svc.set_decision("a", "include", "Wrong population")
    with pytest.raises(ValueError, match="unknown decision"):
        svc.set_decision("a", "accept")
    svc.set_decision("a", "exclude")  # reason kept when none given
    assert svc.get("a").reason == "Wrong population"
    svc.set_decision("a", "maybe")  # other decisions clear it
    assert (svc.get("a").decision, svc.get("a").reason) == ("maybe", "")
    svc.set_decision("b", "exclude", "not a study", add_reason=True)
    assert svc.reasons() == ["Wrong population", "not a study"]
    assert svc.get("b").reason == "not a study"
    svc.undo()  # the reason and the decision were one step
    assert svc.reasons() == ["Wrong population"]
    assert svc.get("b").reason == "Wrong population"
    svc.remove_reason("WRONG population")
    assert svc.reasons() == []
    assert svc.get("b").reason == "Wrong population"  # records keep their text
    with pytest.raises(ValueError, match="not in the list"):
        svc.remove_reason("Wrong population")


def test_rename_tag_everywhere(svc: AnnotationService) -> None:
    svc.add_tags(["a", "b"], "peer")
    svc.add_tags("c", ["other", "peer"])
    txn = svc.rename_tag("PEER", "Peer work")
    assert txn is not None and set(txn.record_ids) == {"a", "b", "c"}
    assert svc.get("c").tags == ("other", "Peer work")
    assert svc.tag_counts() == [("other", 1), ("Peer work", 3)]
    svc.rename_tag("peer work", "PEER WORK")  # respelling only
    assert svc.get("a").tags == ("PEER WORK",)
    with pytest.raises(ValueError, match="no record has the tag 'nothing'"):
        svc.rename_tag("nothing", "x")


def test_rename_onto_existing_tag_merges(svc: AnnotationService) -> None:
    svc.add_tags("a", ["x", "y"])
    svc.rename_tag("x", "Y")
    assert svc.get("a").tags == ("Y",)


def test_merge_and_delete_tags(svc: AnnotationService) -> None:
    svc.add_tags("a", ["qual", "Qualitative"])
    svc.add_tags("b", "qual")
    svc.add_tags("c", "Qualitative")
    svc.merge_tags("QUAL", "qualitative")
    assert svc.get("a").tags == ("Qualitative",)
    assert svc.get("b").tags == ("Qualitative",)
    assert svc.tag_counts() == [("Qualitative", 3)]
    with pytest.raises(ValueError, match="same tag"):
        svc.merge_tags("qualitative", "QUALITATIVE")
    svc.add_tags("a", "z")
    with pytest.raises(ValueError, match="use rename"):
        svc.merge_tags("z", "missing")
    svc.delete_tag("qualitative")
    assert svc.tag_counts() == [("z", 1)]
    assert svc.get("b").is_blank()
    with pytest.raises(ValueError, match="no record has the tag"):
        svc.delete_tag("qualitative")


def test_bulk_operation_is_one_transaction_and_one_undo_step(
    svc: AnnotationService, tmp_path: Path
) -> None:
    ids = [f"r{i}" for i in range(50)]
    before = len(journal_lines(tmp_path))
    svc.add_tags(ids, ["screened"])
    svc.set_decision(ids, "include")
    assert len(journal_lines(tmp_path)) == before + 2
    assert journal_lines(tmp_path)[-1]["changes"][0]["id"] == "r0"
    svc.undo()
    assert all(svc.get(i).decision == "undecided" for i in ids)
    assert all(svc.get(i).tags == ("screened",) for i in ids)
    svc.undo()
    assert len(svc) == 0
    svc.redo()
    assert len(svc.ids_with_tag("screened")) == 50


def test_undo_redo_sequence(svc: AnnotationService) -> None:
    for rating in (1, 2, 3):
        svc.set_rating("a", rating)
    assert svc.undo_label() == "rate a 3"
    svc.undo()
    svc.undo()
    assert svc.get("a").rating == 1
    assert svc.redo_label() == "rate a 2"
    svc.redo()
    assert svc.get("a").rating == 2
    svc.set_note("a", "new edit clears redo")
    assert svc.redo() is None and svc.redo_label() is None
    svc.undo()
    svc.undo()
    svc.undo()
    assert svc.get("a").is_blank()
    assert svc.undo() is None and svc.undo_label() is None


def test_undo_and_redo_survive_restart(tmp_path: Path) -> None:
    with open_service(tmp_path) as svc:
        svc.add_tags("a", "one")
        svc.add_tags("a", "two")
        svc.undo()
    with open_service(tmp_path) as svc:
        assert svc.get("a").tags == ("one",)
        assert svc.redo() is not None
        assert svc.get("a").tags == ("one", "two")
    with open_service(tmp_path) as svc:
        assert svc.undo_label() == "tag 'two' on a"
        svc.undo()
        svc.undo()
        assert svc.get("a").is_blank()
    with open_service(tmp_path) as svc:
        assert svc.undo() is None
        assert svc.redo_label() == "tag 'one' on a"


def test_undo_is_shared_between_two_processes_writing(tmp_path: Path) -> None:
    first, second = open_service(tmp_path), open_service(tmp_path)
    try:
        first.set_note("a", "by first")
        second.set_note("b", "by second")
        # The newest change to the library is undone, whichever instance made it.
        txn = first.undo()
        assert txn is not None and txn.record_ids == ("b",)
        second.refresh()
        assert second.get("b").is_blank()
        assert second.undo() is not None
        first.refresh()
        assert first.get("a").is_blank()
    finally:
        first.close()
        second.close()


def test_history_lists_every_change_and_flags_undone(svc: AnnotationService) -> None:
    svc.set_rating("a", 2)
    svc.add_tags(["a", "b"], "t")
    svc.set_rating("a", 5)
    svc.undo()
    items = svc.history("a")
    assert [(h.field, h.old, h.new, h.action, h.undone) for h in items] == [
        ("rating", 0, 2, "edit", False),
        ("tags", [], ["t"], "edit", False),
        ("rating", 2, 5, "edit", True),
        ("rating", 5, 2, "undo", False),
    ]
    assert items[0].time and items[0].seq < items[-1].seq
    assert [h.field for h in svc.history("b")] == ["tags"]
    assert svc.history("never") == []
    assert items[2].to_json()["undone"] is True


def test_tag_counts_and_reasons_after_reopen(tmp_path: Path) -> None:
    with open_service(tmp_path) as svc:
        svc.add_tags(["a", "b"], ["x", "Y"])
        svc.add_reason("duplicate")
    with open_service(tmp_path) as svc:
        assert svc.tag_counts() == [("x", 2), ("Y", 2)]
        assert svc.reasons() == ["duplicate"]
        assert len(svc.all()) == 2


def test_read_only_service(tmp_path: Path) -> None:
    with open_service(tmp_path) as svc:
        svc.set_rating("a", 3)
    with open_service(tmp_path, read_only=True) as ro:
        assert ro.read_only and ro.get("a").rating == 3
        with pytest.raises(ReadOnlyStoreError, match="read-only"):
            ro.set_rating("a", 1)
        with pytest.raises(ReadOnlyStoreError):
            ro.undo()


def test_read_only_on_missing_folder_is_empty(tmp_path: Path) -> None:
    folder = tmp_path / "absent"
    with open_service(folder, read_only=True) as ro:
        assert len(ro) == 0
    assert not folder.exists()


def test_durable_save_with_fsync(tmp_path: Path) -> None:
    with AnnotationService.open(tmp_path) as svc:
        svc.set_decision("10.1108/mhsi-01-2024-0001", "include")
    with AnnotationService.open(tmp_path) as svc:
        assert svc.get("10.1108/mhsi-01-2024-0001").decision == "include"
