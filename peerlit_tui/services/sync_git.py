"""The `git` program, as sync uses it: one work tree, one remote, no prompts, time limits.

Every call runs `git -C <sync folder>` with `GIT_TERMINAL_PROMPT=0` (and ssh in
batch mode unless the user set `GIT_SSH_COMMAND`), so a remote that wants a
password fails at once instead of waiting for a keyboard nobody watches. Each call
has a time limit. The time spent in git is added up (`Git.seconds`) so peerlit's
own time can be told apart from git's.

The sync lock's file descriptor is handed to every git process: the lock stays
held until the last git started by a sync has ended, even when the sync itself was
killed. Whoever holds the lock can therefore remove a lock file a killed git left
in the repository (`remove_stale_locks`): no git of ours is running.
"""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Final

#: Branch the team shares.
BRANCH: Final = "main"
#: Name of the remote in the sync repository.
REMOTE: Final = "origin"
#: Seconds a local git command may take, and one that talks to the remote.
LOCAL_TIMEOUT: Final = 120.0
NETWORK_TIMEOUT: Final = 300.0


class SyncError(Exception):
    """A sync step that failed, said in words; nothing already saved is lost."""


class GitMissingError(SyncError):
    """The `git` program cannot be run."""


class RemoteError(SyncError):
    """The remote cannot be reached or refused the change."""


@dataclass(slots=True)
class Result:
    """What a git command returned."""

    code: int
    out: str
    err: str


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env["GIT_TERMINAL_PROMPT"] = "0"
    env["LC_ALL"] = "C"
    env.setdefault("GIT_SSH_COMMAND", "ssh -o BatchMode=yes -o ConnectTimeout=20")
    # Never let the user's editor or pager open from a sync.
    env["GIT_EDITOR"] = env["GIT_PAGER"] = "true"
    env.pop("GIT_DIR", None)
    env.pop("GIT_WORK_TREE", None)
    env.pop("GIT_INDEX_FILE", None)
    return env


class Git:
    """Runs git in the sync folder.

    Args:
        work_tree: The sync folder.
        keep_fd: A file descriptor every git process inherits (the sync lock).
    """

    def __init__(self, work_tree: Path, keep_fd: int | None = None) -> None:
        self.work_tree = work_tree
        self.keep_fd = keep_fd
        self.seconds = 0.0
        self.calls = 0
        self._env = _environment()

    def run(
        self, *args: str, network: bool = False, check: bool = True, stdin: str | None = None
    ) -> Result:
        """Run `git ARGS` in the work tree.

        Raises:
            GitMissingError: When git cannot be started.
            RemoteError: For a failed network command (with `check`).
            SyncError: For another failed command (with `check`), or a time-out.
        """
        command = ["git", "-C", str(self.work_tree), "-c", "core.hooksPath=/dev/null",
                   "-c", "commit.gpgsign=false", "-c", "core.quotepath=false", *args]  # fmt: skip
        limit = NETWORK_TIMEOUT if network else LOCAL_TIMEOUT
        started = time.perf_counter()
        try:
            done = subprocess.run(
                command,
                input=stdin,
                capture_output=True,
                text=True,
                encoding="utf-8",
                errors="replace",
                env=self._env,
                timeout=limit,
                pass_fds=(self.keep_fd,) if self.keep_fd is not None else (),
                check=False,
            )
        except FileNotFoundError as exc:
            raise GitMissingError(
                "sync needs the git program, which was not found: install git "
                "(https://git-scm.com) and make sure it is on the PATH"
            ) from exc
        except subprocess.TimeoutExpired as exc:
            what = "the remote did not answer" if network else "git did not finish"
            raise (RemoteError if network else SyncError)(
                f"{what} within {limit:.0f} seconds (git {args[0]}); nothing was lost: "
                "run sync again later"
            ) from exc
        except OSError as exc:
            raise GitMissingError(f"cannot run git: {exc.strerror or exc}") from exc
        finally:
            self.seconds += time.perf_counter() - started
            self.calls += 1
        result = Result(done.returncode, done.stdout, done.stderr)
        if check and result.code != 0:
            detail = _last_lines(result.err or result.out)
            if network:
                raise RemoteError(detail)
            raise SyncError(f"git {args[0]} failed: {detail}")
        return result

    def config(self, key: str) -> str:
        """A config value in effect for the repository ("" when unset)."""
        return self.run("config", "--get", key, check=False).out.strip()

    def has_commit(self, ref: str = "HEAD") -> bool:
        """True when `ref` names a commit."""
        return self.run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}",
                        check=False).code == 0  # fmt: skip


def _last_lines(text: str, keep: int = 3) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith("hint:")]
    return " / ".join(lines[-keep:]) or "no message"


def remove_stale_locks(git_dir: Path) -> list[str]:
    """Remove the lock files a killed git left (call holding the sync lock only).

    Returns:
        The lock files removed, relative to `git_dir`.
    """
    removed: list[str] = []
    if not git_dir.is_dir():
        return removed
    candidates = [git_dir / n for n in ("index.lock", "HEAD.lock", "ORIG_HEAD.lock",
                                        "config.lock", "packed-refs.lock", "shallow.lock",
                                        "FETCH_HEAD.lock", "MERGE_HEAD.lock")]  # fmt: skip
    refs = git_dir / "refs"
    if refs.is_dir():
        candidates += list(refs.rglob("*.lock"))
    for path in candidates:
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError:
            continue
        removed.append(str(path.relative_to(git_dir)))
    return removed


def explain_remote(detail: str, url: str) -> str:
    """A sentence for a remote that could not be reached or refused the push."""
    low = detail.lower()
    if "does not appear to be a git repository" in low or "not found" in low:
        why = "no git repository there"
    elif "could not resolve host" in low or "network is unreachable" in low:
        why = "the network or the host cannot be reached"
    elif "permission denied" in low or "authentication" in low or "terminal prompts" in low:
        why = "access was refused (check your SSH key or credentials)"
    else:
        why = detail
    return (
        f"the remote {url} cannot be reached: {why}. Nothing was lost: this machine's "
        "changes are committed locally and the next sync sends them"
    )
