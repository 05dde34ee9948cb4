"""The shipped examples by name: `mlgarden examples` lists them, every command takes a name where
it takes a file, and opening one (at start, from the menu, by name or by its file) gives an
untitled copy whose Save asks where: the shipped file is never written."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from mlgarden import shipped, userstate
from mlgarden.cli import EXIT_FAILED, main
from mlgarden.files import fileformat
from mlgarden.session import DEFAULT_EXAMPLE, Session
from mlgarden.story import STORY

EXAMPLES = shipped.example_names()


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([str(arg) for arg in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_examples_are_found_by_name():
    assert len(EXAMPLES) >= 9 and {"arithmetic", "linear", DEFAULT_EXAMPLE} <= set(EXAMPLES)
    assert shipped.example_file("arithmetic").name == "arithmetic.yaml"
    assert shipped.example_file("arithmetic.yaml") == shipped.example_file("arithmetic")
    assert shipped.example_file("no-such-example") is None


def test_a_name_means_an_example_only_where_no_such_file_exists(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert shipped.example_named_by("arithmetic") == "arithmetic"
    assert shipped.example_named_by(shipped.example_file("linear")) == "linear"
    assert shipped.example_named_by("sub/arithmetic") is None
    (tmp_path / "arithmetic").write_text("a file of the user's")
    assert shipped.example_named_by("arithmetic") is None
    assert shipped.resolve("arithmetic") == "arithmetic"


@pytest.mark.parametrize(("description", "line"), [
    ("The arithmetic example from the write-up: r = (a + b) * c.\n\nMore.", "The arithmetic example "
     "from the write-up: r = (a + b) * c."),
    ("Short. And more.", "Short."),
    ("word " * 30, "word " * 13 + "word…"),
    ("", ""),
])
def test_one_line_is_the_first_sentence_cut_to_the_width(description, line):
    assert shipped.one_line(description) == line.strip() and len(shipped.one_line(description)) <= 72


# --- the command line ------------------------------------------------------------------------------


WRITE_UP_ORDER = ["arithmetic", "fit-ten", "line", "linear", "perceptrons-2-1", "donut-distance",
                  "mlp-2x4", "final-boss", "final-boss-built", "moons-mlp"]  # issue 11's order


def test_the_readme_names_the_examples_as_mlgarden_examples_does():
    """A reader types the names the README lists (`mlgarden perceptrons` failed: the example is
    perceptrons-2-1)."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    listed = " ".join(readme.split("the write-up's networks in order,", 1)[1].split(", each with")[0].split())
    assert [name.strip() for name in listed.split(",")] == WRITE_UP_ORDER


def test_mlgarden_examples_lists_the_write_ups_networks_in_order_each_with_its_line(capsys):
    code, out, err = run(capsys, "examples")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    names = [line.split()[0] for line in lines]
    assert names[:len(WRITE_UP_ORDER)] == WRITE_UP_ORDER
    assert sorted(names) == sorted(EXAMPLES)  # then any other shipped example
    story = dict(STORY)
    assert lines[0].split(None, 1)[1] == "(5 + 3) * 2 as a graph, and the gradients of its result"
    for name, line in zip(names, lines):
        description = fileformat.load(shipped.example_file(name)).description
        assert line.split(None, 1)[1] == story.get(name, shipped.one_line(description))


def test_mlgarden_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"mlgarden {metadata.version('mlgarden')}\n"


def test_every_command_takes_an_example_name(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "check", "arithmetic") == (0, "arithmetic: 5 nodes (5 expanded, 3 params), "
                                                     "4 links, result r, loss none\n", "")
    code, out, _ = run(capsys, "eval", "arithmetic", "--json")
    assert code == 0 and '"r": {"value": 16.0' in out
    code, out, _ = run(capsys, "train", "linear", "--dataset", "checkerboard", "--steps", "5")
    assert code == 0 and out.startswith("trained linear: 5 steps") and "on checkerboard" in out
    assert run(capsys, "render", "linear", "--out", tmp_path / "s.png", "--size", "16")[0] == 0
    assert (tmp_path / "s.png").read_bytes().startswith(b"\x89PNG")
    code, out, _ = run(capsys, "gradcheck", "arithmetic", "--json")
    assert code == 0 and '"max_relative_error"' in out
    code, out, _ = run(capsys, "export", "arithmetic", "--to", "python")
    assert code == 0 and out.startswith("#!/usr/bin/env python3")
    assert sorted(os.listdir(tmp_path)) == ["s.png"]


def test_output_to_a_closed_pipe_is_no_traceback(tmp_path):
    """As `mlgarden export ... | head` when head has stopped reading: no traceback, a failure exit."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run([sys.executable, "-m", "mlgarden", "export", "arithmetic", "--to", "python"],
                              cwd=tmp_path, stdout=write_end, stderr=subprocess.PIPE, timeout=60)
    finally:
        os.close(write_end)
    assert (done.returncode, done.stderr) == (EXIT_FAILED, b"")


def test_an_unknown_name_is_one_line(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "check", "no-such-example")
    assert (code, out) == (2, "")
    assert err == ("mlgarden: no-such-example: no such file, and no example of that name "
                   "(mlgarden examples lists them)\n")


@pytest.mark.parametrize("argv", [["arithmetic"], ["open", "arithmetic"]])
def test_mlgarden_name_opens_the_app_on_the_example(monkeypatch, argv):
    import types

    opened = []
    app = types.ModuleType("mlgarden.gui.app")
    app.run_app = lambda path: opened.append(path) or 0
    monkeypatch.setitem(sys.modules, "mlgarden.gui.app", app)
    assert main(argv) == 0 and opened == ["arithmetic"]


def test_python_m_mlgarden_runs_an_example_from_any_folder(tmp_path):
    finished = subprocess.run([sys.executable, "-m", "mlgarden", "eval", "arithmetic"], cwd=tmp_path,
                              capture_output=True, text=True, timeout=60)
    assert (finished.returncode, finished.stderr) == (0, "")
    assert "result r = 16" in finished.stdout
    assert os.listdir(tmp_path) == []


# --- an example opens as an untitled copy ----------------------------------------------------------


def shipped_bytes() -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in shipped.example_files()}


def test_an_example_opens_as_an_untitled_copy_and_save_asks_where(tmp_path):
    before = shipped_bytes()
    session = Session()
    assert session.open_example("linear")
    assert session.path is None and session.example == "linear"
    assert session.title == "mlgarden — linear (example)"
    weight = next(node.id for node in session.document.nodes.values() if node.op == "param")
    session.edit("set_value", weight, 0.25)
    assert session.title == "mlgarden — linear (example) *"
    assert not session.save() and session.status == "choose a file name first (Save As)"
    assert session.save(tmp_path / "mine")
    assert session.path == tmp_path / "mine.yaml" and session.example is None
    assert session.title == "mlgarden — mine.yaml"
    assert fileformat.load(tmp_path / "mine.yaml").nodes[weight].value == 0.25
    assert userstate.recent_files() == [tmp_path / "mine.yaml"]  # never the shipped file
    assert shipped_bytes() == before


@pytest.mark.parametrize("how", ["file", "name"])
def test_opening_a_shipped_file_or_name_gives_the_copy_too(tmp_path, monkeypatch, how):
    monkeypatch.chdir(tmp_path)
    session = Session()
    assert session.open(shipped.example_file("arithmetic") if how == "file" else "arithmetic")
    assert (session.path, session.example) == (None, "arithmetic")
    assert userstate.recent_files() == []


def test_saving_onto_a_shipped_example_is_refused():
    before = shipped_bytes()
    session = Session()
    assert session.open_example("arithmetic")
    target = shipped.example_file("arithmetic")
    assert not session.save(target)
    assert session.status == ("arithmetic.yaml is a shipped example, never overwritten: "
                              "save your copy elsewhere")
    assert not session.save(target.with_name("new-one.yaml"))
    assert not target.with_name("new-one.yaml").exists()
    assert shipped_bytes() == before


def test_an_unknown_example_keeps_the_open_graph():
    session = Session()
    assert session.open_example("arithmetic")
    assert not session.open_example("no-such-example")
    assert session.status == "there is no example called 'no-such-example'"
    assert session.example == "arithmetic"
