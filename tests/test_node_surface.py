"""Any node over the plane: the surface route shades any computable node, the session chooses
which, and scope_ids maps what the canvas shows (graph or a function's body) to flat ids."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import random_graphs
from mlgarden.document import function_edits
from mlgarden.document.build import Builder
from mlgarden.document.scope_ids import flat_id_shown, shown_node
from mlgarden.learning.stepthrough import BACKWARD, FORWARD
from mlgarden.learning.surface import grid, symmetric_scale
from mlgarden.session import Session


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.data_too_large])
@given(graph=random_graphs(max_nodes=80), pick=st.integers(0, 10**6))
def test_any_node_over_the_grid_equals_its_batch_values(graph, pick):
    program = graph.program()
    leaves = graph.leaves_for(program)
    node = program.order[pick % len(program.order)]
    xs, ys = grid((-1.0, 1.0, -1.5, 0.5), 9)
    shaded = program.surface(leaves, xs.astype(float), ys.astype(float), node)
    batch = program.evaluate_batch(np.array(leaves), xs.ravel().astype(float), ys.ravel().astype(float),
                                   np.zeros(xs.size), route="fused") if program.loss else None
    expected = [program.evaluate_point(leaves, x, y, 0.0).values[node]
                for x, y in zip(xs.ravel().tolist(), ys.ravel().tolist())]
    np.testing.assert_allclose(shaded.ravel(), expected, rtol=1e-9, atol=1e-12)
    if batch is not None:
        np.testing.assert_allclose(shaded.ravel(), np.asarray(batch.values[program.index[node]]) *
                                   np.ones(xs.size), rtol=1e-9, atol=1e-12)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.data_too_large])
@given(graph=random_graphs(max_nodes=60), picks=st.lists(st.integers(0, 10**6), min_size=1, max_size=8))
def test_many_nodes_in_one_pass_equal_each_node_alone(graph, picks):
    """The canvas's thumbnails shade several nodes in one forward pass: each equals its own."""
    program = graph.program()
    leaves = graph.leaves_for(program)
    nodes = sorted({program.order[pick % len(program.order)] for pick in picks}) + ["no such node"]
    xs, ys = grid((-1.0, 1.0, -1.5, 0.5), 7)
    together = program.surfaces(leaves, xs, ys, nodes)
    assert sorted(together) == nodes[:-1]
    for node in nodes[:-1]:
        np.testing.assert_array_equal(together[node], program.surface(leaves, xs, ys, node))


def test_the_result_surface_is_unchanged_and_an_unknown_node_gives_none():
    builder = Builder(seed=1)
    out = builder.perceptron([builder.x(), builder.y()])
    document = builder.finish(result=out, loss=builder.loss("squared_error", out))
    program = document.program()
    xs, ys = grid((-1, 1, -1, 1), 16)
    leaves = document.leaf_values(program)
    np.testing.assert_array_equal(program.surface(leaves, xs, ys),
                                  program.surface(leaves, xs, ys, program.result))
    assert program.surface(leaves, xs, ys, "no such node") is None


def test_the_colour_scale_is_symmetric_about_zero_and_never_zero():
    assert symmetric_scale(np.array([-3.0, 0.5, np.nan])) == 3.0
    assert symmetric_scale(np.zeros(4)) == 1.0
    assert symmetric_scale(np.array([np.inf, np.nan])) == 1.0


def two_perceptrons():
    """Two instances of one perceptron function on x and y, summed, then tanh: result and loss."""
    builder = Builder(seed=5)
    document = builder.finish(arrange=False)
    function_edits.add_template(document, "perceptron", inputs=2, activation="tanh")
    x, y = document.add_node("x"), document.add_node("y")
    calls = [function_edits.insert_function(document, "perceptron") for _ in range(2)]
    for call in calls:
        document.connect(x, call, 0)
        document.connect(y, call, 1)
    total = document.add_node("add", inputs=calls)
    out = document.add_node("tanh", inputs=[total])
    loss = document.add_node("squared_error", inputs=[out, document.add_node("label")])
    document.set_result(out)
    document.set_loss(loss)
    return document, calls


def test_scope_ids_go_both_ways_in_the_graph_and_in_a_body():
    document, (first, second) = two_perceptrons()
    definition = document.definition("perceptron")
    inner = next(node_id for node_id, node in definition.nodes.items() if node.op == "tanh")
    pin = definition.input_ids()[0]
    assert flat_id_shown(document, None, first) == document.flat_id(first)
    assert flat_id_shown(document, "perceptron", inner) == f"{first}/{inner}"
    assert flat_id_shown(document, "perceptron", pin) == "x1"
    assert shown_node(document, None, f"{second}/{inner}") == second
    assert shown_node(document, "perceptron", f"{first}/{inner}") == inner
    assert shown_node(document, "perceptron", f"{second}/{inner}") is None  # not the instance shown
    assert shown_node(document, "perceptron", "x1") == pin
    assert flat_id_shown(document, "perceptron", inner, instance=second) == f"{second}/{inner}"
    assert shown_node(document, "perceptron", f"{second}/{inner}", instance=second) == inner
    assert shown_node(document, "perceptron", f"{first}/{inner}", instance=second) is None
    assert flat_id_shown(document, "perceptron", inner, instance="no-such-call") == f"{first}/{inner}"
    program = document.program()
    for node_id in definition.nodes:
        flat = flat_id_shown(document, "perceptron", node_id)
        assert flat is None or flat in program.index


def test_the_session_shades_a_node_inside_a_function_with_its_own_heading():
    document, (first, _) = two_perceptrons()
    session = Session(document)
    result = session.surface(32)
    assert session.plane_heading().startswith("result")
    inner = flat_id_shown(document, "perceptron", next(
        node_id for node_id, node in document.definition("perceptron").nodes.items() if node.op == "tanh"))
    session.show_on_plane(inner)
    assert session.surface_stale
    shaded = session.surface(32)
    assert not np.allclose(shaded, result)
    assert session.plane_heading().startswith("node ") and "perceptron" in session.plane_heading()
    xs, ys = grid(session.bounds(), 32)
    program = document.program()
    expected = program.evaluate_point(document.leaf_values(program), float(xs[3, 5]), float(ys[3, 5]), 0.0)
    assert shaded[3, 5] == pytest.approx(expected.values[inner], rel=1e-5, abs=1e-6)
    session.show_on_plane(None)
    np.testing.assert_array_equal(session.surface(32), result)


def test_a_shaded_node_that_goes_away_gives_the_result_back():
    document, (first, second) = two_perceptrons()
    session = Session(document)
    session.show_on_plane(document.flat_id(second))
    assert session.plane_node() == document.flat_id(second)
    session.edit("remove_nodes", [second])
    assert session.plane_node() is None and session.plane_heading().startswith("result")
    session.show_on_plane("nothing")
    assert session.plane_node() is None and "cannot be computed" in session.status


def test_a_step_through_pauses_training_and_ends_on_any_change():
    document, _ = two_perceptrons()
    session = Session(document)
    session.play()
    assert session.start_stepthrough(BACKWARD)
    assert not session.playing and session.stepthrough.kind == BACKWARD
    session.stepthrough.next()
    session.set_sample(session.sample_index + 1)
    assert session.stepthrough is None and "ended" in session.status
    assert session.start_stepthrough(FORWARD)
    session.edit("set_result", None)
    assert session.stepthrough is None
    assert session.start_stepthrough(FORWARD)
    session.end_stepthrough()
    assert session.stepthrough is None
    session.edit("set_loss", None)
    assert not session.start_stepthrough(BACKWARD) and "no computable loss" in session.status


def two_output_function():
    """x² and y² collapsed into one function with two outputs, which a sum and a difference read;
    then the call and both readers collapsed into an outer function (a call inside a body)."""
    builder = Builder(seed=3)
    document = builder.finish(arrange=False)
    x, y = document.add_node("x"), document.add_node("y")
    xx, yy = document.add_node("mul", inputs=[x, x]), document.add_node("mul", inputs=[y, y])
    total = document.add_node("add", inputs=[xx, yy])
    difference = document.add_node("sub", inputs=[xx, yy])
    document.set_result(total)
    call = function_edits.collapse(document, [xx, yy], "squares")
    return document, call, total, difference


def test_every_output_of_a_call_can_be_shown_on_the_plane_in_the_graph_and_in_a_body():
    document, call, total, difference = two_output_function()
    assert document.output_count(call) == 2
    first, second = (flat_id_shown(document, None, reference) for reference in (call, f"{call}:1"))
    assert (first, second) == (document.flat_id(call), document.flat_id(f"{call}:1")) and first != second
    assert flat_id_shown(document, None, f"{call}:2") is None  # no third output
    session = Session(document)
    values = {}
    for flat_id in (first, second):
        session.show_on_plane(flat_id)
        assert session.plane_node() == flat_id
        values[flat_id] = session.surface(16)
    xs, ys = grid(session.bounds(), 16)
    np.testing.assert_allclose(values[first], xs * xs, rtol=1e-5)  # output 0 is x², output 1 is y²
    np.testing.assert_allclose(values[second], ys * ys, rtol=1e-5)
    outer = function_edits.collapse(document, [call, total, difference], "outer")
    inner_outputs = document.definition("squares").output_ids()
    shown = flat_id_shown(document, "outer", f"{call}:1")
    assert shown == f"{outer}/{call}/{inner_outputs[1]}" and shown in document.program().index
    assert shown_node(document, None, shown) == outer
