"""The Open / Save As dialog's listing, as data: ".." first, folders, then graph files, and sizes
in plain bytes, KB and MB whatever the locale."""

import locale

import pytest

from mlgarden.gui.file_browser import listing, size_text


@pytest.mark.parametrize("size, text", [(0, "0 B"), (1023, "1023 B"), (1024, "1.0 KB"),
                                        (1536, "1.5 KB"), (1024 * 1024, "1.0 MB"),
                                        (5 * 1024**3, "5.0 GB")])
def test_sizes_are_plain_bytes_kb_and_mb(size, text):
    assert size_text(size) == text


def test_sizes_ignore_the_locale():
    for name in ("de_DE.UTF-8", "fr_FR.UTF-8"):
        try:
            locale.setlocale(locale.LC_ALL, name)
        except locale.Error:
            continue
        try:
            assert size_text(1536) == "1.5 KB"
        finally:
            locale.setlocale(locale.LC_ALL, "C")


def test_the_listing_puts_dot_dot_first_then_folders_then_graph_files(tmp_path):
    (tmp_path / "zeta").mkdir()
    (tmp_path / "Alpha").mkdir()
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "b.yaml").write_bytes(b"x" * 2048)
    (tmp_path / "A.yml").write_bytes(b"x" * 10)
    (tmp_path / "notes.txt").write_text("not a graph")
    entries = listing(tmp_path)
    assert [entry.name for entry in entries] == ["..", "Alpha/", "zeta/", "A.yml", "b.yaml"]
    assert entries[0].path == tmp_path.parent and entries[0].is_folder
    assert [entry.size for entry in entries[-2:]] == ["10 B", "2.0 KB"]
    with_all = [entry.name for entry in listing(tmp_path, all_files=True)]
    assert with_all == ["..", "Alpha/", "zeta/", "A.yml", "b.yaml", "notes.txt"]


def test_the_top_of_the_file_system_has_no_dot_dot():
    from pathlib import Path

    root = Path(Path.cwd().anchor)
    assert all(entry.name != ".." for entry in listing(root))
