"""mlgarden installs like a package: the wheel a plain `pip install .` builds holds every module
and every shipped file (examples, CSV datasets, the font, its licence and the icons), mapped from
the repository's top folders into the package; the icons are what scripts/make_icon.py draws."""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import numpy as np

from mlgarden import shipped

REPO = Path(__file__).resolve().parent.parent
SHIPPED_FOLDERS = {"saved_graphs": "mlgarden/example_graphs", "datasets": "mlgarden/csv_datasets",
                   "assets": "mlgarden/assets"}
SHIPPED_PATTERNS = {"saved_graphs": ["*.yaml"], "datasets": ["*.csv"],
                    "assets": ["*.ttf", "*.png", "*.txt"]}


def build_wheel(tmp_path: Path) -> zipfile.ZipFile:
    """Build the wheel from a copy of the source (a build writes build/ and *.egg-info/ beside
    pyproject.toml, and the clone must stay as it was)."""
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    for folder in ("mlgarden", *SHIPPED_FOLDERS):
        shutil.copytree(REPO / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__"))
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet",
                            "--wheel-dir", str(tmp_path / "wheel"), str(source)],
                           capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert built.returncode == 0, built.stderr
    return zipfile.ZipFile(next((tmp_path / "wheel").glob("mlgarden-*.whl")))


def test_the_wheel_holds_every_module_and_every_shipped_file(tmp_path):
    names = set(build_wheel(tmp_path).namelist())
    modules = {path.relative_to(REPO).as_posix() for path in (REPO / "mlgarden").rglob("*.py")}
    assert modules - names == set(), "modules missing from the wheel: add their package to pyproject"
    for folder, patterns in SHIPPED_PATTERNS.items():
        files = [path for pattern in patterns for path in (REPO / folder).glob(pattern)]
        assert files, folder
        for path in files:
            assert f"{SHIPPED_FOLDERS[folder]}/{path.name}" in names, path
    assert not any(name.startswith(("saved_graphs/", "datasets/", "assets/", "tests/")) for name in names)


def test_the_installed_package_finds_its_shipped_files_by_package():
    """Here the package is installed editable: the data packages are the repository's folders."""
    assert shipped.folder(shipped.EXAMPLES_PACKAGE) == REPO / "saved_graphs"
    assert shipped.folder(shipped.DATASETS_PACKAGE) == REPO / "datasets"
    assert shipped.asset(shipped.FONT_FILE) == REPO / "assets" / "DejaVuSans.ttf"
    licence = (REPO / "assets" / "DejaVuSans-LICENSE.txt").read_text("utf-8")
    assert "Permission is hereby granted" in licence and "DejaVu changes are in public domain" in licence
    assert shipped.folder("mlgarden.no_such_data") is None


def read_png(path: Path) -> np.ndarray:
    """The pixels of a PNG that png.write made (one IDAT, every row unfiltered)."""
    data = path.read_bytes()
    width, height, _, colour_type = struct.unpack(">IIBB", data[16:26])
    idat_length = struct.unpack(">I", data[33:37])[0]
    rows = zlib.decompress(data[41:41 + idat_length])
    channels = {2: 3, 6: 4}[colour_type]
    return np.frombuffer(rows, np.uint8).reshape(height, 1 + width * channels)[:, 1:].reshape(
        height, width, channels)


def test_the_icons_are_what_the_script_draws(tmp_path):
    sys.path.insert(0, str(REPO / "scripts"))
    try:
        import make_icon
    finally:
        sys.path.remove(str(REPO / "scripts"))
    for name, size in zip(shipped.ICON_FILES, make_icon.SIZES):
        committed = read_png(shipped.asset(name))
        assert committed.shape == (size, size, 4)
        # compared pixel by pixel within one level: tanh may differ in its last bit between CPUs
        difference = np.abs(committed.astype(int) - make_icon.icon(size).astype(int))
        assert difference.max() <= 1, name
        assert 0 < (committed[..., 3] == 0).sum() < size * size / 4  # rounded corners, transparent
