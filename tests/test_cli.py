"""The command line, run in-process through `main([...])` and once as `python -m mlgarden`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

from mlgarden.cli import main
from mlgarden.files.fileformat import save
from mlgarden.document.graph import Document

ROOT = Path(__file__).resolve().parent.parent
ARITHMETIC = ROOT / "saved_graphs" / "arithmetic.yaml"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([str(arg) for arg in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def saved(tmp_path: Path, document: Document, name: str = "graph.yaml") -> Path:
    path = tmp_path / name
    save(document, path)
    return path


def assert_one_line_error(err: str, *fragments: str) -> None:
    assert err.count("\n") == 1 and err.startswith("mlgarden"), err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err, err


# --- check --------------------------------------------------------------------------------------


def test_check_prints_one_summary_line(capsys):
    code, out, err = run(capsys, "check", ARITHMETIC)
    assert (code, err) == (0, "")
    assert out == f"{ARITHMETIC}: 5 nodes (5 expanded, 3 params), 4 links, result r, loss none\n"


def test_check_counts_frozen_params_and_incomplete_nodes(capsys, tmp_path):
    document = Document()
    document.add_node("param", "w", value=1.0, trainable=False)
    document.add_node("tanh", "t")
    path = saved(tmp_path, document)
    code, out, _ = run(capsys, "check", path)
    assert code == 0
    assert out == (f"{path}: 2 nodes (2 expanded, 1 param, 1 frozen), 0 links, result none, loss none, "
                   "1 node not computed (an input is not connected)\n")


def test_check_reports_a_broken_file_in_one_line(capsys, tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("mlgarden: 1\nnodes:\n  - id: h3\n    op: tanh\n    inputs: [w9]\n", encoding="utf-8")
    code, out, err = run(capsys, "check", path)
    assert (code, out) == (2, "")
    assert_one_line_error(err, f"{path}, line 3: node 'h3' reads 'w9', which does not exist")


def test_check_a_missing_file(capsys, tmp_path):
    code, out, err = run(capsys, "check", tmp_path / "nowhere.yaml")
    assert (code, out) == (2, "")
    assert_one_line_error(err, "nowhere.yaml: no such file")


# --- eval ---------------------------------------------------------------------------------------


def test_eval_prints_the_arithmetic_example(capsys):
    code, out, err = run(capsys, "eval", ARITHMETIC)
    assert (code, err) == (0, "")
    rows = [line.split() for line in out.splitlines()]
    assert rows[0] == ["node", "op", "value", "gradient"]
    assert rows[1:6] == [["a", "param", "5", "2"], ["b", "param", "3", "2"], ["c", "param", "2", "8"],
                         ["s", "add", "8", "2"], ["r", "mul", "16", "1"]]
    assert out.splitlines()[-1] == "result r = 16, no loss node, gradients are of the result (no loss)"


def test_eval_columns_are_aligned(capsys):
    _, out, _ = run(capsys, "eval", ARITHMETIC)
    lines = out.splitlines()[:6]
    value_column = lines[0].index("value")
    assert all(line[value_column - 1] == " " and line[value_column] != " " for line in lines)


def test_eval_json_has_exactly_the_documented_shape(capsys):
    code, out, _ = run(capsys, "eval", ARITHMETIC, "--json")
    assert code == 0
    data = json.loads(out)
    assert data == {
        "nodes": {"a": {"value": 5.0, "grad": 2.0}, "b": {"value": 3.0, "grad": 2.0},
                  "c": {"value": 2.0, "grad": 8.0}, "s": {"value": 8.0, "grad": 2.0},
                  "r": {"value": 16.0, "grad": 1.0}},
        "result": "r",
        "loss": None,
        "gradients_of": "r",
    }


def data_point_graph() -> Document:
    """loss = (x * y - label)^2, to see that --x, --y and --label arrive."""
    document = Document()
    for op in ("x", "y", "label"):
        document.add_node(op, op)
    document.add_node("mul", "m", inputs=["x", "y"])
    document.add_node("squared_error", "e", inputs=["m", "label"])
    document.set_result("m")
    document.set_loss("e")
    return document


def test_eval_takes_the_data_point(capsys, tmp_path):
    path = saved(tmp_path, data_point_graph())
    code, out, _ = run(capsys, "eval", path, "--x", "2", "--y", "-3", "--label", "-1", "--json")
    assert code == 0
    nodes = json.loads(out)["nodes"]
    assert nodes["m"] == {"value": -6.0, "grad": -10.0}
    assert nodes["e"] == {"value": 25.0, "grad": 1.0}
    assert nodes["x"]["grad"] == 30.0 and nodes["label"]["value"] == -1.0


def test_eval_lists_incomplete_nodes_and_works_without_a_loss(capsys, tmp_path):
    document = Document()
    document.add_node("const", "k", value=2.0)
    document.add_node("add", "half", inputs=["k", None])
    path = saved(tmp_path, document)
    code, out, _ = run(capsys, "eval", path)
    assert code == 0
    assert out.splitlines()[1].split() == ["k", "const", "2", "-"]
    assert out.splitlines()[2].split()[:4] == ["half", "add", "not", "computed"]
    assert "(an input is not connected)" in out
    assert out.splitlines()[-1] == ("no result node, no loss node, no gradients without a computed "
                                    "loss or result")
    _, out, _ = run(capsys, "eval", path, "--json")
    assert json.loads(out) == {"nodes": {"k": {"value": 2.0, "grad": None}}, "result": None,
                               "loss": None, "gradients_of": None}


def test_eval_without_a_loss_gives_the_gradients_of_the_result(capsys, tmp_path):
    """The write-up's first graph: (a + b) * c, backprop starting at the result with gradient 1."""
    document = Document()
    for name, value in (("a", 5.0), ("b", 3.0), ("c", 2.0)):
        document.add_node("param", name, value=value)
    document.add_node("add", "s", inputs=["a", "b"])
    document.add_node("mul", "r", inputs=["s", "c"])
    document.set_result("r")
    path = saved(tmp_path, document)
    code, out, _ = run(capsys, "eval", path, "--json")
    assert code == 0
    answer = json.loads(out)
    grads = {node_id: numbers["grad"] for node_id, numbers in answer["nodes"].items()}
    assert grads == {"a": 2.0, "b": 2.0, "c": 8.0, "s": 2.0, "r": 1.0}
    assert answer["gradients_of"] == "r" and answer["loss"] is None
    _, out, _ = run(capsys, "eval", path)
    assert out.splitlines()[-1] == "result r = 16, no loss node, gradients are of the result (no loss)"
    document.add_node("square", "e", inputs=["r"])
    document.set_loss("e")
    _, out, _ = run(capsys, "eval", saved(tmp_path, document), "--json")
    assert json.loads(out)["nodes"]["r"]["grad"] == 32.0  # with a loss, backprop starts there


def test_eval_warns_about_a_non_finite_loss(capsys, tmp_path):
    document = Document()
    document.add_node("const", "k", value=-1.0)
    document.add_node("log", "lg", inputs=["k"])
    document.add_node("square", "sq", inputs=["lg"])
    document.set_loss("sq")
    path = saved(tmp_path, document)
    code, out, err = run(capsys, "eval", path)
    assert code == 0
    assert "lg" in out and "nan" in out
    assert err == ("mlgarden: warning: node 'lg' (log) is the first to give a non-finite value (nan); "
                   "the loss is nan\n")
    code, out, err = run(capsys, "eval", path, "--json")
    assert json.loads(out)["nodes"]["sq"] == {"value": None, "grad": 1.0}
    assert "node 'lg'" in err


# --- arguments ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["check"], "the following arguments are required: file"),
        (["eval", ARITHMETIC, "--x", "abc"], "argument --x: invalid float value: 'abc'"),
        (["eval", ARITHMETIC, "--z", "1"], "unrecognized arguments: --z 1"),
        (["frobnicate"], "frobnicate: not a command, a graph file (.yaml) or an example's name"),
        (["linaer"], "mlgarden examples the examples"),  # a mistyped example's name
        (["picture.png"], "picture.png: not a command, a graph file (.yaml)"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(capsys, argv, fragment):
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert_one_line_error(err, fragment, "--help")


def test_help_exits_0(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0
    assert "check" in out and "eval" in out


# --- opening the app ----------------------------------------------------------------------------


@pytest.fixture
def fake_app(monkeypatch):
    """Stand in for mlgarden.gui.app; records the paths run_app is given."""
    opened = []
    app = types.ModuleType("mlgarden.gui.app")
    app.run_app = lambda path: opened.append(path) or 7
    monkeypatch.setitem(sys.modules, "mlgarden.gui.app", app)
    return opened


@pytest.mark.parametrize(
    ("argv", "path"),
    [([], None), (["open"], None), (["open", "g.yaml"], "g.yaml"), (["g.yaml"], "g.yaml"),
     (["G.YML"], "G.YML")],
)
def test_the_app_opens_with_or_without_a_file(fake_app, argv, path):
    assert main(argv) == 7
    assert fake_app == [path]


def test_a_missing_app_is_one_line(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "mlgarden.gui.app", None)
    code, _, err = run(capsys, "open")
    assert code == 2
    assert_one_line_error(err, "cannot start the app")


# --- as a program -------------------------------------------------------------------------------


def python(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_python_m_mlgarden_check():
    finished = python("-m", "mlgarden", "check", "saved_graphs/arithmetic.yaml")
    assert (finished.returncode, finished.stderr) == (0, "")
    assert finished.stdout == ("saved_graphs/arithmetic.yaml: 5 nodes (5 expanded, 3 params), 4 links, "
                               "result r, loss none\n")


def test_python_m_mlgarden_check_a_missing_file():
    finished = python("-m", "mlgarden", "check", "saved_graphs/no-such-graph.yaml")
    assert finished.returncode == 2
    assert_one_line_error(finished.stderr, "no-such-graph.yaml: no such file")


def test_the_command_line_does_not_load_the_gui():
    code = ("import sys, mlgarden.cli; "
            "print([m for m in sys.modules if m.startswith('mlgarden.gui') or m.startswith('dearpygui')])")
    assert python("-c", code).stdout == "[]\n"


def test_the_app_without_a_display_is_one_line(tmp_path):
    """Over ssh with no X server, `mlgarden` says why it cannot open a window (it was a GLFW
    assertion and an abort, exit 134)."""
    environment = {name: value for name, value in os.environ.items()
                   if name not in ("DISPLAY", "WAYLAND_DISPLAY")}
    environment["HOME"] = str(tmp_path)
    environment["MLGARDEN_STATE_DIR"] = str(tmp_path / "state")
    finished = subprocess.run([sys.executable, "-m", "mlgarden", "open"], cwd=ROOT, env=environment,
                              capture_output=True, text=True, timeout=60)
    assert finished.returncode == 2
    assert_one_line_error(finished.stderr, "cannot open a window: no display",
                          "check, eval, train, render, gradcheck and export need none")
