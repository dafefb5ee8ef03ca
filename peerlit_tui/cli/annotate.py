"""Annotation commands: tag, note, rate, read, decide, history, undo, redo, tags, reasons, doctor.

Every command resolves the ids it is given against the library first (exact id,
DOI in any form, or a unique prefix) and changes nothing when one is unknown.
Every command takes `--json`. Changes print the resulting annotations, so a
script can check what it did without a second call.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from peerlit_tui.cli.context import CliContext, CliError

if TYPE_CHECKING:
    from peerlit_tui.services.annotations import AnnotationService, Transaction

    SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]

Handler = Callable[[argparse.Namespace, CliContext], int]


def register(sub: SubParsers) -> None:
    """Add the annotation commands to the sub-command parser."""
    p = _command(sub, "tag", cmd_tag, "add tags to records, or remove them with --remove",
                 "(ID | --ids-from FILE) TAG [TAG ...]")  # fmt: skip
    p.add_argument("items", nargs="+", metavar="ID TAG", help="record id, then tags")
    p.add_argument("--remove", action="store_true", help="remove the tags instead")
    _ids_from(p)

    p = _command(sub, "note", cmd_note, "replace a record's note ('-' reads it from stdin)",
                 "ID TEXT|-")  # fmt: skip
    p.add_argument("id", help="record id, DOI or unique id prefix")
    p.add_argument("text", nargs="+", help="the note; '' clears it, '-' reads stdin")

    p = _command(sub, "rate", cmd_rate, "rate a record from 0 (not rated) to 5", "ID N")
    p.add_argument("id", help="record id, DOI or unique id prefix")
    p.add_argument("rating", help="0 to 5")

    p = _command(sub, "read", cmd_read, "set a record's read status", "ID unread|skimmed|read")
    p.add_argument("id", help="record id, DOI or unique id prefix")
    p.add_argument("status", help="unread, skimmed or read")

    p = _command(sub, "decide", cmd_decide, "record a screening decision",
                 "(ID | --ids-from FILE) include|exclude|maybe|undecided [--reason R]")  # fmt: skip
    p.add_argument("items", nargs="+", metavar="ID DECISION", help="record id, then decision")
    p.add_argument("--reason", metavar="R", help="exclusion reason (from `peerlit reasons`)")
    p.add_argument("--add-reason", action="store_true", help="add the reason to the list if new")
    _ids_from(p)

    p = _command(sub, "history", cmd_history, "every change to a record's annotations", "ID")
    p.add_argument("id", help="record id, DOI or unique id prefix")

    _command(sub, "undo", cmd_undo, "undo the latest annotation change", "")
    _command(sub, "redo", cmd_redo, "redo the latest undone change", "")

    p = _command(sub, "tags", cmd_tags, "list tags with counts; rename, merge or delete one",
                 "[--rename OLD NEW | --merge A B | --delete T]")  # fmt: skip
    group = p.add_mutually_exclusive_group()
    group.add_argument("--rename", nargs=2, metavar=("OLD", "NEW"), help="rename everywhere")
    group.add_argument("--merge", nargs=2, metavar=("A", "B"), help="merge tag A into tag B")
    group.add_argument("--delete", metavar="T", help="remove tag T from every record")

    p = _command(sub, "reasons", cmd_reasons, "list, add or remove exclusion reasons",
                 "[--add R] [--remove R]")  # fmt: skip
    p.add_argument("--add", metavar="R", action="append", default=[], help="add a reason")
    p.add_argument("--remove", metavar="R", action="append", default=[], help="remove one")

    _command(sub, "doctor", cmd_doctor, "check the annotations store and repair it", "")


def _command(sub: SubParsers, name: str, handler: Handler, help_text: str, usage: str) -> Any:
    p = sub.add_parser(
        name, help=help_text, description=help_text, usage=f"peerlit {name} {usage} [--json]"
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=handler)
    return p


def _ids_from(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--ids-from",
        metavar="FILE",
        help="apply to the record ids in FILE, one per line ('-' for stdin), as one undo step",
    )


# -- helpers --------------------------------------------------------------------


def _service(
    ctx: CliContext, *, read_only: bool = False, records: list[str] | None = None
) -> AnnotationService:
    svc = ctx.annotations(read_only=read_only, records=records)
    for warning in svc.warnings:
        ctx.error(f"warning: {warning}")
    svc.warnings.clear()
    return svc


def _resolve(ctx: CliContext, texts: list[str]) -> list[str]:
    """Turn user-typed ids into record ids; any unknown one stops the command."""
    from peerlit_tui.services.library import UnknownRecordError

    library = ctx.library()
    out: list[str] = []
    for text in texts:
        try:
            out.append(library.resolve_id(text))
        except UnknownRecordError as exc:
            more = f" (and nothing was changed for the other {len(texts) - 1} ids)"
            raise CliError(str(exc) + (more if len(texts) > 1 else ""), 2) from exc
    return list(dict.fromkeys(out))


def _read_ids(source: str) -> list[str]:
    try:
        if source == "-":
            text = sys.stdin.read()
        else:
            with open(source, encoding="utf-8-sig") as f:
                text = f.read()
    except OSError as exc:
        raise CliError(f"cannot read ids from {source}: {exc.strerror or exc}", 2) from exc
    ids = [line.strip() for line in text.splitlines()]
    ids = [i for i in ids if i and not i.startswith("#")]
    if not ids:
        raise CliError(f"no record ids in {source}", 2)
    return ids


def _split_items(args: argparse.Namespace, what: str) -> tuple[list[str], list[str]]:
    """(ids, rest): the first positional is the id unless --ids-from gives them."""
    if args.ids_from:
        return _read_ids(args.ids_from), list(args.items)
    if len(args.items) < 2:
        raise CliError(f"give a record id and {what} (or --ids-from FILE and {what})", 2)
    return [args.items[0]], list(args.items[1:])


def _apply(ctx: CliContext, call: Callable[[], Transaction | None]) -> Transaction | None:
    from peerlit_tui.services.annotations import ReadOnlyStoreError

    try:
        txn = call()
    except (ValueError, ReadOnlyStoreError) as exc:
        raise CliError(str(exc), 2) from exc
    if txn is not None:
        ctx.changed(len(txn.record_ids))
    return txn


def _report(
    ctx: CliContext, args: argparse.Namespace, ids: list[str], txn: Transaction | None
) -> int:
    svc = ctx.annotations(records=ids)
    if args.json:
        ctx.emit_json(
            {
                "changed": len(txn.record_ids) if txn else 0,
                "label": txn.label if txn else None,
                "annotations": [svc.to_json(i) for i in ids],
            }
        )
        return 0
    if txn is None:
        ctx.print("no change")
    elif len(ids) > 1:
        ctx.print(f"{txn.label}: {_records(len(txn.record_ids))} of {len(ids)} changed")
    if len(ids) == 1:
        ctx.print(_summary(svc.to_json(ids[0])))
    return 0


def _records(n: int) -> str:
    return f"{n} record" if n == 1 else f"{n} records"


def _summary(ann: dict[str, Any]) -> str:
    parts = [f"decision: {ann['decision']}" + (f" ({ann['reason']})" if ann["reason"] else "")]
    parts.append(f"read: {ann['read']}")
    parts.append(f"rating: {ann['rating']}")
    parts.append("tags: " + (", ".join(ann["tags"]) or "-"))
    if ann["note"]:
        first = ann["note"].split("\n", 1)[0]
        parts.append(
            f"note: {first[:60]}" + ("…" if len(first) > 60 or "\n" in ann["note"] else "")
        )
    return f"{ann['record_id']}: " + "; ".join(parts)


# -- commands -------------------------------------------------------------------


def _quick(ctx: CliContext, run: Callable[[], int]) -> int:
    """Run a command on the records it names, or on the whole store when that cannot be.

    The quick open (`CliContext.annotations` with `records=`) raises
    `LookupUnavailable` only before anything is written (a journal replaced
    while open, an unreadable lookup row): the command then runs again, whole.
    """
    from peerlit_tui.services.annotations import LookupUnavailable

    try:
        return run()
    except LookupUnavailable:
        ctx.whole_annotations()
        return run()


def cmd_tag(args: argparse.Namespace, ctx: CliContext) -> int:
    """`peerlit tag ID TAG… [--remove]`."""
    raw_ids, tags = _split_items(args, "at least one tag")
    ids = _resolve(ctx, raw_ids)

    def run() -> int:
        svc = _service(ctx, records=ids)
        action = svc.remove_tags if args.remove else svc.add_tags
        return _report(ctx, args, ids, _apply(ctx, lambda: action(ids, tags)))

    return _quick(ctx, run)


def cmd_note(args: argparse.Namespace, ctx: CliContext) -> int:
    """`peerlit note ID TEXT|-`."""
    ids = _resolve(ctx, [args.id])
    text = sys.stdin.read() if args.text == ["-"] else " ".join(args.text)
    svc = _service(ctx)
    return _report(ctx, args, ids, _apply(ctx, lambda: svc.set_note(ids, text)))


def cmd_rate(args: argparse.Namespace, ctx: CliContext) -> int:
    """`peerlit rate ID N`."""
    ids = _resolve(ctx, [args.id])
    svc = _service(ctx)
    return _report(ctx, args, ids, _apply(ctx, lambda: svc.set_rating(ids, args.rating)))


def cmd_read(args: argparse.Namespace, ctx: CliContext) -> int:
    """`peerlit read ID unread|skimmed|read`."""
    ids = _resolve(ctx, [args.id])
    svc = _service(ctx)
    return _report(ctx, args, ids, _apply(ctx, lambda: svc.set_read(ids, args.status)))


def cmd_decide(args: argparse.Namespace, ctx: CliContext) -> int:
    """`peerlit decide ID include|exclude|maybe|undecided [--reason R] [--add-reason]`."""
    raw_ids, rest = _split_items(args, "a decision")
    if len(rest) != 1:
        raise CliError("give one decision: include, exclude, maybe or undecided", 2)
    if args.add_reason and not args.reason:
        raise CliError("--add-reason needs --reason R", 2)
    ids = _resolve(ctx, raw_ids)

    def run() -> int:
        svc = _service(ctx, records=ids)
        try:
            txn = _apply(
                ctx, lambda: svc.set_decision(ids, rest[0], args.reason, add_reason=args.add_reason)
            )
        except CliError as exc:
            if str(exc).startswith("unknown exclusion reason"):
                raise CliError(f"{exc}, or pass --add-reason to add it now", exc.code) from exc
            raise
        return _report(ctx, args, ids, txn)

    return _quick(ctx, run)


def cmd_history(args: argparse.Namespace, ctx: CliContext) -> int:
    """`peerlit history ID`."""
    (record_id,) = _resolve(ctx, [args.id])
    items = _service(ctx, read_only=True).history(record_id)
    if args.json:
        ctx.emit_json({"id": record_id, "changes": [h.to_json() for h in items]})
        return 0
    if not items:
        ctx.print(f"{record_id}: no annotation changes")
    for h in items:
        when = h.time.replace("T", " ")[:19]
        flag = "  [undone]" if h.undone else ""
        ctx.print(f"{when}  {h.field:<8} {_value(h.old)} -> {_value(h.new)}  ({h.label}){flag}")
    return 0


def _value(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(value) + "]"
    if isinstance(value, str):
        text = value.replace("\n", " / ")
        return repr(text[:40] + ("…" if len(text) > 40 else ""))
    return str(value)


def _step(args: argparse.Namespace, ctx: CliContext, redo: bool) -> int:
    svc = _service(ctx)
    # Say whose change is reverted, and revert exactly that one even if another
    # window writes in between.
    preview = svc.peek_redo() if redo else svc.peek_undo()
    step = svc.redo if redo else svc.undo
    txn = _apply(ctx, lambda: step(expected=preview.txn)) if preview else None
    verb = "redo" if redo else "undo"
    if args.json:
        ctx.emit_json(
            {
                "action": verb,
                "label": txn.label if txn else None,
                "ids": list(txn.record_ids) if txn else [],
                "made_elsewhere": preview.made_elsewhere if txn and preview else None,
                "by": preview.by if txn and preview else None,
            }
        )
        return 0 if txn else 1
    if txn is None or preview is None:
        raise CliError(f"nothing to {verb}", 1)
    ctx.print(f"{'redid' if redo else 'undid'}: {preview.describe()}")
    return 0


def cmd_undo(args: argparse.Namespace, ctx: CliContext) -> int:
    """`peerlit undo`: revert the newest change to the library not yet undone."""
    return _step(args, ctx, redo=False)


def cmd_redo(args: argparse.Namespace, ctx: CliContext) -> int:
    """`peerlit redo`."""
    return _step(args, ctx, redo=True)


def cmd_tags(args: argparse.Namespace, ctx: CliContext) -> int:
    """`peerlit tags [--rename OLD NEW | --merge A B | --delete T]`."""
    svc = _service(ctx, read_only=not (args.rename or args.merge or args.delete))
    txn: Transaction | None = None
    if args.rename:
        txn = _apply(ctx, lambda: svc.rename_tag(*args.rename))
    elif args.merge:
        txn = _apply(ctx, lambda: svc.merge_tags(*args.merge))
    elif args.delete:
        txn = _apply(ctx, lambda: svc.delete_tag(args.delete))
    counts = svc.tag_counts()
    if args.json:
        out: dict[str, Any] = {"tags": [{"tag": t, "count": n} for t, n in counts]}
        if args.rename or args.merge or args.delete:
            out["label"] = txn.label if txn else None
            out["changed"] = len(txn.record_ids) if txn else 0
        ctx.emit_json(out)
        return 0
    if txn is not None:
        ctx.print(f"{txn.label}: {_records(len(txn.record_ids))} changed")
    elif args.rename or args.merge or args.delete:
        ctx.print("no change")
    if not counts:
        ctx.print("no tags yet; add some with: peerlit tag ID TAG")
    for tag, count in counts:
        ctx.print(f"{count:>7}  {tag}")
    return 0


def cmd_reasons(args: argparse.Namespace, ctx: CliContext) -> int:
    """`peerlit reasons [--add R] [--remove R]`."""
    svc = _service(ctx, read_only=not (args.add or args.remove))
    for reason in args.add:
        _apply(ctx, partial(svc.add_reason, reason))
    for reason in args.remove:
        _apply(ctx, partial(svc.remove_reason, reason))
    reasons = svc.reasons()
    if args.json:
        ctx.emit_json({"reasons": reasons})
        return 0
    if not reasons:
        ctx.print("no exclusion reasons yet; add one with: peerlit reasons --add REASON")
    for reason in reasons:
        ctx.print(reason)
    return 0


def cmd_doctor(args: argparse.Namespace, ctx: CliContext) -> int:
    """`peerlit doctor`: exit 0 only when nothing was wrong, 1 when problems were found."""
    from peerlit_tui.services.annotations import AnnotationService

    try:
        report = AnnotationService.doctor(ctx.library_dir)
    except OSError as exc:
        raise CliError(f"cannot check annotations in {ctx.library_dir}: {exc}", 2) from exc
    if args.json:
        ctx.emit_json(report.to_json())
        return 0 if report.healthy else 1
    for line in report.checked:
        ctx.print(f"checked: {line}")
    for line in report.problems:
        ctx.print(f"problem: {line}")
    for line in report.repairs:
        ctx.print(f"repaired: {line}")
    for line in report.unrepaired:
        ctx.print(f"NOT repaired: {line}")
    if report.healthy:
        ctx.print("healthy: nothing is wrong with the library's files or annotations")
    elif report.ok:
        ctx.print("problems were found and repaired (see above); nothing is left broken")
    else:
        ctx.print("some problems remain (see above)")
    return 0 if report.healthy else 1
