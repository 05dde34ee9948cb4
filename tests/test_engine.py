"""Tests for mlgarden.engine.program: backprop against finite differences, and all routes agreeing.

Random DAGs of up to 300 nodes are built by hypothesis from the smooth ops; every node's gradient
is checked against a finite difference of an independent interpreter (tests/helpers.py), and the
point, batch and surface routes are checked against each other.
"""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import (
    batch_node_grads,
    batch_of_one,
    close,
    downstream,
    five_point_derivative,
    held_loss,
    random_graphs,
    reference_values,
    replaced,
)
from mlgarden.engine.program import CompileError, NodeSpec, compile_graph

GRAPHS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                         HealthCheck.data_too_large])
UNIT = st.floats(-1.0, 1.0, allow_nan=False)


def both_routes_grads(program, leaves, x=0.0, y=0.0, label=1.0):
    """Node gradients from the point route, checked equal to the batch route's at batch size 1."""
    point = program.evaluate_point(leaves, x, y, label)
    batch = batch_node_grads(program, leaves, x, y, label)
    for node_id, grad in point.grads.items():
        assert batch[node_id] == pytest.approx(grad, rel=1e-14, abs=1e-300), node_id
    leaf_grads = batch_of_one(program, leaves, x, y, label).leaf_grads
    assert list(leaf_grads) == pytest.approx([point.grads[i] for i in program.leaf_ids], rel=1e-14)
    return point


# --- the write-up's first example -------------------------------------------------------------


def write_up_graph(loss_against=None):
    specs = [
        NodeSpec("a", "param"),
        NodeSpec("b", "param"),
        NodeSpec("s", "add", ("a", "b")),
        NodeSpec("c", "const"),
        NodeSpec("r", "mul", ("s", "c")),
    ]
    if loss_against is None:
        return compile_graph(specs, loss="r", result="r"), [5.0, 3.0, 2.0]
    specs += [NodeSpec("t", "const"), NodeSpec("loss", "squared_error", ("r", "t"))]
    return compile_graph(specs, loss="loss", result="r"), [5.0, 3.0, 2.0, loss_against]


def test_five_plus_three_times_two_is_sixteen_with_the_write_ups_gradients():
    program, leaves = write_up_graph()
    assert program.leaf_ids == ["a", "b", "c"]
    point = both_routes_grads(program, leaves)
    assert point.values == {"a": 5.0, "b": 3.0, "s": 8.0, "c": 2.0, "r": 16.0}
    assert point.loss == point.result == 16.0
    assert point.grads == {"a": 2.0, "b": 2.0, "c": 8.0, "s": 2.0, "r": 1.0}


def test_five_plus_three_times_two_against_ten_with_squared_error():
    program, leaves = write_up_graph(loss_against=10.0)
    point = both_routes_grads(program, leaves)
    assert point.loss == 36.0 and point.result == 16.0
    assert point.grads == {"a": 24.0, "b": 24.0, "s": 24.0, "c": 96.0, "r": 12.0, "t": -12.0, "loss": 1.0}
    assert batch_of_one(program, leaves).loss == 36.0


# --- gradients accumulate: micrograd's `+=` --------------------------------------------------------


def test_a_node_used_twice_by_one_mul_gets_both_shares():
    program = compile_graph([NodeSpec("a", "param"), NodeSpec("m", "mul", ("a", "a"))], loss="m")
    assert both_routes_grads(program, [3.0]).grads["a"] == 6.0
    assert both_routes_grads(program, [-1.5]).grads["a"] == -3.0


def test_a_node_added_to_itself_gets_gradient_two():
    program = compile_graph([NodeSpec("a", "param"), NodeSpec("b", "add", ("a", "a"))], loss="b")
    assert both_routes_grads(program, [-7.0]).grads["a"] == 2.0


def test_a_node_feeding_two_different_nodes_sums_their_shares():
    specs = [
        NodeSpec("a", "param"), NodeSpec("b", "param"),
        NodeSpec("d", "mul", ("a", "b")), NodeSpec("e", "add", ("a", "b")),
        NodeSpec("f", "sub", ("d", "e")),
    ]
    point = both_routes_grads(compile_graph(specs, loss="f"), [-2.0, 3.0])
    assert point.loss == -6.0 - 1.0
    assert point.grads["a"] == 3.0 - 1.0 and point.grads["b"] == -2.0 - 1.0


def test_a_variadic_sum_reading_one_node_three_times():
    specs = [NodeSpec("a", "param"), NodeSpec("t", "tanh", ("a",)),
             NodeSpec("s", "sum", ("a", "t", "a", "a"))]
    point = both_routes_grads(compile_graph(specs, loss="s"), [0.5])
    assert point.grads["a"] == pytest.approx(3.0 + 1.0 - math.tanh(0.5) ** 2, rel=1e-15)


def test_a_diamond_accumulates_through_both_paths():
    specs = [
        NodeSpec("w", "param"), NodeSpec("s", "sin", ("w",)), NodeSpec("c", "cos", ("w",)),
        NodeSpec("p", "mul", ("s", "c")),
    ]
    point = both_routes_grads(compile_graph(specs, loss="p"), [0.3])
    assert point.grads["w"] == pytest.approx(math.cos(0.6), rel=1e-14)  # d/dw sin w cos w = cos 2w


# --- the batch gradient is the mean --------------------------------------------------------------


def fit_line_program():
    specs = [
        NodeSpec("w", "param"), NodeSpec("x", "x"), NodeSpec("y", "y"),
        NodeSpec("p", "mul", ("w", "x")), NodeSpec("loss", "squared_error", ("p", "y")),
    ]
    return compile_graph(specs, loss="loss", result="p")


@settings(max_examples=50, deadline=None)
@given(w=UNIT, points=st.lists(st.tuples(UNIT, UNIT), min_size=1, max_size=20))
def test_batch_loss_and_gradient_are_the_means_over_the_batch(w, points):
    program = fit_line_program()
    xs, ys = (np.array(column) for column in zip(*points))
    evaluation = program.evaluate_batch(np.array([w]), xs, ys, np.ones(len(xs)))
    assert evaluation.loss == pytest.approx(np.mean((w * xs - ys) ** 2), rel=1e-12, abs=1e-15)
    assert evaluation.leaf_grads[0] == pytest.approx(np.mean(2 * (w * xs - ys) * xs), rel=1e-12, abs=1e-15)
    assert list(evaluation.losses) == pytest.approx(list((w * xs - ys) ** 2), rel=1e-12, abs=1e-15)
    grads = program.batch_grads(np.array([w]), xs, ys, np.ones(len(xs)))
    assert grads["x"] == pytest.approx(np.mean(2 * (w * xs - ys) * w), rel=1e-12, abs=1e-15)
    assert grads["y"] == pytest.approx(np.mean(-2 * (w * xs - ys)), rel=1e-12, abs=1e-15)


def test_a_loss_that_ignores_the_data_still_averages_to_itself():
    program = compile_graph([NodeSpec("w", "param"), NodeSpec("l", "square", ("w",))], loss="l")
    evaluation = program.evaluate_batch(np.array([3.0]), np.zeros(5), np.zeros(5), np.ones(5))
    assert evaluation.loss == 9.0 and list(evaluation.leaf_grads) == [6.0]
    assert list(evaluation.losses) == [9.0] * 5


# --- random DAGs ------------------------------------------------------------------------------------


@GRAPHS
@given(graph=random_graphs(), x=UNIT, y=UNIT, label=UNIT)
def test_random_graph_gradients_match_finite_differences_for_every_node(graph, x, y, label):
    program = graph.program()
    assert program.incomplete == [] and program.loss == graph.loss
    leaves = graph.leaves_for(program)
    point = program.evaluate_point(leaves, x, y, label)
    reference = reference_values(graph, x, y, label)
    for node_id, value in reference.items():
        assert point.values[node_id] == pytest.approx(value, rel=1e-12, abs=1e-12), node_id

    for k, node_id in enumerate(program.leaf_ids):  # params and consts, through the engine itself
        expected = five_point_derivative(
            lambda v: program.evaluate_point(replaced(leaves, k, v), x, y, label).loss, leaves[k])
        assert close(point.grads[node_id], expected), (node_id, point.grads[node_id], expected)

    for spec in graph.specs:  # every node, held at a nudged value by the independent interpreter
        later = downstream(graph, spec.id)
        if spec.id != graph.loss and graph.loss not in {s.id for s in later}:
            assert point.grads[spec.id] == 0.0, f"{spec.id} does not reach the loss"
            continue
        expected = five_point_derivative(lambda v: held_loss(graph, reference, spec.id, v, later),
                                         reference[spec.id])
        assert close(point.grads[spec.id], expected), (spec.id, point.grads[spec.id], expected)


def broadcast(value, size):
    return np.broadcast_to(np.asarray(value, dtype=float), (size,))


@GRAPHS
@given(graph=random_graphs(), points=st.lists(st.tuples(UNIT, UNIT, st.sampled_from([-1.0, 1.0])),
                                               min_size=2, max_size=7))
def test_random_graph_routes_agree_point_batch_and_surface(graph, points):
    program = graph.program()
    leaves = graph.leaves_for(program)
    point_runs = [program.evaluate_point(leaves, *p) for p in points]
    xs, ys, labels = (np.array(column) for column in zip(*points))

    # batch size 1 gives the point's numbers
    for p, run in zip(points, point_runs[:2]):
        single = [np.array([v]) for v in p]
        one = program.evaluate_batch(np.array(leaves), *single)
        assert one.loss == pytest.approx(run.loss, rel=1e-13, abs=1e-13)
        grads = program.batch_grads(np.array(leaves), *single)
        assert grads == pytest.approx(run.grads, rel=1e-12, abs=1e-12)

    # a batch gives each point's values, the mean loss and the mean of the point gradients
    batch = program.evaluate_batch(np.array(leaves), xs, ys, labels)
    for node_id, position in program.index.items():
        per_point = [run.values[node_id] for run in point_runs]
        assert list(broadcast(batch.values[position], len(points))) == pytest.approx(per_point, rel=1e-12,
                                                                                     abs=1e-12)
    assert batch.loss == pytest.approx(np.mean([run.loss for run in point_runs]), rel=1e-12, abs=1e-12)
    mean_grads = {i: math.fsum(run.grads[i] for run in point_runs) / len(points) for i in program.order}
    assert program.batch_grads(np.array(leaves), xs, ys, labels) == pytest.approx(mean_grads, rel=1e-11,
                                                                                  abs=1e-12)
    assert list(batch.leaf_grads) == pytest.approx([mean_grads[i] for i in program.leaf_ids], rel=1e-11,
                                                   abs=1e-12)

    # the surface is the result at each grid point (label 0 there), float64 tight and float32 loose
    grid_x, grid_y = np.meshgrid(np.linspace(-1.5, 1.5, 4), np.linspace(-1.0, 1.0, 3))
    expected = np.array([program.evaluate_point(leaves, gx, gy, 0.0).result
                         for gx, gy in zip(grid_x.ravel(), grid_y.ravel())]).reshape(grid_x.shape)
    surface64 = program.surface(leaves, grid_x, grid_y)
    assert surface64.dtype == np.float64 and surface64.shape == grid_x.shape
    np.testing.assert_allclose(surface64, expected, rtol=1e-12, atol=1e-12)
    surface32 = program.surface(leaves, grid_x.astype(np.float32), grid_y.astype(np.float32))
    assert surface32.dtype == np.float32 and surface32.shape == grid_x.shape
    np.testing.assert_allclose(surface32, expected, rtol=1e-4, atol=1e-4)


# --- compiling -----------------------------------------------------------------------------------------


def test_compile_refuses_a_cycle_an_unknown_op_and_an_unknown_input():
    with pytest.raises(CompileError, match="cycle"):
        compile_graph([NodeSpec("a", "neg", ("b",)), NodeSpec("b", "neg", ("a",))])
    with pytest.raises(CompileError, match="cycle"):
        compile_graph([NodeSpec("a", "add", ("w", "a")), NodeSpec("w", "param")])
    with pytest.raises(CompileError, match="'bogus'"):
        compile_graph([NodeSpec("a", "bogus")])
    with pytest.raises(CompileError, match="'ghost'"):
        compile_graph([NodeSpec("a", "neg", ("ghost",))])


@pytest.mark.parametrize("exponent", [math.inf, -math.inf, math.nan])
def test_compile_refuses_a_non_finite_exponent_rather_than_fail_when_run(exponent):
    with pytest.raises(CompileError, match="'p'"):
        compile_graph([NodeSpec("a", "param"), NodeSpec("p", "pow", ("a",), exponent=exponent)], loss="p")


def test_a_chain_of_thousands_of_nodes_compiles_and_runs():
    specs = [NodeSpec("n0", "param")] + [NodeSpec(f"n{k}", "sin", (f"n{k - 1}",)) for k in range(1, 4000)]
    program = compile_graph(specs, loss="n3999", result="n3999")
    point = program.evaluate_point([0.5])
    value, grad = 0.5, 1.0
    for _ in range(3999):
        value, grad = math.sin(value), grad * math.cos(value)
    assert point.loss == pytest.approx(value, rel=1e-12)
    assert point.grads["n0"] == pytest.approx(grad, rel=1e-9)
    assert program.surface([0.5], np.zeros(2), np.zeros(2))[0] == pytest.approx(value, rel=1e-12)


def test_nodes_with_a_free_pin_and_everything_downstream_are_left_out():
    specs = [
        NodeSpec("w", "param"),
        NodeSpec("half", "add", ("w", None)),
        NodeSpec("after", "tanh", ("half",)),
        NodeSpec("empty_sum", "sum", ()),
        NodeSpec("fine", "sin", ("w",)),
        NodeSpec("loss", "square", ("fine",)),
    ]
    program = compile_graph(specs, loss="after", result="after")
    assert sorted(program.incomplete) == ["after", "empty_sum", "half"]
    assert program.order == ["w", "fine", "loss"]
    assert program.loss is None and program.result is None
    assert program.surface([1.0], np.zeros(2), np.zeros(2)) is None
    point = program.evaluate_point([1.0])
    assert point.loss is None and point.result is None and set(point.grads.values()) == {0.0}
    with pytest.raises(CompileError, match="no computable loss"):
        program.evaluate_batch(np.array([1.0]), np.zeros(2), np.zeros(2), np.ones(2))


def test_nodes_off_the_path_to_the_loss_get_zero_gradient():
    specs = [
        NodeSpec("w", "param"), NodeSpec("v", "param"),
        NodeSpec("used", "mul", ("w", "w")), NodeSpec("aside", "exp", ("v",)),
        NodeSpec("also_aside", "mul", ("used", "aside")),
    ]
    point = both_routes_grads(compile_graph(specs, loss="used"), [2.0, 1.0])
    assert point.grads == {"w": 4.0, "v": 0.0, "used": 1.0, "aside": 0.0, "also_aside": 0.0}


def test_a_leaf_can_be_the_loss_and_data_inputs_get_gradients():
    program = compile_graph([NodeSpec("w", "param")], loss="w", result="w")
    assert both_routes_grads(program, [4.0]).grads == {"w": 1.0}
    specs = [NodeSpec("x", "x"), NodeSpec("y", "y"), NodeSpec("label", "label"),
             NodeSpec("m", "mul", ("x", "y")), NodeSpec("loss", "mul", ("m", "label"))]
    point = both_routes_grads(compile_graph(specs, loss="loss"), [], 2.0, 3.0, -1.0)
    assert point.loss == -6.0
    assert (point.grads["x"], point.grads["y"], point.grads["label"]) == (-3.0, -2.0, 6.0)


def test_surface_broadcasts_a_result_that_ignores_the_grid():
    program = compile_graph([NodeSpec("w", "param"), NodeSpec("t", "tanh", ("w",))], result="t")
    surface = program.surface([0.5], np.zeros((3, 4), dtype=np.float32), np.zeros((3, 4), dtype=np.float32))
    assert surface.shape == (3, 4) and surface.dtype == np.float32
    assert np.all(surface == np.tanh(np.float32(0.5)))


def test_surface_of_a_big_grid_matches_the_batch_values():
    program = fit_line_program()
    grid_x, grid_y = np.meshgrid(np.linspace(-2, 2, 256), np.linspace(-2, 2, 256))
    surface = program.surface([0.75], grid_x, grid_y)
    np.testing.assert_array_equal(surface, 0.75 * grid_x)


def test_the_exponent_is_compiled_and_a_changed_exponent_needs_a_new_program():
    cube = compile_graph([NodeSpec("a", "param"), NodeSpec("p", "pow", ("a",), exponent=3.0)], loss="p")
    point = both_routes_grads(cube, [2.0])
    assert point.loss == 8.0 and point.grads["a"] == 12.0
    inverse = compile_graph([NodeSpec("a", "param"), NodeSpec("p", "pow", ("a",), exponent=-1.0)], loss="p")
    point = both_routes_grads(inverse, [2.0])
    assert point.loss == 0.5 and point.grads["a"] == -0.25


# --- generated code carries no text from the graph ------------------------------------------------

EVIL = "__import__('os')._exit(3)"  # were it ever run, the test process would end there


def test_weird_ids_and_code_in_labels_never_reach_the_generated_source():
    from mlgarden.document.graph import Document

    document = Document()
    a = document.add_node("param", "a.b-c_1", value=2.0, label=EVIL)
    b = document.add_node("x", "_x.9-", label="'; import os; os.system('x') #")
    product = document.add_node("mul", "m-1.2", inputs=[a, b], label="{a}{out}{exponent}")
    power = document.add_node("pow", "p__", inputs=[product], exponent=3.0, label="\"\"\" )")
    document.set_loss(power)
    document.set_result(product)
    program = document.program()
    point = program.evaluate_point(document.leaf_values(program), x=1.5)
    assert point.loss == pytest.approx(27.0) and point.grads["a.b-c_1"] == pytest.approx(3 * 9.0 * 1.5)
    assert program.surface(document.leaf_values(program), np.ones(2), np.ones(2)).tolist() == [2.0, 2.0]
    for node in document.nodes.values():
        for text in (node.id, node.label):
            assert text not in program.source
    for fragment in ("import", "system", "os.", "a.b", "m-1", "p__", "_x.9"):
        assert fragment not in program.source


def test_the_engine_alone_never_evaluates_node_ids():
    """Even specs built without the document's id rules compile to code of indices only."""
    specs = [NodeSpec(EVIL, "param"), NodeSpec("x); print(1", "sin", (EVIL,))]
    program = compile_graph(specs, loss="x); print(1", result="x); print(1")
    assert program.evaluate_point([0.0]).grads[EVIL] == 1.0
    assert EVIL not in program.source and "print" not in program.source
    with pytest.raises(ValueError):
        compile_graph([NodeSpec("a", "param"), NodeSpec("p", "pow", ("a",), exponent=EVIL)])
