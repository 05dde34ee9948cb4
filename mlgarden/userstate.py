"""What mlgarden keeps for the user outside their graph files: recent files, recovery copies, and
whether the getting-started help has been shown.

Both live in one folder: $MLGARDEN_STATE_DIR if set (the tests set it), else
$XDG_STATE_HOME/mlgarden, else ~/.local/state/mlgarden.

- Recent files: a JSON list of absolute paths, newest first, at most ten, missing files dropped;
  the menu names each by `distinct_names`, enough of its path to tell two files apart.
- Recovery: while a graph has unsaved changes the app writes a copy of it every few seconds. Each
  running instance has its own copy, `recovery/PID-TOKEN.yaml`, with `PID-TOKEN.json` saying which
  process wrote it and which file it belongs to (TOKEN is drawn when the process starts, so a
  later process that gets the same pid never writes over it). A clean save, or the user choosing to
  discard, removes only the instance's own copy; two instances never touch each other's. A copy
  whose process is gone (a crash, a kill) is an *orphan*: the next start offers to restore it,
  newest first, and only then is it removed. (A `recovery.yaml` of an older mlgarden, one copy for
  everyone, is offered as an orphan too.)
- First launch: the app shows its getting-started help once; the empty file `seen_help` says it
  was shown, so later launches start without it.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from mlgarden.atomic import process_is_running

RECENT_LIMIT = 10


def state_dir() -> Path:
    if os.environ.get("MLGARDEN_STATE_DIR"):
        return Path(os.environ["MLGARDEN_STATE_DIR"])
    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base) / "mlgarden"


def _read_json(path: Path, default):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return default


def _write_json(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(data, indent=1), encoding="utf-8")
    os.replace(temporary, path)


def recent_files() -> list[Path]:
    entries = _read_json(state_dir() / "recent.json", [])
    if not isinstance(entries, list):
        return []
    return [Path(p) for p in entries if isinstance(p, str) and Path(p).is_file()][:RECENT_LIMIT]


def add_recent_file(path: Path) -> None:
    """Put `path` first in the recent files; failures to write are not the user's problem."""
    path = Path(path).resolve()
    entries = [path] + [p for p in recent_files() if p != path]
    try:
        _write_json(state_dir() / "recent.json", [str(p) for p in entries[:RECENT_LIMIT]])
    except OSError:
        pass


def distinct_names(paths: list[Path]) -> list[str]:
    """What the Open Recent menu calls each path: its name, with as many of its folders in front
    as it takes to tell it from every other path of the list (a/graph.yaml, b/graph.yaml)."""
    names = []
    for path in paths:
        depth = 1
        while depth < len(path.parts) and any(
                other != path and other.parts[-depth:] == path.parts[-depth:] for other in paths):
            depth += 1
        names.append("/".join(path.parts[-depth:]) if depth > 1 else path.name)
    return names


@dataclass(frozen=True)
class RecoveryCopy:
    """One instance's copy of its unsaved work: the graph, its note, the process that wrote it
    (None for an old single copy) and the file the work belongs to (None for an untitled graph)."""

    graph: Path
    note: Path
    pid: int | None
    original: Path | None = None

    def belongs_to_a_running_process(self) -> bool:
        return self.pid is not None and process_is_running(self.pid)


def recovery_folder() -> Path:
    return state_dir() / "recovery"


_instance: tuple[int, str] | None = None  # (pid, its name) of this process, drawn once


def _instance_name() -> str:
    global _instance
    if _instance is None or _instance[0] != os.getpid():  # a forked child is another instance
        _instance = (os.getpid(), f"{os.getpid()}-{secrets.token_hex(4)}")
    return _instance[1]


def own_recovery() -> RecoveryCopy:
    """This running instance's recovery copy (its files may not exist yet)."""
    name = _instance_name()
    folder = recovery_folder()
    return RecoveryCopy(folder / f"{name}.yaml", folder / f"{name}.json", os.getpid(),
                        read_recovery_note(folder / f"{name}.json"))


def write_recovery_note(original: Path | None) -> None:
    _write_json(own_recovery().note, {"pid": os.getpid(),
                                      "original": str(original) if original else None})


def read_recovery_note(note: Path) -> Path | None:
    """The file a recovery copy belongs to, as its note says (None: untitled, or no note)."""
    data = _read_json(note, {})
    original = data.get("original") if isinstance(data, dict) else None
    return Path(original) if isinstance(original, str) else None


def recovery_exists() -> bool:
    """Whether this instance has a recovery copy on disk."""
    return own_recovery().graph.is_file()


def recovery_copies() -> list[RecoveryCopy]:
    """Every instance's recovery copy on disk, the most recently written first."""
    folder = recovery_folder()
    copies = []
    for graph in folder.glob("*.yaml") if folder.is_dir() else ():
        pid_text = graph.stem.partition("-")[0]
        note = graph.with_suffix(".json")
        copies.append(RecoveryCopy(graph, note, int(pid_text) if pid_text.isdigit() else None,
                                   read_recovery_note(note)))
    legacy = state_dir() / "recovery.yaml"
    if legacy.is_file():
        note = state_dir() / "recovery.json"
        copies.append(RecoveryCopy(legacy, note, None, read_recovery_note(note)))
    return sorted(copies, key=_modified, reverse=True)


def orphaned_recoveries() -> list[RecoveryCopy]:
    """The copies whose process is gone: the work of sessions that ended without saving."""
    own = own_recovery().graph
    return [copy for copy in recovery_copies()
            if copy.graph != own and not copy.belongs_to_a_running_process()]


def _modified(copy: RecoveryCopy) -> float:
    try:
        return copy.graph.stat().st_mtime
    except OSError:
        return 0.0


def remove_recovery(copy: RecoveryCopy | None = None) -> None:
    """Remove a recovery copy: this instance's own unless another is named."""
    copy = copy or own_recovery()
    for path in (copy.graph, copy.note):
        try:
            path.unlink()
        except FileNotFoundError:
            pass


def help_seen() -> bool:
    return (state_dir() / "seen_help").is_file()


def mark_help_seen() -> None:
    """Remember that the getting-started help was shown; a read-only state folder is no error."""
    try:
        state_dir().mkdir(parents=True, exist_ok=True)
        (state_dir() / "seen_help").touch()
    except OSError:
        pass

