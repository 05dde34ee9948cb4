"""The engine's routes agree: point (Python floats, one point at a time), fused (numpy groups over a
batch) and surface (the fused forward pass over a grid, dense layers as matrix products).

Random graphs are grown a few alike nodes at a time, so the fused plan gets groups whose members
share inputs, read leaves, read one node twice, and sit on and off the path to the loss; networks
from the Builder give dense layers. Every node's value at every point, every node's mean gradient,
the leaf gradients and the loss must match the point route, which tests/test_engine.py checks
against finite differences. Sums may be added in another order by a matrix product, so numbers are
compared to a tolerance scaled by the largest magnitude in the graph.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlgarden.document.build import Builder, sin, sqrt, square
from mlgarden.engine.program import NodeSpec, compile_graph
from mlgarden.engine.fused_steps import LayerStep

ROUTES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
UNARY = ("neg", "square", "sin", "cos", "tanh", "sigmoid", "relu", "abs", "pow")
BINARY = ("add", "sub", "mul", "min", "max")
UNIT = st.floats(-1.0, 1.0, allow_nan=False)


@st.composite
def grown_graphs(draw):
    """(specs, loss, result, leaf values): a few leaves, then batches of alike nodes."""
    specs = [NodeSpec("x", "x"), NodeSpec("y", "y"), NodeSpec("label", "label")]
    leaf_count = draw(st.integers(1, 6))
    kinds = st.sampled_from(("param", "param", "const"))
    specs += [NodeSpec(f"w{k}", draw(kinds)) for k in range(leaf_count)]
    bound = {spec.id: 1.0 for spec in specs}
    for batch in range(draw(st.integers(1, 8))):
        op = draw(st.sampled_from(UNARY + BINARY + ("sum",)))
        pool = draw(st.lists(st.sampled_from(specs), min_size=1, max_size=3))  # members share inputs
        for member in range(draw(st.integers(1, 4))):
            spec = _grown_node(draw, f"n{batch}_{member}", op, pool, bound)
            if spec is not None:
                specs.append(spec)
    ids = [spec.id for spec in specs]
    gathered = tuple(draw(st.lists(st.sampled_from(ids), min_size=1, max_size=6)))
    specs.append(NodeSpec("loss", "sum", gathered))  # most nodes lie on the path to the loss
    loss = draw(st.sampled_from(["loss"] * 3 + ids))
    result = draw(st.sampled_from(ids))
    leaves = draw(st.lists(UNIT, min_size=leaf_count, max_size=leaf_count))
    return specs, loss, result, leaves


def _grown_node(draw, node_id, op, pool, bound):
    """A node of `op` reading nodes of the pool, if one can keep every value below 1000."""
    pins = draw(st.integers(1, 5)) if op == "sum" else (1 if op in UNARY else 2)
    inputs = tuple(draw(st.sampled_from(pool)).id for _ in range(pins))
    exponent = draw(st.sampled_from((2.0, 3.0, 0.5, -1.0))) if op == "pow" else 2.0
    sizes = [bound[i] for i in inputs]
    if op in ("sum", "add", "sub"):
        size = sum(sizes)
    elif op == "mul":
        size = sizes[0] * sizes[1]
    elif op in ("square", "pow"):
        size = sizes[0] ** 3 if exponent > 0 else 1000.0
    elif op in ("sin", "cos", "tanh", "sigmoid"):
        size = 1.0
    else:
        size = max(sizes)
    if size >= 1000.0:
        return None
    bound[node_id] = size
    return NodeSpec(node_id, op, inputs, exponent)


POINTS = st.lists(st.tuples(UNIT, UNIT, st.sampled_from((-1.0, 1.0))), min_size=1, max_size=9)


def assert_close(fused, point, what):
    """Equal where not finite (same inf, NaN for NaN), else within 1e-9 of the largest magnitude."""
    fused, point = np.asarray(fused, dtype=float), np.asarray(point, dtype=float)
    finite = np.isfinite(point)
    scale = 1.0 + (np.max(np.abs(point[finite])) if finite.any() else 0.0)
    np.testing.assert_allclose(fused, point, rtol=1e-9, atol=1e-9 * scale, equal_nan=True, err_msg=what)


def check_batch_routes(program, leaves, points):
    """The fused route over `points` against the point route at each point."""
    xs, ys, labels = (np.array(column) for column in zip(*points))
    runs = [program.evaluate_point(leaves, *point) for point in points]
    fused = program.evaluate_batch(np.array(leaves), xs, ys, labels, route="fused")
    point_values = np.array([[run.values[i] for i in program.order] for run in runs]).T
    assert_close(fused.values, point_values, "values")
    assert_close(fused.losses, [run.loss for run in runs], "losses")
    with np.errstate(all="ignore"):  # inf + -inf in a mean is NaN, as in the engine
        mean_loss = np.mean([run.loss for run in runs])
        mean_grads = np.mean([[run.grads[i] for i in program.order] for run in runs], axis=0)
    assert_close(fused.loss, mean_loss, "loss")
    node_grads = program.batch_grads(np.array(leaves), xs, ys, labels, route="fused")
    assert_close([node_grads[i] for i in program.order], mean_grads, "node gradients")
    assert_close(fused.leaf_grads, mean_grads[:len(leaves)], "leaf gradients")
    forced_point = program.evaluate_batch(np.array(leaves), xs, ys, labels, route="point")
    assert_close(forced_point.values, point_values, "point route over a batch")


def check_surface(program, leaves):
    grid_x, grid_y = np.meshgrid(np.linspace(-1.2, 1.2, 5), np.linspace(-0.9, 0.9, 3))
    expected = [program.evaluate_point(leaves, gx, gy, 0.0).result
                for gx, gy in zip(grid_x.flat, grid_y.flat)]
    assert_close(program.surface(leaves, grid_x, grid_y).ravel(), expected, "surface")


@ROUTES
@given(graph=grown_graphs(), points=POINTS)
def test_grown_graphs_give_the_same_numbers_by_every_route(graph, points):
    specs, loss, result, leaves = graph
    program = compile_graph(specs, loss=loss, result=result)
    check_batch_routes(program, leaves, points)
    check_surface(program, leaves)


def mlp(seed, widths, activation, features):
    builder = Builder(seed=seed)
    x, y = builder.x(), builder.y()
    inputs = {"plain": [x, y], "waves": [x, y, sin(x * 3.0), sqrt(square(y) + 0.1)]}[features]
    for width in widths:
        inputs = builder.layer(inputs, width, activation)
    out = builder.perceptron(inputs, activation=None)
    document = builder.finish(result=out, loss=builder.loss("squared_error", out), arrange=False)
    return document.program(), document.leaf_values()


@ROUTES
@given(seed=st.integers(0, 1000), widths=st.lists(st.integers(1, 6), min_size=1, max_size=3),
       activation=st.sampled_from(("tanh", "relu", "sigmoid")), features=st.sampled_from(("plain", "waves")),
       points=POINTS)
def test_dense_layers_run_as_matrix_products_and_agree(seed, widths, activation, features, points):
    program, leaves = mlp(seed, widths, activation, features)
    assert sum(isinstance(step, LayerStep) for step in program._batch_plan.steps) == len(widths) + 1
    check_batch_routes(program, leaves, points)
    check_surface(program, leaves)


def test_a_product_read_twice_or_taken_as_the_result_or_loss_keeps_its_row():
    specs = [NodeSpec("x", "x"), NodeSpec("w", "param"), NodeSpec("v", "param"), NodeSpec("b", "param"),
             NodeSpec("p", "mul", ("w", "x")), NodeSpec("q", "mul", ("v", "x")),
             NodeSpec("s", "sum", ("p", "q", "b")), NodeSpec("t", "tanh", ("q",)),
             NodeSpec("loss", "add", ("s", "t"))]
    for loss, result in (("loss", "s"), ("loss", "p"), ("p", "s")):
        program = compile_graph(specs, loss=loss, result=result)
        check_batch_routes(program, [0.5, -0.25, 0.125], [(0.3, 0.0, 1.0), (-0.7, 0.0, -1.0)])
        check_surface(program, [0.5, -0.25, 0.125])


def test_shares_from_many_members_into_one_node_add_up():
    """Members of one group reading the same node, or the same leaf, give it all their shares."""
    specs = [NodeSpec("x", "x"), NodeSpec("y", "y"), NodeSpec("w", "param"), NodeSpec("c", "param"),
             NodeSpec("h", "tanh", ("x",))]
    reads = [("w", "h"), ("w", "h"), ("c", "h"), ("w", "y"), ("h", "c"), ("h", "h")]
    specs += [NodeSpec(f"m{k}", "mul", pair) for k, pair in enumerate(reads)]
    specs.append(NodeSpec("loss", "sum", tuple(f"m{k}" for k in range(len(reads))) + ("w", "w")))
    program = compile_graph(specs, loss="loss", result="m0")
    check_batch_routes(program, [0.75, -1.5], [(0.5, -0.25, 1.0), (-0.5, 0.75, -1.0), (0.1, 0.2, 1.0)])


def test_order_is_topological_and_groups_run_in_it():
    program, _ = mlp(3, [4, 3], "tanh", "waves")
    position = program.index
    for node_id in program.order:
        assert all(position[source] < position[node_id] for source in program.specs[node_id].inputs)
    assert program.order[:len(program.leaf_ids)] == program.leaf_ids


def test_a_batch_that_overflows_names_the_same_first_node_by_both_routes():
    specs = [NodeSpec("x", "x"), NodeSpec("w", "param"), NodeSpec("p", "mul", ("w", "x")),
             NodeSpec("e", "exp", ("p",)), NodeSpec("s", "sin", ("e",)), NodeSpec("loss", "square", ("s",))]
    program = compile_graph(specs, loss="loss")
    xs = np.array([1.0, 900.0, 2.0])
    for route in ("point", "fused"):
        evaluation = program.evaluate_batch(np.array([1.0]), xs, np.zeros(3), np.ones(3), route=route)
        assert program.first_non_finite(evaluation.values) == "e"


def test_held_evaluations_keep_their_own_numbers():
    program, leaves = mlp(1, [3], "tanh", "plain")
    xs = np.linspace(-1.0, 1.0, 64)
    first = program.evaluate_batch(np.array(leaves), xs, xs, np.ones(64), route="fused")
    kept = np.array(first.values)
    program.evaluate_batch(np.array(leaves), -xs, xs, np.ones(64), route="fused")
    np.testing.assert_array_equal(first.values, kept)


@pytest.mark.parametrize("size", [1, 5, 4096 + 3])
def test_surface_chunks_cover_a_grid_of_any_size(size):
    program, leaves = mlp(2, [5, 5], "relu", "plain")
    xs = np.linspace(-1.5, 1.5, size, dtype=np.float32)
    ys = np.cos(xs)
    expected = program.evaluate_batch(np.array(leaves), xs.astype(float), ys.astype(float), np.ones(size),
                                      route="fused").values[program.index[program.result]]
    surface = program.surface(leaves, xs, ys)
    assert surface.dtype == np.float32
    np.testing.assert_allclose(surface, expected, rtol=1e-4, atol=1e-4)
