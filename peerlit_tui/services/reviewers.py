"""Who is screening: the reviewer name every annotation change carries.

The name comes from, in order: `--reviewer NAME` on the command line (which sets
`PEERLIT_REVIEWER` for the run), the `PEERLIT_REVIEWER` environment variable, the
`reviewer` key of the user config file, and the login name. A name is up to 40
letters, digits, ".", "_" or "-"; a login name with other characters has them
replaced by "-".
"""

from __future__ import annotations

import getpass
import os
import re
from typing import TYPE_CHECKING, Final

from peerlit_tui.screening_decisions import validate_reviewer
from peerlit_tui.storage.annotation_team import EARLIER, earlier_reviewer, read_team_settings

if TYPE_CHECKING:
    from peerlit_tui.storage.annotations import AnnotationStore

#: The environment variable naming the reviewer.
REVIEWER_ENV: Final = "PEERLIT_REVIEWER"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def login_name() -> str:
    """The login name as a valid reviewer name ("reviewer" when there is none)."""
    try:
        raw = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, no LOGNAME: a container, say
        raw = ""
    clean = _UNSAFE.sub("-", raw).strip("-._")[:40]
    return clean or "reviewer"


def _config_reviewer() -> str:
    from peerlit_tui.config_path import config_path

    try:
        text = config_path().read_text(encoding="utf-8-sig")
    except (OSError, ValueError):  # no config (a broken one is reported by `peerlit config`)
        return ""
    if not text.strip():
        return ""
    import tomllib  # only for a config with something in it

    try:
        data = tomllib.loads(text)
    except ValueError:
        return ""
    value = data.get("reviewer")
    return value.strip() if isinstance(value, str) else ""


def current_reviewer(explicit: str | None = None) -> str:
    """The reviewer of this process.

    Args:
        explicit: A name given directly (None: look it up).

    Raises:
        ValueError: When the name given or configured is not a valid reviewer name.
    """
    for name in (explicit, os.environ.get(REVIEWER_ENV, "").strip(), _config_reviewer()):
        if name:
            return validate_reviewer(name)
    return login_name()


def identify(store: AnnotationStore, explicit: str | None = None) -> tuple[str, str]:
    """Name the reviewer of an open store's changes, and the earlier reviewer.

    The earlier reviewer (of the decisions made before reviewers were recorded)
    is fixed as the login name at the first open that finds such decisions.

    Returns:
        (this process's reviewer, the earlier reviewer's name).
    """
    reviewer = current_reviewer(explicit)
    store.reviewer = reviewer
    settings = read_team_settings(store.folder)
    earlier = settings.get("earlier") or login_name()
    if EARLIER in store.index.team.counts and "earlier" not in settings:
        earlier = earlier_reviewer(store.folder, earlier, write=not store.read_only)
    # Reads show this reviewer's own decisions while blind mode is on.
    store.viewer = EARLIER if reviewer == earlier else reviewer
    store.blind = settings.get("blind", "auto")
    return reviewer, earlier
