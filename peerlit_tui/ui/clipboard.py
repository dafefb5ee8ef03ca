"""Copying a record's DOI, citation, BibTeX or RIS, and opening its link.

Copying goes through Textual's `App.copy_to_clipboard`, which writes the
terminal's clipboard escape (OSC 52): it reaches the clipboard of the computer the
terminal runs on, also over SSH. The payload has control characters removed before
it is encoded, so a record cannot smuggle escape sequences into whatever the
clipboard is pasted into.

Opening a link needs a browser on the machine peerlit runs on. Python's
`webbrowser` falls back to text browsers (lynx, w3m) that would take over this
terminal when there is no display, so without one — or over SSH, where a browser
would open on the remote machine — the link is copied instead and the user told.
In web mode (`peerlit serve`) the browser showing the app opens it.
"""

from __future__ import annotations

import os
import sys
import webbrowser
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.binding import BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Static

from peerlit_tui.services.citation import CLIP_KINDS, link_for
from peerlit_tui.text import strip_controls
from peerlit_tui.ui.bindings import bindings_for
from peerlit_tui.ui.text_render import safe_content, safe_line

if TYPE_CHECKING:
    from textual.app import App

    from peerlit_tui.model import Record

#: Longest preview of the copied text shown in the notification.
PREVIEW_WIDTH = 60


def clipboard_payload(text: str) -> str:
    """The text as it goes to the clipboard: escapes and control characters removed.

    Line breaks and tabs are kept (BibTeX and RIS entries are several lines).
    """
    return strip_controls(text)


def copy_record_text(app: App[Any], record: Record, kind: str) -> bool:
    """Copy one of `CLIP_KINDS` of a record to the clipboard and notify what was copied.

    Args:
        app: The running app (its driver writes the OSC 52 sequence).
        record: The record.
        kind: "doi", "citation", "bibtex" or "ris".

    Returns:
        False when there was nothing to copy (a record without a DOI).
    """
    label, make = CLIP_KINDS[kind]
    try:
        text = clipboard_payload(make(record))
    except Exception as error:  # a formatter failing on odd data must not end the app
        app.notify(f"Could not format the {label}: {error}", severity="error", markup=False)
        return False
    if not text.strip():
        app.notify(f"This record has no {label}.", severity="warning", markup=False)
        return False
    app.copy_to_clipboard(text)
    first = safe_line(text.strip().splitlines()[0])
    preview = first if len(first) <= PREVIEW_WIDTH else first[: PREVIEW_WIDTH - 1] + "…"
    app.notify(f"Copied the {label}: {preview}", title="Clipboard", markup=False)
    return True


def can_open_browser(environ: dict[str, str] | None = None, platform: str = sys.platform) -> str:
    """Why a local browser cannot open links, or "" when it can.

    Args:
        environ: Environment variables (default: this process's).
        platform: `sys.platform`.
    """
    env = os.environ if environ is None else environ
    if env.get("SSH_CONNECTION") or env.get("SSH_TTY"):
        return "this is an SSH session, so a browser would open on the remote machine"
    if platform.startswith(("linux", "freebsd", "openbsd")) and not (
        env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")
    ):
        return "there is no graphical display here"
    return ""


def open_record_link(app: App[Any], record: Record) -> None:
    """Open the record's DOI (through doi.org) or URL in a browser, or copy it when none opens."""
    url = link_for(record)
    if not url:
        app.notify("This record has no DOI or web address.", severity="warning", markup=False)
        return
    if app.is_web:
        app.open_url(url)  # the browser showing the app opens it
        app.notify(f"Opening {url}", markup=False)
        return
    reason = can_open_browser()
    if reason:
        app.copy_to_clipboard(clipboard_payload(url))
        app.notify(f"Cannot open a browser: {reason}. Copied the link instead: {url}",
                   severity="warning", timeout=8, markup=False)  # fmt: skip
        return
    _open_in_thread(app, url)


@work(thread=True, exit_on_error=False, description="Opening the link")
def _open_in_thread(app: App[Any], url: str) -> None:
    # webbrowser.open can block while a browser starts: keep it off the UI thread.
    opened = webbrowser.open(url)
    if opened:
        app.call_from_thread(app.notify, f"Opened {url}", markup=False)
    else:
        app.call_from_thread(app.copy_to_clipboard, clipboard_payload(url))
        app.call_from_thread(app.notify, f"No browser found. Copied the link instead: {url}",
                             severity="warning", markup=False)  # fmt: skip


class CopyMenu(ModalScreen[str | None]):
    """A small menu: which text of the current record to copy, or open its link.

    Dismisses with "doi", "citation", "bibtex", "ris", "open" or None (Esc).
    The keys carry the app's binding ids (`app.copy_doi`, …) so a keymap can
    change them.

    Args:
        record: The record the menu acts on.
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings_for("copy")

    DEFAULT_CSS = """
    CopyMenu {
        align: center middle;
        & > #copy-dialog {
            width: 70;
            max-width: 100%;
            height: auto;
            border: round $primary;
            background: $surface;
            padding: 0 1;
        }
        & #copy-title { text-style: bold; max-height: 2; margin-bottom: 1; }
        & .copy-key { color: $text-muted; }
    }
    """

    def __init__(self, record: Record) -> None:
        super().__init__()
        self._record = record

    def compose(self) -> Iterable[Widget]:
        """The record's title and one line per choice."""
        record = self._record
        link = link_for(record)
        with Vertical(id="copy-dialog") as dialog:
            dialog.border_title = "Copy"
            yield Static(safe_content(record.title or record.id), id="copy-title")
            rows = [
                ("d", "DOI", record.doi or "(none)"),
                ("c", "Citation", "APA style"),
                ("b", "BibTeX", "entry"),
                ("r", "RIS", "entry"),
                ("o", "Open", link or "(no link)"),
            ]
            for key, label, detail in rows:
                yield Static(
                    Content.assemble(
                        (f" {key} ", "bold $accent"), f" {label:<9}", safe_content(detail, "dim")
                    )
                )
            yield Static(Content("Esc closes"), classes="copy-key")

    def action_pick(self, kind: str) -> None:
        """Close, returning the choice ("" closes without one)."""
        self.dismiss(kind or None)
