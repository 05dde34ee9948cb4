"""Tests for mlgarden.document.build and mlgarden.document.layout: what each builder call adds,
and tidy positions."""

import math
from collections import Counter

import numpy as np
import pytest

from mlgarden.document import edits
from mlgarden.document import build
from mlgarden.document.build import Builder, Value
from mlgarden.document.graph import split_reference
from mlgarden.document.layout import (
    COLUMN_WIDTH,
    ROW_GAP,
    ROW_HEIGHT,
    arranged_positions,
    depths,
    node_height,
)


def ops_of(document):
    return Counter(node.op for node in document.nodes.values())


def test_operators_make_the_expected_ops_in_operand_order():
    builder = Builder(seed=0)
    a, b = builder.param(1.0), builder.param(2.0)
    cases = {
        "add": a + b, "sub": a - b, "mul": a * b, "div": a / b, "neg": -a, "pow": a**3,
    }
    for op, value in cases.items():
        node = builder.document.nodes[value.id]
        assert node.op == op
        expected = [a.id] if op in ("neg", "pow") else [a.id, b.id]
        assert node.inputs == expected
    assert builder.document.nodes[cases["pow"].id].exponent == 3.0


def test_plain_numbers_become_consts_on_the_right_side():
    builder = Builder(seed=0)
    a = builder.param(1.0)
    for value, op, number_first in [(a + 2, "add", False), (2 + a, "add", True), (5 - a, "sub", True),
                                    (a * 3, "mul", False), (1 / a, "div", True)]:
        node = builder.document.nodes[value.id]
        assert node.op == op
        const_id = node.inputs[0] if number_first else node.inputs[1]
        variable_id = node.inputs[1] if number_first else node.inputs[0]
        assert builder.document.nodes[const_id].op == "const"
        assert variable_id == a.id


def test_functions_add_one_node_each():
    builder = Builder(seed=0)
    a = builder.param(0.5)
    for name in ("tanh", "relu", "sigmoid", "sin", "cos", "exp", "log", "sqrt", "square"):
        value = getattr(build, name)(a, label=f"my {name}")
        node = builder.document.nodes[value.id]
        assert (node.op, node.inputs, node.label) == (name, [a.id], f"my {name}")
    assert builder.document.nodes[build.absolute(a).id].op == "abs"


def test_built_expressions_compute_what_they_say():
    builder = Builder(seed=0)
    x, y = builder.x(), builder.y()
    out = build.tanh(2 * x - y / 4) + build.sqrt(build.square(x) + 1) ** 3
    document = builder.finish(result=out)
    value = document.program().evaluate_point(document.leaf_values(), 0.3, -0.8).result
    assert value == pytest.approx(math.tanh(0.6 + 0.2) + (0.09 + 1) ** 1.5)


def test_data_inputs_are_made_once():
    builder = Builder(seed=0)
    assert builder.x().id == builder.x().id
    assert builder.y().id == builder.y().id
    assert builder.label().id == builder.label().id
    assert ops_of(builder.document) == {"x": 1, "y": 1, "label": 1}


def test_params_are_seeded_and_uniform_in_minus_one_to_one():
    def draw(seed):
        builder = Builder(seed=seed)
        return [builder.document.nodes[builder.param().id].value for _ in range(50)]

    assert draw(4) == draw(4)
    assert draw(4) != draw(5)
    assert all(-1.0 <= value <= 1.0 for value in draw(4))
    builder = Builder(seed=0)
    fixed = builder.param(0.25, label="w", trainable=False)
    node = builder.document.nodes[fixed.id]
    assert (node.value, node.label, node.trainable) == (0.25, "w", False)


def test_perceptron_has_a_weight_and_product_per_input_a_bias_a_sum_and_an_activation():
    builder = Builder(seed=0)
    inputs = [builder.x(), builder.y(), builder.const(1.5)]
    out = builder.perceptron(inputs, activation="tanh", label="p")
    document = builder.document
    assert len(document.nodes) == 3 + (2 * 3 + 3)
    assert ops_of(document) == {"x": 1, "y": 1, "const": 1, "param": 4, "mul": 3, "sum": 1, "tanh": 1}
    activation = document.nodes[out.id]
    assert (activation.op, activation.label) == ("tanh", "p")
    total = document.nodes[activation.inputs[0]]
    assert total.op == "sum" and len(total.inputs) == 4
    products, bias = total.inputs[:3], total.inputs[3]
    assert document.nodes[bias].op == "param" and document.nodes[bias].label == "b"
    for product, source in zip(products, inputs):
        weight, read = document.nodes[product].inputs
        assert document.nodes[product].op == "mul"
        assert document.nodes[weight].op == "param" and document.nodes[weight].label == "w"
        assert read == source.id


def test_perceptron_without_activation_returns_the_sum():
    builder = Builder(seed=0)
    out = builder.perceptron([builder.x()], activation=None)
    assert builder.document.nodes[out.id].op == "sum"
    assert len(builder.document.nodes) == 1 + 5 - 1


@pytest.mark.parametrize("inputs, width", [(2, 4), (4, 4), (8, 3)])
def test_a_layer_is_one_call_of_one_perceptron_function_per_perceptron(inputs, width):
    builder = Builder(seed=0)
    sources = [builder.param(label=f"in{i}") for i in range(inputs)]
    before = len(builder.document.nodes)
    outs = builder.layer(sources, width, activation="relu", label="h")
    document = builder.document
    calls = [document.nodes[split_reference(o.id)[0]] for o in outs]
    assert len(document.nodes) - before == width
    assert [call.label for call in calls] == [f"h{i + 1}" for i in range(width)]
    assert {call.function for call in calls} == {f"perceptron{inputs}_relu"}
    assert all(call.inputs == [source.id for source in sources] for call in calls)
    assert len({tuple(call.values.items()) for call in calls}) == width  # weights of their own
    assert set(calls[0].values) == {f"w{i + 1}" for i in range(inputs)} | {"b"}
    ops = [spec.op for spec in document.node_specs()]
    assert ops.count("relu") == width and ops.count("mul") == width * inputs


def test_a_layer_as_calls_computes_what_the_same_layer_wired_flat_computes():
    """Same seed, same draws (w1..wn, b per perceptron): the same numbers, expanded or not."""
    documents = []
    for flat in (False, True):
        builder = Builder(seed=3)
        x, y = builder.x(), builder.y()
        first = builder.layer([x, y], 3, flat=flat)
        out = builder.layer(first, 1, activation=None, flat=flat)[0]
        documents.append(builder.finish(result=out, loss=builder.loss("squared_error", out)))
    as_calls, flat = documents
    results = [document.program().evaluate_point(document.leaf_values(), 0.4, -0.7, 1.0)
               for document in documents]
    assert results[0].loss == results[1].loss and results[0].result == results[1].result
    assert len(as_calls.nodes) == 3 + 3 + 1 + 1 and len(flat.nodes) == 3 + 3 * 7 + 8 + 1
    assert sorted(as_calls.functions) == ["perceptron2_tanh", "perceptron3_linear"]


def test_a_second_layer_of_the_same_shape_reuses_the_perceptron_function_even_edited():
    builder = Builder(seed=0)
    x, y = builder.x(), builder.y()
    builder.layer([x, y], 2, label="a")
    edits.edit_definition(builder.document, "perceptron2_tanh", "set_value", "b", 0.25)
    edited = builder.document.definition("perceptron2_tanh").copy()
    builder.layer([y, x], 3, label="b")
    assert list(builder.document.functions) == ["perceptron2_tanh"]
    assert builder.document.definition("perceptron2_tanh") == edited
    assert len(builder.document.instances("perceptron2_tanh")) == 5


@pytest.mark.parametrize("inputs, width", [(2, 4), (4, 4), (8, 3)])
def test_a_flat_layer_has_width_perceptrons_each_reading_every_input(inputs, width):
    builder = Builder(seed=0)
    sources = [builder.param(label=f"in{i}") for i in range(inputs)]
    before = len(builder.document.nodes)
    outs = builder.layer(sources, width, activation="relu", label="h", flat=True)
    document = builder.document
    assert len(document.nodes) - before == width * (2 * inputs + 3)
    assert [document.nodes[o.id].label for o in outs] == [f"h{i + 1}" for i in range(width)]
    for out in outs:
        assert document.nodes[out.id].op == "relu"
    for source in sources:
        readers = [target for target, _ in document.consumers(source.id)]
        assert len(readers) == width  # one product per perceptron
        assert all(document.nodes[target].op == "mul" for target in readers)


def test_two_layers_and_an_output_count_like_the_write_up():
    builder = Builder(seed=0)
    x, y = builder.x(), builder.y()
    first = builder.layer([x, y], 4, flat=True)
    second = builder.layer(first, 4, flat=True)
    out = builder.perceptron(second)
    document = builder.finish(result=out, loss=builder.loss("squared_error", out))
    # inputs x, y, label; 4 perceptrons of 2 inputs; 4 of 4; 1 of 4; one loss
    assert len(document.nodes) == 3 + 4 * 7 + 4 * 11 + 11 + 1
    assert document.result == out.id
    assert document.nodes[document.loss].op == "squared_error"
    assert document.nodes[document.loss].inputs == [out.id, builder.label().id]


def test_loss_compares_with_the_label_or_a_given_target():
    builder = Builder(seed=0)
    out = builder.param(1.0)
    hinge = builder.loss("hinge", out)
    against_ten = builder.loss("squared_error", out, builder.const(10.0))
    document = builder.document
    assert document.nodes[hinge.id].inputs == [out.id, builder.label().id]
    assert document.nodes[document.nodes[against_ten.id].inputs[1]].value == 10.0
    assert document.nodes[hinge.id].label == "loss"


def test_finish_sets_result_loss_description_and_positions():
    builder = Builder(seed=0)
    out = build.tanh(builder.param() * builder.x())
    loss = builder.loss("squared_error", out)
    document = builder.finish(result=out, loss=loss, description="a line")
    assert (document.result, document.loss, document.description) == (out.id, loss.id, "a line")
    assert document.program().loss == loss.id
    document.check()


def test_finish_can_leave_positions_alone():
    builder = Builder(seed=0)
    builder.param() * builder.x()
    document = builder.finish(arrange=False)
    assert all(node.pos == (0.0, 0.0) for node in document.nodes.values())


def test_builder_can_extend_an_existing_document():
    first = Builder(seed=0)
    first.param(label="kept")
    document = first.finish()
    second = Builder(seed=1, document=document)
    second.perceptron([second.x()])
    assert len(document.nodes) == 1 + 1 + 5


# --- layout ------------------------------------------------------------------------------------


def big_network():
    builder = Builder(seed=0)
    x, y = builder.x(), builder.y()
    features = [x, y, build.sin(builder.param() * x + builder.param()), build.square(x) + build.square(y)]
    first = builder.layer(features, 6, flat=True)
    second = builder.layer(first, 3, flat=True)
    out = builder.perceptron(second)
    return builder.finish(result=out, loss=builder.loss("hinge", out))


def test_arranged_positions_never_overlap():
    """Two nodes in one column are at least each one's drawn height (node_height) apart."""
    document = big_network()
    positions = [node.pos for node in document.nodes.values()]
    assert len(set(positions)) == len(positions)
    points = np.array(positions)
    heights = np.array([node_height(document, node_id) for node_id in document.nodes])
    assert heights.max() > 120  # the 6-input sums are taller than the old fixed row
    for i, (px, py) in enumerate(points):
        same_column = np.abs(points[:, 0] - px) < COLUMN_WIDTH
        above = (points[:, 1] < py) & same_column
        below = (points[:, 1] > py) & same_column
        assert (points[above, 1] + heights[above] + ROW_GAP <= py).all()
        assert (py + heights[i] + ROW_GAP <= points[below, 1]).all()


def column_of(node):
    return round((node.pos[0] - 40.0) / COLUMN_WIDTH)


def test_every_link_points_rightwards_and_inner_nodes_sit_at_their_depth():
    document = big_network()
    depth = depths(document)
    for source, target, _ in document.links():
        assert column_of(document.nodes[source]) < column_of(document.nodes[target])
    for node_id, node in document.nodes.items():
        if node.inputs:
            assert node.pos[0] == pytest.approx(40.0 + depth[node_id] * COLUMN_WIDTH)


def test_leaves_sit_just_before_their_nearest_reader():
    document = big_network()
    for node_id, node in document.nodes.items():
        if node.inputs:
            continue
        readers = [document.nodes[target] for target, _ in document.consumers(node_id)]
        assert column_of(node) == min(column_of(reader) for reader in readers) - 1
    second_layer_weight = next(n for n in document.nodes.values() if n.op == "mul" and
                               document.nodes[n.inputs[1]].op == "tanh").inputs[0]
    assert column_of(document.nodes[second_layer_weight]) > 0


def test_a_leaf_sits_beside_the_other_input_of_its_reader():
    builder = Builder(seed=0)
    hidden = [build.tanh(builder.x() * float(i)) for i in range(1, 6)]
    outs = [builder.param(label=f"w{i}") * h for i, h in enumerate(hidden)]
    document = builder.finish(result=builder.total(outs))
    for product in outs:
        weight, activation = (document.nodes[i] for i in document.nodes[product.id].inputs)
        assert weight.pos[0] == activation.pos[0]
        assert abs(weight.pos[1] - activation.pos[1]) <= ROW_HEIGHT


def test_arranged_positions_of_some_nodes_leave_the_document_unchanged():
    document = big_network()
    before = {node_id: node.pos for node_id, node in document.nodes.items()}
    chosen = list(document.nodes)[:10]
    positions = arranged_positions(document, chosen, origin=(500.0, 300.0))
    assert set(positions) == set(chosen)
    assert {node_id: node.pos for node_id, node in document.nodes.items()} == before
    assert min(x for x, _ in positions.values()) == 500.0


def test_value_handles_know_their_builder():
    builder = Builder(seed=0)
    value = builder.param()
    assert isinstance(value, Value) and value.builder is builder
    assert builder.as_value(value) is value
    assert builder.document.nodes[builder.as_value(2).id].op == "const"
