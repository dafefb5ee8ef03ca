"""The rows of the key table: every action, its id, words, context and default keys.

Kept apart from the functions that read it (`peerlit_tui.ui.keys`) so that adding an
action means adding one row here. No toolkit is imported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

#: Each context and the one it sits in (None: the outermost, the app itself).
CONTEXT_PARENTS: Final[Mapping[str, str | None]] = {
    "app": None,
    "main": "app",
    "empty": "main",
    "screening": "main",
    "list": "screening",
    "detail": "screening",
    "section": "detail",
    "tags": "screening",
    "tag_list": "tags",
    "tag_input": "tags",
    "reason": "tags",
    "note": "app",
    "help": "app",
    "export": "app",
    "choice": "export",
    "stats": "app",
    "copy": "app",
    "list_editor": "app",
    "searches": "app",
    "import": "app",
    "duplicates": "app",
    "bulk": "app",
    "conflicts": "app",
}
#: What a context is called in help and in clash reports.
CONTEXT_NAMES: Final[Mapping[str, str]] = {
    "app": "everywhere",
    "main": "the main screen",
    "empty": "an empty library",
    "screening": "screening mode",
    "list": "the record list",
    "detail": "the detail pane",
    "section": "a section heading",
    "tags": "the annotation panel",
    "tag_list": "the tag list",
    "tag_input": "the add-tag field",
    "reason": "the exclusion-reason list",
    "note": "the note editor",
    "help": "the help screen",
    "export": "the export dialog",
    "choice": "a choice list",
    "stats": "the stats screen",
    "copy": "the copy menu",
    "list_editor": "list editors",
    "searches": "saved searches",
    "import": "the import dialog",
    "duplicates": "the duplicates view",
    "bulk": "the bulk-action dialog",
    "conflicts": "the conflicts view",
}
#: Activities, in the order the help screen lists them.
GROUPS: Final[tuple[str, ...]] = (
    "moving", "reading", "deciding", "tagging", "searching", "screening", "project",
    "library", "app", "dialogs",
)  # fmt: skip
#: Contexts a stray screening-mode key can fall back from (the main screen and its panes).
MAIN_CONTEXTS: Final = frozenset({"main", "empty", "screening", "list", "detail", "section",
                                  "tags", "tag_list", "tag_input", "reason"})  # fmt: skip


@dataclass(frozen=True, slots=True)
class KeyAction:
    """One row of the key table.

    Attributes:
        id: The id a `[keymap]` entry uses ("main.include").
        keys: Default keys, Textual key names, comma-separated ("i" or "down,j").
        action: The Textual action it runs on its context's owner ("decide('include')").
        description: Short words for the footer and the palette ("Include").
        help: A sentence a person understands, for help and the palette.
        context: Where the key works (`CONTEXT_PARENTS`).
        group: The activity it belongs to in help (`GROUPS`).
        show: Listed in the footer.
        palette: Offered in the command palette (the main screen's actions).
        priority: Runs even while a text field has focus.
    """

    id: str
    keys: str
    action: str
    description: str
    help: str
    context: str
    group: str
    show: bool = False
    palette: bool = True
    priority: bool = False


def _a(
    id: str,
    keys: str,
    action: str,
    description: str,
    help: str,
    context: str,
    group: str,
    *,
    show: bool = False,
    palette: bool | None = None,
    priority: bool = False,
) -> KeyAction:
    in_palette = context in MAIN_CONTEXTS or context == "app" if palette is None else palette
    return KeyAction(id, keys, action, description, help, context, group, show, in_palette,
                     priority)  # fmt: skip


def _dialog(id: str, keys: str, action: str, description: str, help: str, context: str,
            *, show: bool = True, priority: bool = False) -> KeyAction:  # fmt: skip
    return KeyAction(id, keys, action, description, help, context, "dialogs", show, False,
                     priority)  # fmt: skip


#: Exclusion reasons on the number keys, and saved-search slots.
REASON_SLOTS: Final = range(1, 10)

KEY_TABLE: Final[tuple[KeyAction, ...]] = (
    # -- the app, everywhere ---------------------------------------------------------
    _a("app.help", "question_mark", "help", "Help", "Show the keys and the query syntax",
       "app", "app", show=True),
    _a("app.command_palette", "ctrl+p", "command_palette", "Commands",
       "Search every action by name", "app", "app", priority=True, palette=False),
    _a("app.quit", "q", "quit", "Quit", "Quit peerlit", "app", "app"),
    _a("app.quit_anywhere", "ctrl+q", "quit", "Quit (even while typing)",
       "Quit peerlit, even while typing in a field", "app", "app", priority=True, palette=False),
    # -- moving -------------------------------------------------------------------------
    _a("list.down", "down,j", "cursor_down", "Next record", "Move to the next record",
       "list", "moving"),
    _a("list.up", "up,k", "cursor_up", "Previous record", "Move to the previous record",
       "list", "moving"),
    _a("list.page_down", "pagedown", "page_down", "Page down", "Move one screen down",
       "list", "moving"),
    _a("list.page_up", "pageup", "page_up", "Page up", "Move one screen up", "list", "moving"),
    _a("list.first", "home,g", "first", "First record", "Go to the first record",
       "list", "moving"),
    _a("list.last", "end,G", "last", "Last record", "Go to the last record", "list", "moving"),
    _a("list.next_unscreened", "n", "next_unscreened", "Next unscreened",
       "Jump to the next record with no decision (the best-ranked one, once ranked)",
       "list", "moving", show=True),
    _a("list.select", "enter", "select", "Open record", "Open the record in the detail pane",
       "list", "moving"),
    _a("main.focus_next", "tab", "focus_next_pane", "Next pane",
       "Move to the next pane (list, detail, annotations, filter)", "main", "moving"),
    _a("main.focus_previous", "shift+tab", "focus_previous_pane", "Previous pane",
       "Move to the previous pane", "main", "moving"),
    _a("main.focus_list", "escape,h", "focus_list", "List", "Move to the record list",
       "main", "moving"),
    _a("main.focus_detail", "l", "focus_detail", "Detail", "Move to the detail pane",
       "main", "moving"),
    _a("main.focus_tags", "T", "focus_tags", "Annotations", "Move to the annotation panel",
       "main", "moving"),
    # -- reading ------------------------------------------------------------------------
    _a("detail.next_section", "right_curly_bracket", "next_section", "Next section",
       "Move to the next abstract section", "main", "reading", show=True),
    _a("detail.previous_section", "left_curly_bracket", "previous_section", "Previous section",
       "Move to the previous abstract section", "main", "reading"),
    _a("detail.toggle_current", "z", "toggle_section", "Fold section",
       "Collapse or expand the abstract section in view", "main", "reading"),
    _a("detail.collapse_all", "minus", "collapse_all", "Collapse all",
       "Collapse every abstract section (remembered across records)", "main", "reading"),
    _a("detail.expand_all", "plus,equals_sign", "expand_all", "Expand all",
       "Expand every abstract section", "main", "reading"),
    _a("detail.scroll_down", "j", "scroll_down", "Scroll down",
       "Scroll the detail pane down one line", "detail", "reading"),
    _a("detail.scroll_up", "k", "scroll_up", "Scroll up", "Scroll the detail pane up one line",
       "detail", "reading"),
    _a("main.toggle_metadata", "v", "toggle_metadata", "All details",
       "Show every field of the record, or fold them into one line", "main", "reading"),
    _a("detail.toggle_section", "enter,space", "toggle_section", "Fold this section",
       "Collapse or expand the focused section", "section", "reading", palette=False),
    _a("main.criteria_pane", "c", "toggle_criteria", "Criteria beside",
       "Show or hide the inclusion criteria beside the record", "main", "reading"),
    # -- deciding -----------------------------------------------------------------------
    _a("main.include", "i", "decide('include')", "Include", "Decide: include this record",
       "main", "deciding", show=True),
    _a("main.exclude", "x", "exclude", "Exclude", "Decide: exclude this record (then a reason)",
       "main", "deciding", show=True),
    _a("main.maybe", "m", "decide('maybe')", "Maybe", "Decide: maybe, look again later",
       "main", "deciding", show=True),
    _a("main.undecided", "u", "decide('undecided')", "Undecided", "Clear the decision",
       "main", "deciding"),
    *(
        _a(f"main.rate_{n}", str(n), f"rate({n})", "Clear rating" if n == 0 else f"Rate {n}",
           "Clear this record's rating" if n == 0 else f"Rate this record {n} of 5",
           "main", "deciding")
        for n in range(6)
    ),
    _a("main.cycle_read", "r", "cycle_read", "Read status", "Cycle unread → skimmed → read",
       "main", "deciding"),
    _a("main.undo", "ctrl+z", "undo", "Undo", "Undo the last annotation change",
       "main", "deciding", show=True),
    _a("main.redo", "ctrl+y,ctrl+r", "redo", "Redo", "Redo the last undone change",
       "main", "deciding"),
    _a("main.bulk", "B", "bulk", "Bulk action",
       "Decide, tag or untag every record the filter shows (one undo step)", "main", "deciding"),
    # -- tagging and notes ------------------------------------------------------------------
    _a("main.add_tag", "t", "add_tag", "Tag", "Type a tag to add to this record",
       "main", "tagging", show=True),
    _a("main.remove_tag", "D", "remove_tag", "Remove tag",
       "Remove one of this record's tags (picks the last one first)", "main", "tagging"),
    _a("main.edit_note", "e", "edit_note", "Note", "Write or edit this record's note",
       "main", "tagging"),
    _a("tags.all_tags", "a", "toggle_all_tags", "All tags",
       "Show every project tag, or this record's tags", "tags", "tagging"),
    _a("tags.note", "enter", "edit_note", "Note", "Write or edit this record's note",
       "tags", "tagging", palette=False),
    _a("tags.remove", "delete,backspace", "remove_tag", "Remove tag",
       "Remove the highlighted tag from this record", "tag_list", "tagging", palette=False),
    _a("tags.leave_input", "escape", "leave", "Back", "Leave the add-tag field without adding",
       "tag_input", "tagging", palette=False),
    *(
        _a(f"tags.reason_{n}", str(n), f"pick({n})",
           "No reason" if n == 0 else f"Reason {n}",
           "Exclude without a reason" if n == 0 else f"Exclude with reason number {n}",
           "reason", "deciding", palette=False)
        for n in range(10)
    ),
    _a("tags.reason_cancel", "escape", "cancel", "Cancel",
       "Close the reason list without changing the decision", "reason", "deciding",
       palette=False),
    # -- searching and sorting --------------------------------------------------------------
    _a("main.focus_filter", "slash", "focus_filter", "Filter", "Type a query (Esc returns)",
       "main", "searching", show=True),
    _a("main.cycle_sort", "s", "cycle_sort", "Sort", "Sort by the next key", "main",
       "searching", show=True),
    _a("main.reverse_sort", "S", "reverse_sort", "Reverse sort", "Reverse the sort order",
       "main", "searching"),
    _a("main.recall_search", "apostrophe", "saved_searches('recall')", "Recall search",
       "Recall a saved search: ' then its number", "main", "searching"),
    _a("main.store_search", "quotation_mark", "saved_searches('store')", "Store search",
       'Store the current query: " then a number', "main", "searching"),
    # -- screening mode -----------------------------------------------------------------------
    _a("main.screening_mode", "f2", "toggle_screening", "Screening",
       "Screening mode: the abstract large, one-key decisions, progress", "main", "screening",
       show=True),
    _a("screening.include", "I", "screening_decide('include')", "Include",
       "Screening mode: include (i works too)", "screening", "screening"),
    _a("screening.exclude", "e,E", "screening_decide('exclude')", "Exclude",
       "Screening mode: exclude (then a reason; x works too)", "screening", "screening"),
    _a("screening.maybe", "M", "screening_decide('maybe')", "Maybe",
       "Screening mode: maybe (m works too)", "screening", "screening"),
    _a("screening.undecided", "U", "screening_decide('undecided')", "Undecided",
       "Screening mode: clear the decision (u works too)", "screening", "screening"),
    _a("main.why_ranked", "w", "toggle_why", "Why ranked",
       "Show or hide why the record ranks where it does: its terms that weigh most",
       "main", "screening"),
    _a("main.rank_now", "P", "rank_now", "Rank now",
       "Train the relevance ranking on the decisions so far, now (in the background)",
       "main", "screening"),
    *(
        _a(f"screening.reason_{n}", str(n), f"screening_reason({n})", f"Exclude: reason {n}",
           f"Screening mode: exclude with the project's reason {n}", "screening", "screening",
           palette=False)
        for n in REASON_SLOTS
    ),
    # -- the project: criteria, reasons, words --------------------------------------------------
    _a("main.criteria", "C", "edit_criteria", "Edit criteria",
       "Show and edit the project's inclusion criteria", "main", "project"),
    _a("main.edit_reasons", "R", "edit_reasons", "Exclusion reasons",
       "Edit the project's exclusion reasons (number keys in screening mode)", "main", "project"),
    _a("main.edit_words", "W", "edit_words", "Highlight words",
       "Edit the include-words (green) and exclude-words (red)", "main", "project"),
    _a("main.toggle_words", "H", "toggle_words", "Highlighting on/off",
       "Show or hide the include/exclude-word highlighting", "main", "project"),
    # -- the library: import, outputs -------------------------------------------------------------
    _a("main.import_sample", "I", "import_sample", "Import sample data",
       "Import the bundled sample records into the empty library", "empty", "library",
       show=True),
    _a("main.import", "ctrl+o", "import_files", "Import…",
       "Import an export file or a folder of exports", "main", "library"),
    _a("main.duplicates", "ctrl+d", "duplicates", "Duplicates",
       "Review the likely duplicates among the shown records, side by side", "main", "library"),
    _a("main.conflicts", "f7,ctrl+k", "conflicts", "Conflicts",
       "Resolve the records the reviewers disagree on, their decisions side by side",
       "main", "deciding"),
    _a("main.sync", "f6", "sync", "Sync with the team remote",
       "Send this machine's changes to the team's git remote and bring in the others'",
       "main", "library"),
    _a("app.stats", "f3,ctrl+t", "stats", "Stats / PRISMA",
       "PRISMA counts with a bar chart; write the PRISMA CSV", "main", "library"),
    _a("app.export", "f4,ctrl+e", "export", "Export…",
       "Export the shown records or all, with annotations", "main", "library"),
    _a("app.copy_menu", "y", "copy_menu", "Copy…",
       "Copy this record's DOI, citation, BibTeX or RIS", "main", "library"),
    _a("app.open_link", "o", "open_link", "Open link",
       "Open this record's DOI or web address in a browser", "main", "library"),
    # -- dialogs ------------------------------------------------------------------------------
    _dialog("app.copy_doi", "d", "pick('doi')", "Copy DOI",
            "Copy the record's DOI to the clipboard", "copy"),
    _dialog("app.copy_citation", "c", "pick('citation')", "Copy citation",
            "Copy an APA-style citation to the clipboard", "copy"),
    _dialog("app.copy_bibtex", "b", "pick('bibtex')", "Copy BibTeX",
            "Copy the record's BibTeX entry to the clipboard", "copy"),
    _dialog("app.copy_ris", "r", "pick('ris')", "Copy RIS",
            "Copy the record's RIS entry to the clipboard", "copy"),
    _dialog("copy.open_link", "o", "pick('open')", "Open link",
            "Open the DOI or web address in a browser", "copy"),
    _dialog("copy.close", "escape,y,q", "pick('')", "Close", "Close this menu", "copy"),
    _dialog("note.save", "ctrl+s", "save", "Save note", "Save the note and close the editor",
            "note"),
    _dialog("note.close", "escape", "close", "Close (keeps changes)",
            "Close the editor; changed text is saved, never lost", "note"),
    _dialog("help.close", "escape,q,question_mark", "close", "Close help",
            "Close the help screen", "help"),
    _dialog("export.run", "ctrl+s", "run_export", "Export",
            "Write the file with the chosen format and scope", "export", priority=True),
    _dialog("export.cancel", "escape", "close", "Cancel", "Close without exporting", "export"),
    _dialog("export.choose", "enter", "choose", "Choose and export",
            "Choose the highlighted option and export", "choice", show=False),
    _dialog("help.switch_page", "tab", "switch_page", "Other page",
            "Switch between the keys and the query syntax", "help"),
    _dialog("stats.write_csv", "w", "write_csv", "Write PRISMA CSV",
            "Write the PRISMA2020 flow-diagram CSV to the path below", "stats"),
    _dialog("stats.close", "escape,q", "close", "Close", "Back to the records", "stats"),
    _dialog("stats.refresh", "f5", "recompute", "Count again", "Count again", "stats"),
    _dialog("list_editor.close", "escape", "close", "Close",
            "Close the dialog (changes are saved as they are made)", "list_editor"),
    _dialog("list_editor.remove", "delete,d", "remove", "Remove", "Remove the highlighted entry",
            "list_editor"),
    _dialog("list_editor.add", "a", "focus_input", "Add", "Type an entry to add to the list",
            "list_editor"),
    *(
        _dialog(f"searches.slot_{n}", str(n), f"slot({n})", f"Slot {n}",
                f"Recall or store saved search {n}", "searches", show=False)
        for n in REASON_SLOTS
    ),
    _dialog("searches.rename", "n", "rename", "Name", "Name the highlighted saved search",
            "searches"),
    _dialog("searches.delete", "delete,d", "delete", "Delete",
            "Delete the highlighted saved search", "searches"),
    _dialog("searches.close", "escape", "close", "Close", "Close the dialog", "searches"),
    _dialog("import.run", "ctrl+s", "run_import", "Import", "Import the file or folder",
            "import", priority=True),
    _dialog("import.cancel", "escape", "close", "Cancel", "Close without importing", "import"),
    _dialog("bulk.confirm", "ctrl+s", "confirm", "Apply", "Apply the action to every record",
            "bulk", priority=True),
    _dialog("bulk.cancel", "escape", "close", "Cancel", "Close without changing anything",
            "bulk"),
    _dialog("duplicates.next", "down,j", "next_pair", "Next pair", "Show the next pair",
            "duplicates"),
    _dialog("duplicates.previous", "up,k", "previous_pair", "Previous pair",
            "Show the previous pair", "duplicates"),
    _dialog("duplicates.link", "L", "link", "Link",
            "These are the same record: link them (counted once)", "duplicates"),
    _dialog("duplicates.unlink", "U", "unlink", "Keep both",
            "Not duplicates: unlink and keep both records (later imports keep them apart)",
            "duplicates"),
    _dialog("duplicates.close", "escape,q", "close", "Close", "Back to the records",
            "duplicates"),
    _dialog("conflicts.next", "down,j", "next", "Next", "Highlight the next record",
            "conflicts", show=False),
    _dialog("conflicts.previous", "up,k", "previous", "Previous",
            "Highlight the previous record", "conflicts", show=False),
    _dialog("conflicts.include", "i", "include", "Resolve: include",
            "Resolve the record: final decision include", "conflicts"),
    _dialog("conflicts.exclude", "x", "exclude", "Resolve: exclude",
            "Resolve the record: exclude, with one of the project's reasons", "conflicts"),
    _dialog("conflicts.maybe", "m", "maybe", "Resolve: maybe",
            "Resolve the record: maybe, with a reason typed or picked", "conflicts"),
    _dialog("conflicts.undo", "ctrl+z", "undo", "Undo",
            "Undo the newest change (a resolution returns to the list)", "conflicts"),
    _dialog("conflicts.open", "enter", "open", "Open record",
            "Close the view and show the record on the main screen", "conflicts"),
    _dialog("conflicts.pending", "p", "toggle_pending", "Pending too",
            "List the records not every reviewer has decided too, or only conflicts",
            "conflicts"),
    _dialog("conflicts.refresh", "f5", "refresh", "List again",
            "Read the list again (after changes in another window)", "conflicts", show=False),
    _dialog("conflicts.close", "escape,q", "close", "Close",
            "Close the reason prompt, or the view", "conflicts"),
)  # fmt: skip
"""Every action, grouped by activity. Add a row here and the key, the help, the
palette and the keymap checker all know it."""

#: Ids of the previous release, still accepted in a keymap (they now name one action).
RENAMED_IDS: Final[Mapping[str, str]] = {
    "tags.include": "main.include",
    "tags.exclude": "main.exclude",
    "tags.maybe": "main.maybe",
    "tags.undecided": "main.undecided",
    **{f"tags.rate_{n}": f"main.rate_{n}" for n in range(6)},
    "tags.cycle_read": "main.cycle_read",
    "tags.edit_note": "main.edit_note",
    "tags.add_tag": "main.add_tag",
}
