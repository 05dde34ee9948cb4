"""Backpropagation step by step (mlgarden/learning/stepthrough.py): the steps retell the engine.

The strongest check: accumulating every step's share gives, for every node, exactly the gradient
the engine computes (random graphs, every op, functions); then the sentences and the walk.
"""

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import op_program, random_graphs, same_number
from mlgarden.document import function_edits
from mlgarden.document.build import Builder
from mlgarden.engine.ops import OPS
from mlgarden.learning.stepthrough import (
    BACKWARD,
    FORWARD,
    StepError,
    backward_steps,
    flat_name,
    forward_steps,
    start_walk,
)
from mlgarden.engine.program import NodeSpec, compile_graph

GRAPHS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                         HealthCheck.data_too_large])
UNIT = st.floats(-1.0, 1.0, allow_nan=False)


def accumulated(steps) -> dict[str, float]:
    """Each node's gradient after every step: the last total it was given."""
    gradients = {}
    for step in steps:
        gradients[step.receiver] = step.total
    return gradients


def assert_steps_give_the_engines_gradients(program, evaluation):
    steps = backward_steps(program, evaluation)
    gradients = accumulated(steps)
    for node_id in program.order:
        expected = evaluation.grads[node_id]
        shown = gradients.get(node_id, 0.0)
        assert same_number(shown, expected, rel=1e-9, abs_=1e-12), (node_id, shown, expected)


@GRAPHS
@given(graph=random_graphs(max_nodes=120), x=UNIT, y=UNIT, label=st.sampled_from([-1.0, 1.0]))
def test_the_accumulated_steps_equal_the_engines_gradients_on_random_graphs(graph, x, y, label):
    program = graph.program()
    evaluation = program.evaluate_point(graph.leaves_for(program), x, y, label)
    assert_steps_give_the_engines_gradients(program, evaluation)


@pytest.mark.parametrize("op", [op.name for op in OPS.values() if op.derivatives])
@pytest.mark.parametrize("a, b", [(0.3, -0.7), (-1.2, 0.4), (0.5, 0.5)])
def test_every_op_steps_to_the_engines_gradients(op, a, b):
    arity = OPS[op].arity or 3
    program = op_program(op, ("param",) * arity, exponent=3.0)
    leaves = [a, b, 0.9][:arity] if op not in ("sqrt", "log") else [abs(a) + 0.1]
    evaluation = program.evaluate_point(leaves)
    assert_steps_give_the_engines_gradients(program, evaluation)


def test_a_node_used_twice_gets_two_shares_that_accumulate():
    specs = [NodeSpec("w", "param"), NodeSpec("sq", "mul", ("w", "w")), NodeSpec("t", "tanh", ("w",)),
             NodeSpec("loss", "add", ("sq", "t"))]
    program = compile_graph(specs, loss="loss")
    evaluation = program.evaluate_point([0.5])
    shares = [step for step in backward_steps(program, evaluation) if step.receiver == "w"]
    assert len(shares) == 3  # both pins of the mul, and the tanh
    assert [step.total for step in shares] == pytest.approx(
        [sum(step.amount for step in shares[:k + 1]) for k in range(3)])
    assert shares[-1].total == pytest.approx(2 * 0.5 + (1 - math.tanh(0.5) ** 2))
    assert "is now" in shares[1].sentence and "is now" not in shares[0].sentence


def lecture_graph():
    """h1 = tanh(s1), s1 = w * x + b, loss = (h1 - label)²: the lecture's neuron."""
    builder = Builder(seed=1)
    s1 = builder.op("add", builder.op("mul", builder.param(0.6, label="w"), builder.x(), label="wx"),
                    builder.param(0.42, label="b"), label="s1")
    h1 = builder.op("tanh", s1, label="h1")
    loss = builder.loss("squared_error", h1)
    return builder.finish(result=h1, loss=loss, arrange=False)


def test_the_sentences_read_like_the_lecture_with_numbers():
    document = lecture_graph()
    program = document.program()
    evaluation = program.evaluate_point(document.leaf_values(program), 0.5, 0.0, 1.0)
    name = lambda flat_id: flat_name(document, flat_id)  # noqa: E731
    steps = backward_steps(program, evaluation, name)
    assert steps[0].sentence == "grad(loss) = 1: backpropagation starts at the loss"
    ids = {node.label: node.id for node in document.nodes.values() if node.label}
    into_s1 = next(step for step in steps if step.link == (ids["s1"], ids["h1"]))
    h1 = evaluation.values[ids["h1"]]
    grad_h1 = evaluation.grads[ids["h1"]]
    assert into_s1.sentence == (f"grad(s1) += grad(h1) * d h1/d s1 = {grad_h1:.3g} * (1 - {h1:.3g}²) = "
                                f"{grad_h1 * (1 - h1 * h1):.3g}")
    forward = forward_steps(program, evaluation, name)
    tanh_step = next(step for step in forward if name(step.node) == "h1")
    s1 = evaluation.values[ids["s1"]]
    assert tanh_step.sentence == f"h1 = tanh(s1) = tanh({s1:.3g}) = {h1:.3g}"
    assert next(step for step in forward if name(step.node) == "w").sentence == "w = 0.6 (a param)"


def test_negative_numbers_stand_in_parentheses():
    program = op_program("mul", ("param", "param"))
    evaluation = program.evaluate_point([-0.5, 2.0])
    forward = forward_steps(program, evaluation)
    assert forward[-1].sentence == "out = in0 * in1 = (-0.5) * 2 = -1"


def perceptron_pair():
    builder = Builder(seed=4)
    document = builder.finish(arrange=False)
    function_edits.add_template(document, "perceptron", inputs=2, activation="tanh")
    call = function_edits.insert_function(document, "perceptron")
    for pin, op in enumerate(("x", "y")):
        document.connect(document.add_node(op), call, pin)
    loss = document.add_node("squared_error")
    document.connect(call, loss, 0)
    document.connect(document.add_node("label"), loss, 1)
    document.set_loss(loss)
    return document, call


def test_function_calls_are_entered_their_body_nodes_are_steps():
    document, call = perceptron_pair()
    program = document.program()
    evaluation = program.evaluate_point(document.leaf_values(program), 0.3, -0.4, 1.0)
    steps = backward_steps(program, evaluation, lambda flat_id: flat_name(document, flat_id))
    inside = [step for step in steps if step.receiver.startswith(f"{call}/")]
    assert inside and all(step.sentence.startswith(f"grad({call}/") for step in inside)
    assert_steps_give_the_engines_gradients(program, evaluation)


def test_a_walk_moves_on_and_back_and_shows_what_is_known_so_far():
    document = lecture_graph()
    program = document.program()
    evaluation = program.evaluate_point(document.leaf_values(program), 0.5, 0.0, 1.0)
    walk = start_walk(BACKWARD, program, evaluation)
    assert dict(walk.shown_gradients()) == {program.loss: 1.0}
    assert walk.back() is False
    while walk.next():
        pass
    assert walk.position == len(walk.steps) - 1
    for node_id, gradient in walk.shown_gradients().items():
        assert gradient == pytest.approx(evaluation.grads[node_id])
    assert walk.back() and walk.current is walk.steps[-2]
    assert len(walk.shown_gradients()) <= len(program.order)
    assert walk.shown_values() is evaluation.values

    forward = start_walk(FORWARD, program, evaluation)
    assert list(forward.shown_values()) == [program.order[0]] and forward.shown_gradients() == {}
    forward.next()
    assert list(forward.shown_values()) == program.order[:2]


def test_no_loss_no_backward_walk():
    program = compile_graph([NodeSpec("w", "param")])
    with pytest.raises(StepError, match="no computable loss"):
        start_walk(BACKWARD, program, program.evaluate_point([1.0]))


def test_with_a_result_and_no_loss_the_walk_starts_at_the_result_as_the_engine_does():
    """The write-up's (5 + 3) * 2: the steps end on the gradients the point route gives."""
    specs = [NodeSpec("a", "param"), NodeSpec("b", "param"), NodeSpec("c", "param"),
             NodeSpec("s", "add", ("a", "b")), NodeSpec("r", "mul", ("s", "c"))]
    program = compile_graph(specs, result="r")
    evaluation = program.evaluate_point([5.0, 3.0, 2.0])
    steps = backward_steps(program, evaluation)
    assert steps[0].sentence == "grad(r) = 1: backpropagation starts at the result (the graph has no loss)"
    totals = {}
    for step in steps:
        totals[step.receiver] = step.total
    assert totals == {"r": 1.0, "s": 2.0, "c": 8.0, "a": 2.0, "b": 2.0}
    assert totals == {node_id: evaluation.grads[node_id] for node_id in totals}
