"""Export to Python and to PyTorch: the scripts compute what `mlgarden eval` computes.

The Python script must print exactly `mlgarden eval --json`'s bytes, run by an interpreter that
cannot see mlgarden or numpy (`python -I -S`). The torch script must agree to a tight tolerance
(torch's own tanh, exp, ... differ in the last bits). Both are checked on every shipped example,
as separate processes, and on random graphs (hypothesis, tests/helpers.random_graphs), some with
parts collapsed into functions, in-process by running the generated text.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from helpers import document_of, random_graphs
from mlgarden.document import function_edits
from mlgarden.cli import main
from mlgarden.document.graph import Document, GraphError
from mlgarden.engine.ops import OPS
from mlgarden.engine.report import evaluation_json
from mlgarden.export.python_script import export_python
from mlgarden.export.torch_script import MODULE_ATTRIBUTES, TORCH_FUNCTIONS, export_torch
from mlgarden.files import fileformat

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "saved_graphs").glob("*.yaml"))
POINT = ("--x", "0.3", "--y", "-0.7", "--label", "-1")
RANDOM = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def eval_output(capsys, path: Path, *argv: str) -> str:
    assert main(["eval", str(path), "--json", *argv]) == 0
    return capsys.readouterr().out


def exported(capsys, path: Path, kind: str, out: Path) -> Path:
    assert main(["export", str(path), "--to", kind, "-o", str(out)]) == 0
    assert capsys.readouterr().out == f"wrote {out}\n"
    return out


def script_namespace(text: str) -> dict:
    namespace = {"__name__": "exported"}
    exec(compile(text, "<exported>", "exec"), namespace)
    return namespace


def reference_report(document: Document, x: float, y: float, label: float) -> dict:
    program = document.program()
    return evaluation_json(program, program.evaluate_point(document.leaf_values(program), x, y, label))


def collapsed_randomly(document: Document, data) -> Document:
    """The document with up to two random connected groups collapsed into functions."""
    for round_number in range(data.draw(st.integers(0, 2))):
        ids = list(document.nodes)
        chosen = [data.draw(st.sampled_from(ids))]
        for _ in range(data.draw(st.integers(0, 5))):
            around = sorted({n for c in chosen for n in document.source_ids(c) if n is not None}
                            | {reader for c in chosen for reader, _ in document.consumers(c)})
            around = [n for n in around if n not in chosen]
            if around:
                chosen.append(data.draw(st.sampled_from(around)))
        try:
            function_edits.collapse(document, chosen, f"group{round_number}")
        except GraphError:
            continue
    return document


# --- plain Python --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.stem)
def test_the_python_script_prints_exactly_what_eval_prints(path, capsys, tmp_path):
    script = exported(capsys, path, "python", tmp_path / "graph.py")
    for point in ((), POINT):
        run = subprocess.run([sys.executable, "-I", "-S", str(script), "--json", *point],
                             capture_output=True, text=True, check=True)  # -I -S: no mlgarden, no numpy
        assert run.stdout == eval_output(capsys, path, *point)


@RANDOM
@given(graph=random_graphs(max_nodes=40), data=st.data())
def test_the_python_script_of_a_random_graph_matches_eval_to_the_bit(graph, data):
    document = collapsed_randomly(document_of(graph), data)
    namespace = script_namespace(export_python(document))
    leaves = [value for _, value, _ in namespace["LEAVES"]]
    for x, y, label in ((0.3, -0.7, 1.0), (-1.2, 0.4, -1.0)):
        expected = json.dumps(reference_report(document, x, y, label), allow_nan=False)
        assert json.dumps(namespace["evaluation_json"](leaves, x, y, label), allow_nan=False) == expected


def called_again(document: Document, data) -> Document:
    """Each function called up to three more times on random nodes, a random body param shared
    by every call, and the loss a sum over the old loss and the new calls' outputs."""
    readers = []
    for name, definition in list(document.functions.items()):
        params = [node_id for node_id, node in definition.nodes.items() if node.op == "param"]
        if params and data.draw(st.booleans()):
            function_edits.set_shared(document, name, data.draw(st.sampled_from(params)), True)
        plain = [node_id for node_id, node in document.nodes.items() if node.op != "call"]
        for _ in range(data.draw(st.integers(0, 3)) if plain and definition.output_ids() else 0):
            pins = [data.draw(st.sampled_from(plain)) for _ in definition.input_ids()]
            readers.append(document.add_node("call", function=name, inputs=pins))
    roots = [document.loss] if document.loss else []
    if roots + readers:
        document.set_loss(document.add_node("sum", "total", inputs=roots + readers))
    return document


@RANDOM
@given(graph=random_graphs(max_nodes=30), data=st.data())
def test_each_function_is_written_once_and_every_call_of_it_matches_eval_to_the_bit(graph, data):
    document = called_again(collapsed_randomly(document_of(graph), data), data)
    source = export_python(document)
    calls = [node for node in document.nodes.values() if node.op == "call"]
    assert len(re.findall(r"^def \w+\(tape, at", source, re.MULTILINE)) == len(document.functions)
    assert len(re.findall(r"\(tape, '[^']*/'", source)) == len(calls)  # one line per top-level call
    namespace = script_namespace(source)
    leaves = [value for _, value, _ in namespace["LEAVES"]]
    for x, y, label in ((0.3, -0.7, 1.0), (-1.2, 0.4, -1.0)):
        expected = json.dumps(reference_report(document, x, y, label), allow_nan=False)
        assert json.dumps(namespace["evaluation_json"](leaves, x, y, label), allow_nan=False) == expected
    event(f"{len(calls)} calls of {len(document.functions)} functions")


def awkward_ids_graph() -> Document:
    """Ids that are keywords, builtins, helper and argument names, or hold '.' and '-'."""
    document = Document()
    document.add_node("x", "x")
    document.add_node("param", "class", value=0.5)
    document.add_node("param", "tanh", value=-0.25)
    document.add_node("param", "forward", value=1.5, trainable=False)
    document.add_node("const", "_private", value=2.0)
    document.add_node("mul", "grad_x", inputs=["class", "x"])
    document.add_node("add", "a.b-c", inputs=["grad_x", "tanh"])
    document.add_node("tanh", "L", inputs=["a.b-c"])
    document.add_node("mul", "label", inputs=["L", "forward"])
    document.add_node("mul", "print", inputs=["label", "_private"])
    document.add_node("label", "target")
    document.add_node("squared_error", "sum", inputs=["print", "target"])
    document.set_result("print")
    document.set_loss("sum")
    return document


def test_awkward_node_ids_become_distinct_identifiers(capsys, tmp_path):
    path = tmp_path / "awkward.yaml"
    fileformat.save(awkward_ids_graph(), path)
    script = exported(capsys, path, "python", tmp_path / "awkward.py")
    text = script.read_text()
    # the node grad_x keeps its name, so x's gradient becomes grad_x_2
    assert re.search(r"^    a_b_c = grad_x \+ tanh_2\n", text, re.MULTILINE)
    run = subprocess.run([sys.executable, "-I", "-S", str(script), "--json", *POINT],
                         capture_output=True, text=True, check=True)
    assert run.stdout == eval_output(capsys, path, *POINT)


def write_points(path: Path, points) -> Path:
    rows = "".join(f"{float(x)!r},{float(y)!r},{float(label):g}\n" for x, y, label in points)
    path.write_text("x,y,label\n" + rows)
    return path


def functions_graph() -> Document:
    """final-boss-built (two functions, three calls), one param shared by both sine_feature calls."""
    document = fileformat.load(next(path for path in EXAMPLES if path.stem == "final-boss-built"))
    function_edits.set_shared(document, "sine_feature", "a", True)
    return document


@pytest.mark.parametrize("make", [awkward_ids_graph, functions_graph], ids=["straight lines", "functions"])
def test_one_full_batch_sgd_step_moves_each_trained_param_by_the_engines_gradient(make, capsys, tmp_path):
    document = make()
    points = [(0.5, 0.1, 1.0), (-0.3, 0.7, -1.0), (1.1, -0.2, 1.0)]
    data = write_points(tmp_path / "data.csv", points)
    namespace = script_namespace(export_python(document))
    assert namespace["main"](["--train", str(data), "--steps", "1", "--batch-size", "3", "--lr", "0.1",
                              "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    program = document.program()
    leaves = np.array(document.leaf_values(program))
    xs, ys, labels = (np.array(column) for column in zip(*points))
    grads = program.evaluate_batch(leaves, xs, ys, labels).leaf_grads
    for k, leaf_id in enumerate(program.leaf_ids):
        trained = document.flat_node(leaf_id).op == "param" and document.flat_node(leaf_id).trainable
        expected = leaves[k] - 0.1 * grads[k] if trained else leaves[k]
        assert report["nodes"][leaf_id]["value"] == pytest.approx(expected, rel=1e-13, abs=1e-15), leaf_id
    frozen = [leaf_id for leaf_id in program.leaf_ids
              if document.flat_node(leaf_id).op != "param" or not document.flat_node(leaf_id).trainable]
    assert frozen and all(report["nodes"][leaf_id]["value"] == leaves[program.leaf_index[leaf_id]]
                          for leaf_id in frozen)


def test_training_the_exported_line_example_lowers_its_loss(capsys, tmp_path):
    path = next(path for path in EXAMPLES if path.stem == "linear")
    script = exported(capsys, path, "python", tmp_path / "linear.py")
    document = fileformat.load(path)
    from mlgarden.learning.datasets import load_dataset
    settings_ = document.dataset
    full = load_dataset(settings_.name, settings_.points, settings_.noise, settings_.seed)
    data = write_points(tmp_path / "points.csv", zip(full.points[:, 0], full.points[:, 1], full.labels))
    run = subprocess.run([sys.executable, "-I", "-S", str(script), "--train", str(data), "--steps", "200"],
                         capture_output=True, text=True, check=True)
    losses = [float(line.rsplit(" ", 1)[1]) for line in run.stderr.splitlines()]
    assert len(losses) == 10 and losses[-1] < losses[0]
    assert run.stdout.startswith("node ")


def test_a_broken_csv_is_named_with_its_line(capsys, tmp_path):
    namespace = script_namespace(export_python(awkward_ids_graph()))
    data = tmp_path / "bad.csv"
    data.write_text("x,y,label\n0.5,0.1,1\n0.2,oops,1\n")
    with pytest.raises(SystemExit, match=r"bad.csv: line 3: expected three numbers"):
        namespace["main"](["--train", str(data)])


# --- PyTorch ---------------------------------------------------------------------------------------


def assert_close_reports(actual: dict, expected: dict) -> None:
    assert list(actual["nodes"]) == list(expected["nodes"])
    assert (actual["result"], actual["loss"]) == (expected["result"], expected["loss"])
    for node_id, numbers in expected["nodes"].items():
        for key, number in numbers.items():
            other = actual["nodes"][node_id][key]
            assert (number is None) == (other is None), (node_id, key, number, other)
            if number is not None:
                assert math.isclose(other, number, rel_tol=1e-9, abs_tol=1e-12), (node_id, key, number, other)


def test_every_function_a_forward_template_calls_has_a_torch_version():
    called = {name for op in OPS.values() for name in re.findall(r"\b([a-z_]+)\(", op.forward)}
    assert called <= set(TORCH_FUNCTIONS)


def test_the_module_attribute_list_covers_torchs_own():
    torch = pytest.importorskip("torch")
    public = {name for name in dir(torch.nn.Module) if not name.startswith("_")}
    assert public - {"T_destination"} <= MODULE_ATTRIBUTES


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.stem)
def test_the_torch_script_prints_what_eval_prints(path, capsys, tmp_path):
    pytest.importorskip("torch")
    script = exported(capsys, path, "torch", tmp_path / "graph_torch.py")
    run = subprocess.run([sys.executable, str(script), "--json", *POINT], capture_output=True, text=True,
                         check=True)
    assert_close_reports(json.loads(run.stdout), json.loads(eval_output(capsys, path, *POINT)))


@RANDOM
@given(graph=random_graphs(max_nodes=30), data=st.data())
def test_the_torch_script_of_a_random_graph_matches_eval(graph, data):
    pytest.importorskip("torch")
    document = collapsed_randomly(document_of(graph), data)
    expected = reference_report(document, 0.3, -0.7, 1.0)
    assume(all(n["value"] is not None and n["grad"] is not None for n in expected["nodes"].values())
           or expected["loss"] is None)
    source = export_torch(document)
    assert source.count("(nn.Module):") == len(document.functions) + 1  # each function once, and Model
    namespace = script_namespace(source)
    assert_close_reports(namespace["evaluation_json"](namespace["Model"](), 0.3, -0.7, 1.0), expected)
    event(f"{len(document.functions)} functions")


def test_the_torch_model_trains_on_batches_like_the_engine():
    torch = pytest.importorskip("torch")
    path = next(path for path in EXAMPLES if path.stem == "final-boss-built")
    document = fileformat.load(path)
    namespace = script_namespace(export_torch(document))
    model = namespace["Model"]()
    names = dict(model.named_parameters())
    assert "sine_feature1.a" in names and isinstance(names["sine_feature1.a"], torch.nn.Parameter)
    source = export_torch(document)
    assert source.count("class SineFeature(nn.Module)") == 1 and source.count("= SineFeature()") >= 2
    xs, ys, labels = np.array([0.3, -1.2, 0.8]), np.array([-0.7, 0.4, 1.1]), np.array([1.0, -1.0, 1.0])
    result, loss = model(*(torch.tensor(column, dtype=torch.float64) for column in (xs, ys, labels)))
    assert result.shape == loss.shape == (3,)
    loss.mean().backward()
    program = document.program()
    batch = program.evaluate_batch(np.array(document.leaf_values(program)), xs, ys, labels)
    assert float(loss.mean().detach()) == pytest.approx(batch.loss, rel=1e-12)
    paths = {leaf_id: path for leaf_id, path, _ in namespace["LEAVES"]}
    for k, leaf_id in enumerate(program.leaf_ids):
        if document.flat_node(leaf_id).op == "param":
            grad = model.get_parameter(paths[leaf_id]).grad
            assert float(grad) == pytest.approx(batch.leaf_grads[k], rel=1e-9, abs=1e-12), leaf_id


def test_awkward_ids_in_the_torch_script(capsys, tmp_path):
    pytest.importorskip("torch")
    document = awkward_ids_graph()
    namespace = script_namespace(export_torch(document))
    model = namespace["Model"]()
    assert {name for name, _ in model.named_parameters()} == {"class_2", "tanh", "forward_2"}
    assert {name for name, _ in model.named_buffers()} == {"n_private"}
    assert_close_reports(namespace["evaluation_json"](model, 0.3, -0.7, -1.0),
                         reference_report(document, 0.3, -0.7, -1.0))


# --- the command ---------------------------------------------------------------------------------


def test_export_without_out_prints_the_script(capsys):
    path = next(path for path in EXAMPLES if path.stem == "arithmetic")
    assert main(["export", str(path), "--to", "python"]) == 0
    assert capsys.readouterr().out.startswith('#!/usr/bin/env python3\n"""arithmetic: a graph exported')


def test_export_reports_an_unwritable_target_in_one_line(capsys, tmp_path):
    path = next(path for path in EXAMPLES if path.stem == "arithmetic")
    assert main(["export", str(path), "--to", "torch", "-o", str(tmp_path / "missing" / "out.py")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "could not write the script" in err


def test_names_are_identifiers_that_shadow_nothing():
    from mlgarden.export.names import NameTable, identifier

    assert identifier("f1/g2/w1") == "f1_g2_w1" and identifier("perceptron::b") == "perceptron__b"
    assert identifier("a.b-c") == "a_b_c" and identifier("9lives") == "n_9lives"
    table = NameTable(reserved={"tanh"})
    taken = [table.take(text) for text in ("tanh", "class", "print", "w-1", "w_1", "w.1")]
    assert taken == ["tanh_2", "class_2", "print_2", "w_1", "w_1_2", "w_1_3"]
    assert all(name.isidentifier() for name in taken)


def test_a_param_shared_by_every_instance_lives_once_on_the_model(capsys, tmp_path):
    torch = pytest.importorskip("torch")
    document = fileformat.load(next(path for path in EXAMPLES if path.stem == "final-boss-built"))
    function_edits.set_shared(document, "sine_feature", "a", True)
    namespace = script_namespace(export_torch(document))
    model = namespace["Model"]()
    names = [name for name, _ in model.named_parameters()]
    assert "sine_feature__a" in names and not any(name.endswith(".a") for name in names)
    assert isinstance(model.get_parameter("sine_feature__a"), torch.nn.Parameter)
    assert_close_reports(namespace["evaluation_json"](model, 0.3, -0.7, 1.0),
                         reference_report(document, 0.3, -0.7, 1.0))
    python = script_namespace(export_python(document))
    leaves = [value for _, value, _ in python["LEAVES"]]
    assert python["evaluation_json"](leaves, 0.3, -0.7, 1.0) == reference_report(document, 0.3, -0.7, 1.0)


def test_the_session_exports_and_says_where_or_why_not(monkeypatch, tmp_path):
    from mlgarden.session import Session

    monkeypatch.setenv("MLGARDEN_STATE_DIR", str(tmp_path / "state"))
    session = Session(awkward_ids_graph())
    assert session.export_python(tmp_path / "out.py")
    assert session.status == f"exported the graph as Python to {tmp_path / 'out.py'}"
    assert (tmp_path / "out.py").read_text() == export_python(session.document, "out")
    assert not session.export_python(tmp_path / "missing" / "out.py")
    assert session.status == "could not write out.py: No such file or directory"
