"""The gradient along each link: the shares out of a node add up to its gradient, and two links
out of one node can carry shares of different signs (what the canvas colours links by)."""

import pytest
from hypothesis import HealthCheck, given, settings

from helpers import document_of, random_graphs
from mlgarden.document.build import Builder
from mlgarden.document.scope_ids import flat_id_shown
from mlgarden.learning.link_gradients import LinkGradients, link_gradient
from test_node_surface import two_output_function, two_perceptrons


def shares_of(document, scope=None):
    program = document.program()
    evaluation = program.evaluate_point(document.leaf_values(program), 0.3, -0.7, 1.0)
    return evaluation, LinkGradients(program, evaluation.values, evaluation.grads)


def assert_shares_add_up(document, evaluation, shares):
    """Every node with a link out of it: the sum of its links' shares is its gradient (but where
    backpropagation starts, whose gradient is 1 whatever reads it)."""
    root = document.flat_id(document.program().backprop_from)
    out_of: dict[str, list] = {}
    for key in document.links():
        out_of.setdefault(key[0], []).append(link_gradient(document, None, key, shares))
    assert out_of
    for source, carried in out_of.items():
        if document.flat_id(source) == root:
            continue
        expected = evaluation.grads[document.flat_id(source)]
        assert sum(carried) == pytest.approx(expected, rel=1e-9, abs=1e-12), source


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.data_too_large])
@given(graph=random_graphs(max_nodes=40))
def test_the_shares_out_of_each_node_add_up_to_its_gradient(graph):
    document = document_of(graph)
    if not document.links():
        return
    evaluation, shares = shares_of(document)
    assert_shares_add_up(document, evaluation, shares)


def test_two_links_out_of_one_node_can_carry_opposite_signs():
    builder = Builder(seed=1)
    x = builder.x()
    up, down = builder.param(2.0, label="up"), builder.param(-3.0, label="down")
    a, b = builder.op("mul", up, x, label="a"), builder.op("mul", down, x, label="b")
    total = builder.op("add", a, b, label="total")
    document = builder.finish(result=total)
    evaluation, shares = shares_of(document)
    into_a = link_gradient(document, None, (x.id, a.id, 1), shares)
    into_b = link_gradient(document, None, (x.id, b.id, 1), shares)
    assert (into_a, into_b) == (2.0, -3.0)  # grad(total) = 1 from the result, times each weight
    assert evaluation.grads[x.id] == -1.0


def test_links_into_calls_and_inside_a_body_carry_the_body_s_shares():
    document, calls = two_perceptrons()
    evaluation, shares = shares_of(document)
    assert_shares_add_up(document, evaluation, shares)
    body = document.body("perceptron")  # the body as the canvas shows it
    first = calls[0]
    out_of: dict[str, float] = {}
    for key in body.links():  # inside the body: the first instance's numbers
        carried = link_gradient(document, "perceptron", key, shares)
        out_of[key[0]] = out_of.get(key[0], 0.0) + carried
    for source, total in out_of.items():
        if body.nodes[source].op != "input":  # an input pin's source is read by both instances
            flat = flat_id_shown(document, "perceptron", source)
            assert total == pytest.approx(evaluation.grads[flat], rel=1e-9, abs=1e-12)
    output = document.definition("perceptron").output_ids()[0]
    (into_output,) = [key for key in body.links() if key[1] == output]
    assert link_gradient(document, "perceptron", into_output, shares) == pytest.approx(
        evaluation.grads[document.flat_id(first)])


def test_each_output_of_a_call_carries_its_own_share():
    document, call, total, difference = two_output_function()
    document.set_result(difference)  # difference = x² - y²: output 0 gets +1, output 1 gets -1
    evaluation, shares = shares_of(document)
    assert link_gradient(document, None, (call, difference, 0), shares) == 1.0
    assert link_gradient(document, None, (f"{call}:1", difference, 1), shares) == -1.0
    assert link_gradient(document, None, (call, total, 0), shares) == 0.0  # off the path
