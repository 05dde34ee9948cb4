"""What mlgarden keeps for the user outside their graph files: recent files, recovery copies, and
whether the getting-started help has been shown.

Both live in one folder: $MLGARDEN_STATE_DIR if set (the tests set it), else
$XDG_STATE_HOME/mlgarden, else ~/.local/state/mlgarden.

- Recent files: a JSON list of absolute paths, newest first, at most ten, missing files dropped.
- Recovery: while a graph has unsaved changes the app writes a copy of it every few seconds to
  `recovery.yaml`, with `recovery.json` saying which file it belongs to. A clean save, or the user
  choosing to discard, removes both; so when the app starts and finds them, the last session ended
  without either (a crash, a kill) and the app offers to restore the copy.
- First launch: the app shows its getting-started help once; the empty file `seen_help` says it
  was shown, so later launches start without it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

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


def recovery_paths() -> tuple[Path, Path]:
    """(the recovery copy, the note saying which file it belongs to)."""
    folder = state_dir()
    return folder / "recovery.yaml", folder / "recovery.json"


def write_recovery_note(original: Path | None) -> None:
    _write_json(recovery_paths()[1], {"original": str(original) if original else None})


def read_recovery_note() -> Path | None:
    note = _read_json(recovery_paths()[1], {})
    original = note.get("original") if isinstance(note, dict) else None
    return Path(original) if isinstance(original, str) else None


def recovery_exists() -> bool:
    return recovery_paths()[0].is_file()


def help_seen() -> bool:
    return (state_dir() / "seen_help").is_file()


def mark_help_seen() -> None:
    """Remember that the getting-started help was shown; a read-only state folder is no error."""
    try:
        state_dir().mkdir(parents=True, exist_ok=True)
        (state_dir() / "seen_help").touch()
    except OSError:
        pass


def remove_recovery() -> None:
    for path in recovery_paths():
        try:
            path.unlink()
        except FileNotFoundError:
            pass
