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
  process's save in progress is left alone.
"""

from __future__ import annotations

import os
import re
import tempfile

NEW_FILE_MODE = 0o644


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
    """Remove the temporary files of earlier saves of `name` whose process has ended; return them."""
    pattern = re.compile(rf"\.{re.escape(name)}\.(\d+)\.[^./]+\.tmp")
    removed = []
    try:
        entries = os.listdir(folder)
    except OSError:
        return removed
    for entry in entries:
        match = pattern.fullmatch(entry)
        if match and not process_is_running(int(match.group(1))):
            try:
                os.remove(os.path.join(folder, entry))
                removed.append(entry)
            except OSError:
                pass
    return removed


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
