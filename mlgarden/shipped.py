"""What mlgarden ships besides its code: the example graphs, the CSV datasets, the font, the icon.

The files stay where the project keeps them, at the top of the repository: the examples in
`saved_graphs/`, the CSVs in `datasets/`, the font and the icon in `assets/`. The build maps each
folder into the package as a data-only subpackage (pyproject.toml's `package-dir`):

    saved_graphs/  ->  mlgarden.example_graphs
    datasets/      ->  mlgarden.csv_datasets
    assets/        ->  mlgarden.assets

so a plain install copies them into site-packages/mlgarden/, and an editable install's finder
points those names at the repository's folders. Either way they are found by package name with
`importlib.resources`, never next to a source file. mlgarden is always installed unzipped, so each
folder is a real directory: `folder()` returns its Path, or None when the package is missing (the
source tree used without installing it), and callers then go without (no examples, no CSVs, the
default font).

Examples are named by their file stem (`arithmetic`, `final-boss`). An example is opened as an
untitled copy: the shipped file is never written (`is_example` tells a path inside the examples
folder, for the session's Save to refuse).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

EXAMPLES_PACKAGE = "mlgarden.example_graphs"
DATASETS_PACKAGE = "mlgarden.csv_datasets"
ASSETS_PACKAGE = "mlgarden.assets"
FONT_FILE = "DejaVuSans.ttf"
ICON_FILES = ("icon-32.png", "icon-64.png")  # the window's small and large icon
DESCRIPTION_WIDTH = 72


def folder(package: str) -> Path | None:
    """The folder of a data package, or None when it is not installed."""
    try:
        found = resources.files(package)
    except ModuleNotFoundError:
        return None
    return Path(str(found)) if found.is_dir() else None


def asset(name: str) -> Path | None:
    """A file in assets/ (the font, an icon), or None when it is missing."""
    assets = folder(ASSETS_PACKAGE)
    path = assets / name if assets is not None else None
    return path if path is not None and path.is_file() else None


def example_files() -> list[Path]:
    """The shipped example graphs, sorted by name."""
    examples = folder(EXAMPLES_PACKAGE)
    return sorted(examples.glob("*.yaml")) if examples is not None else []


def example_names() -> list[str]:
    return [path.stem for path in example_files()]


def example_file(name: str) -> Path | None:
    """The shipped file of the example `name` (its stem, `.yaml` optional), or None."""
    stem = name[:-len(".yaml")] if name.endswith(".yaml") else name
    return next((path for path in example_files() if path.stem == stem), None)


def is_example(path: str | Path) -> bool:
    """Whether `path` is one of the shipped example files (which are never written)."""
    examples = folder(EXAMPLES_PACKAGE)
    if examples is None:
        return False
    return Path(path).resolve().parent == examples.resolve()


def example_named_by(path: str | Path) -> str | None:
    """The example a path names: a shipped file, or a bare name (`arithmetic`) where no such
    file exists; None for any other path."""
    if is_example(path):
        return Path(path).stem
    text = str(path)
    if "/" in text or Path(text).exists():
        return None
    found = example_file(text)
    return found.stem if found is not None else None


def resolve(path: str) -> str:
    """What a command's FILE argument names: the shipped file of an example named by it (see
    `example_named_by`), else the path itself."""
    example = example_named_by(path)
    return str(example_file(example)) if example is not None else path


def one_line(description: str, width: int = DESCRIPTION_WIDTH) -> str:
    """A graph's description in one line: its first sentence, shortened to `width` with `…`."""
    text = " ".join(description.split())
    end = text.find(". ")
    sentence = text[:end + 1] if end >= 0 else text
    if len(sentence) <= width:
        return sentence
    return sentence[:width - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
