"""Writing a file so that it is the old file or the new one, never half of each, and never a
surprise to the user who owns it.

`write_atomically(path, data)` writes the bytes to a temporary file in the target's folder,
flushes them to disk and only then renames it over the target, so a failed or killed save leaves
the previous file as it was. Around that:

- a symbolic link is followed: the file it points to is written and the link stays a link (a plain
  rename would replace the link with a file);
- the saved file keeps the permission bits the target had (a new file gets 0644, the usual mode);
- a read-only target (no write permission bit, or not writable by this user) is refused with
  ReadOnlyFile: renaming over it would work, but the user said it must not change;
- the temporary file is named `.NAME.PID.RANDOM.tmp`; one left behind by a save whose process is
  gone (killed mid-write) is removed by the next save of the same file, while another running
  process's save in progress is left alone. Earlier mlgardens named it `.NAME.RANDOM.tmp`, without
  the pid: such a file is removed once it is STALE_SECONDS old (no save takes that long).

It imports nothing of mlgarden, so every layer may use it: graph files and PNGs (files/), the
CSV export (learning/custom_data.py), the recovery copies (userstate.py).
"""

from __future__ import annotations

import os
import re
import tempfile
import time

NEW_FILE_MODE = 0o644
STALE_SECONDS = 600  # a temporary file without a pid this old belongs to no save in progress


class ReadOnlyFile(OSError):
    """The target exists and is read-only."""


def write_atomically(path, data: bytes) -> None:
    """Replace the file at `path` (through a symlink, its target) with `data`, atomically."""
    target = os.path.realpath(os.fspath(path))
    folder, name = os.path.split(target)
    mode = _existing_mode(target)
    if mode is not None and (not mode & 0o222 or not os.access(target, os.W_OK)):
        raise ReadOnlyFile("the file is read-only")
    remove_leftovers(folder, name)
    temporary = None
    try:
        with tempfile.NamedTemporaryFile("wb", dir=folder, prefix=f".{name}.{os.getpid()}.",
                                         suffix=".tmp", delete=False) as handle:
            temporary = handle.name
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, NEW_FILE_MODE if mode is None else mode)  # tempfile makes it 0600
        os.replace(temporary, target)
    except BaseException:
        if temporary is not None and os.path.exists(temporary):
            os.remove(temporary)
        raise


def remove_leftovers(folder: str, name: str) -> list[str]:
    """Remove the temporary files of earlier saves of `name` that no running save owns: those whose
    process has ended, and those named without a pid that are STALE_SECONDS old; return them."""
    with_pid = re.compile(rf"\.{re.escape(name)}\.(\d+)\.[^./]+\.tmp")
    without_pid = re.compile(rf"\.{re.escape(name)}\.[a-z0-9_]{{8}}\.tmp")
    removed = []
    try:
        entries = os.listdir(folder)
    except OSError:
        return removed
    for entry in entries:
        match = with_pid.fullmatch(entry)
        if match:
            abandoned = not process_is_running(int(match.group(1)))
        else:
            abandoned = bool(without_pid.fullmatch(entry)) and _is_stale(os.path.join(folder, entry))
        if abandoned:
            try:
                os.remove(os.path.join(folder, entry))
                removed.append(entry)
            except OSError:
                pass
    return removed


def _is_stale(path: str) -> bool:
    try:
        return time.time() - os.stat(path).st_mtime > STALE_SECONDS
    except OSError:
        return False


def process_is_running(pid: int) -> bool:
    """Whether a process with this id exists (on this machine)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, owned by someone else
        return True
    except OverflowError:
        return False
    return True


def _existing_mode(path: str) -> int | None:
    try:
        return os.stat(path).st_mode & 0o777
    except OSError:
        return None
