"""The gradient check: finite differences agree with the engine on every example, a kink is
reported as a kink, and a wrong derivative in the op table is caught and shown with both numbers."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import document_of, random_graphs
from mlgarden.cli import main
from mlgarden.document.graph import Document, GraphError
from mlgarden.engine.ops import OPS
from mlgarden.files import fileformat
from mlgarden.learning.datasets import load_dataset
from mlgarden.engine.nudge import PointNudges
from mlgarden.learning.gradcheck import THRESHOLD, check_at_point, check_on_batch

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "saved_graphs").glob("*.yaml"))
# arithmetic, the write-up's first graph, has a result and no loss: nothing to train, nothing to check
EXAMPLES_WITH_A_LOSS = [path for path in EXAMPLES if fileformat.load(path).loss is not None]


def first_points(document: Document, count: int):
    settings_ = document.dataset
    full = load_dataset(settings_.name, settings_.points, settings_.noise, settings_.seed)
    return full.points[:count, 0], full.points[:count, 1], full.labels[:count]


@pytest.mark.parametrize("path", EXAMPLES_WITH_A_LOSS, ids=lambda path: path.stem)
def test_every_example_passes_at_a_point_and_on_a_batch(path):
    document = fileformat.load(path)
    checks = (check_at_point(document, 0.3, -0.4, -1.0),
              check_on_batch(document, *first_points(document, 16)))
    for check in checks:
        assert check.passed, check.summary_lines()
        assert check.max_relative_error < THRESHOLD
        params = [leaf for leaf in document.program().leaf_ids if document.flat_node(leaf).op == "param"]
        assert [param.param_id for param in check.params] == params


def one_op_graph(op: str, value: float, second: float | None = None) -> Document:
    document = Document()
    document.add_node("param", "w", value=value)
    inputs = ["w"]
    if second is not None:
        document.add_node("param", "v", value=second)
        inputs.append("v")
    document.add_node(op, "k", inputs=inputs)
    document.add_node("square", "loss", inputs=["k"])
    document.set_loss("loss")
    return document


@pytest.mark.parametrize("op, value, second, kink", [
    ("relu", 0.0, None, "relu at 0, node 'k'"),
    ("abs", 0.0, None, "abs at 0, node 'k'"),
    ("max", 0.5, 0.5, "max of two equal inputs, node 'k'"),
    ("relu", 5e-5, None, "relu at 0, node 'k'"),  # not at the kink, but a nudge crosses it
])
def test_a_param_whose_nudges_cross_a_kink_is_a_kink_not_a_failure(op, value, second, kink):
    check = check_at_point(one_op_graph(op, value, second), 0.0, 0.0, 1.0)
    assert all(param.kink == kink for param in check.params) and check.passed
    assert check.max_relative_error == 0.0  # a kink is not counted
    assert f"'w': at a kink ({kink}): engine " in "\n".join(check.summary_lines())


def test_a_param_away_from_the_kink_is_checked_as_usual():
    check = check_at_point(one_op_graph("relu", 0.5), 0.0, 0.0, 1.0)
    assert check.params[0].kink is None and check.params[0].analytic == 1.0
    assert check.params[0].relative_error < 1e-9


def test_a_wrong_derivative_in_the_op_table_is_caught_with_both_numbers(monkeypatch, capsys, tmp_path):
    document = one_op_graph("tanh", 0.3)
    monkeypatch.setitem(OPS, "tanh", dataclasses.replace(OPS["tanh"], derivatives=("1.0",)))
    check = check_at_point(document, 0.0, 0.0, 1.0)
    assert not check.passed and [failure.param_id for failure in check.failures] == ["w"]
    failure = check.failures[0]
    assert failure.analytic == pytest.approx(2 * np.tanh(0.3), rel=1e-12)  # 2 tanh(w) * the wrong 1.0
    assert failure.numeric == pytest.approx(2 * np.tanh(0.3) * (1 - np.tanh(0.3) ** 2), rel=1e-9)
    path = tmp_path / "wrong.yaml"
    fileformat.save(document, path)
    assert main(["gradcheck", str(path)]) == 1
    out = capsys.readouterr().out
    assert "FAILED for 1 of them" in out and f"'w': engine {failure.analytic:.10g}, finite difference" in out


def test_a_graph_without_a_loss_or_a_result_is_refused_with_a_reason():
    document = one_op_graph("tanh", 0.3)
    document.set_loss(None)
    with pytest.raises(GraphError, match="no loss and no result that can be computed"):
        check_at_point(document, 0.0, 0.0, 1.0)


def test_a_graph_with_a_result_and_no_loss_checks_the_results_gradients():
    document = one_op_graph("tanh", 0.3)
    document.set_loss(None)
    document.set_result("k")  # backpropagation starts at the result: d tanh(w) / d w
    check = check_at_point(document, 0.0, 0.0, 1.0)
    assert check.passed and check.params[0].analytic == pytest.approx(1.0 - math.tanh(0.3) ** 2)
    assert check.params[0].numeric == pytest.approx(1.0 - math.tanh(0.3) ** 2, rel=1e-9)
    with pytest.raises(GraphError, match="the check on a batch needs a loss"):
        check_on_batch(document, [0.0], [0.0], [1.0])


def test_the_app_checks_a_graph_with_only_a_result_at_its_sample(monkeypatch, tmp_path):
    from mlgarden.session import Session

    monkeypatch.setenv("MLGARDEN_STATE_DIR", str(tmp_path / "state"))
    session = Session(fileformat.load(next(path for path in EXAMPLES if path.stem == "mlp-2x4")))
    session.edit("set_loss", None)
    checks = session.check_gradients()
    assert [check.where for check in checks] == ["x={:g}, y={:g}, label={:g}".format(*session.sample())]
    assert checks[0].passed and session.status == "gradient check passed"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graph=random_graphs(max_nodes=40))
def test_random_graphs_of_smooth_ops_pass(graph):
    check = check_at_point(document_of(graph), 0.3, -0.7, 1.0)
    assert check.passed, check.summary_lines()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graph=random_graphs(max_nodes=40), nudge=st.floats(-2.0, 2.0))
def test_the_nudged_forward_passes_give_the_engines_values_to_the_bit(graph, nudge):
    """What makes the check fast must not change a number: the descendants-only pass at a point,
    and the forward-only rows of a batch, equal a full evaluation's values exactly."""
    document = document_of(graph)
    program = document.program()
    leaves = np.asarray(document.leaf_values(program), dtype=float)
    nudges = PointNudges(program, leaves.tolist(), 0.3, -0.7, 1.0)
    rows = np.arange(len(program.order))
    xs, ys, labels = np.linspace(-1, 1, 7), np.linspace(1, -1, 7), np.sign(np.linspace(-1, 1, 7) + 0.1)
    for leaf in range(len(leaves)):
        moved = leaves.copy()
        moved[leaf] += nudge
        full = program.evaluate_point(moved, 0.3, -0.7, 1.0)
        assert_same(nudges.values(leaf, moved[leaf]), [full.values[node_id] for node_id in program.order])
        if program.loss is not None:
            for route in ("point", "fused"):
                evaluation = program.evaluate_batch(moved, xs, ys, labels, route=route)
                assert_same(program.forward_rows(moved, xs, ys, labels, rows, route).ravel().tolist(),
                            np.asarray(evaluation.values.matrix).ravel().tolist())


def assert_same(numbers: list[float], expected: list[float]) -> None:
    assert np.array_equal(np.array(numbers), np.array(expected), equal_nan=True)


# --- the command ---------------------------------------------------------------------------------


def test_the_command_prints_the_json_shape_of_the_issue(capsys):
    path = next(path for path in EXAMPLES if path.stem == "perceptrons-2-1")
    assert main(["gradcheck", str(path), "--x", "0.5", "--y", "-1", "--label", "-1", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert isinstance(report["max_relative_error"], float) and report["max_relative_error"] < THRESHOLD
    assert len(report["params"]) == 9
    for numbers in report["params"].values():
        assert {"analytic", "numeric", "relative_error"} <= set(numbers)
        assert all(isinstance(numbers[key], float) for key in ("analytic", "numeric", "relative_error"))
    assert report["where"] == "x=0.5, y=-1, label=-1" and "batch" not in report


def test_the_command_checks_a_batch_too(capsys):
    path = next(path for path in EXAMPLES if path.stem == "mlp-2x4")
    assert main(["gradcheck", str(path), "--batch", "20"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("gradient check at x=0, y=0, label=1: 37 params, max relative error ")
    assert lines[1].startswith("gradient check at a batch of 20 points: 37 params")
    assert lines[0].endswith(": passed") and lines[1].endswith(": passed")


# --- the session, as the app uses it -------------------------------------------------------------


def test_the_session_checks_at_its_sample_and_on_the_first_training_batch(monkeypatch, tmp_path):
    from mlgarden.session import Session

    monkeypatch.setenv("MLGARDEN_STATE_DIR", str(tmp_path / "state"))
    session = Session(fileformat.load(next(path for path in EXAMPLES if path.stem == "mlp-2x4")))
    session.set_sample(5)
    point, batch = session.check_gradients()
    x, y, label = session.sample()
    assert point.where == f"x={x:g}, y={y:g}, label={label:g}" and point.passed
    assert batch.where == f"a batch of {session.document.training.batch_size} points" and batch.passed
    assert session.status == "gradient check passed"
    session.edit("set_loss", None)
    session.edit("set_result", None)
    assert session.check_gradients() == []
    assert "no loss and no result that can be computed" in session.status
