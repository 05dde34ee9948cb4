"""Functions: collapse and expand keep every number, instances learn their own params, a body edit
reaches every instance, recursion is refused, and every edit undoes exactly.

The strongest check is on random graphs (tests/helpers.random_graphs): collapse random connected
selections, one after another (so later ones nest earlier instances), and compare every original
node's value and gradient, in the point and the batch route, with those of its flat id in the
collapsed graph; then expand every instance again and compare once more.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import assert_undo_and_redo_walk_through, document_of, random_graphs, same_number
from mlgarden.document import function_edits
from mlgarden.document import edits
from mlgarden.files import fileformat
from mlgarden.document.build import Builder
from mlgarden.document.function_templates import TEMPLATES
from mlgarden.document.functions import FunctionDefinition
from mlgarden.document.graph import Document, GraphError, Node
from mlgarden.session import Session
from mlgarden.learning.training import Trainer, TrainingError

POINT = (0.3, -0.7, 1.0)
XS, YS, LABELS = np.array([0.3, -1.2, 0.8]), np.array([-0.7, 0.4, 1.1]), np.array([1.0, -1.0, 1.0])


@pytest.fixture(autouse=True)
def state_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("MLGARDEN_STATE_DIR", str(tmp_path / "state"))


def numbers(document: Document):
    """Point values and gradients, batch gradients and batch loss, all by flat id."""
    program = document.program()
    leaves = document.leaf_values(program)
    point = program.evaluate_point(leaves, *POINT)
    batch_grads = program.batch_grads(np.array(leaves), XS, YS, LABELS) if program.loss else {}
    batch_loss = program.evaluate_batch(np.array(leaves), XS, YS, LABELS).loss if program.loss else None
    return point, batch_grads, batch_loss


def assert_same_numbers(before, after, flat_of: dict[str, str]) -> None:
    (point, batch, loss), (point2, batch2, loss2) = before, after
    assert same_number(point.loss if point.loss is not None else math.nan,
                       point2.loss if point2.loss is not None else math.nan)
    assert (loss is None) == (loss2 is None) and (loss is None or same_number(loss, loss2))
    for node_id, flat in flat_of.items():
        assert (node_id in point.values) == (flat in point2.values), node_id
        if node_id not in point.values:
            continue
        assert same_number(point.values[node_id], point2.values[flat]), (node_id, flat)
        assert same_number(point.grads[node_id], point2.grads[flat], rel=1e-9, abs_=1e-12), (node_id, flat)
        if batch:
            assert same_number(batch[node_id], batch2[flat], rel=1e-9, abs_=1e-12), (node_id, flat)


def connected_selection(data, document: Document) -> list[str]:
    """A random group of nodes grown from one node along links, both ways."""
    ids = list(document.nodes)
    chosen = [data.draw(st.sampled_from(ids))]
    for _ in range(data.draw(st.integers(0, 7))):
        neighbours = sorted({n for c in chosen for n in document.source_ids(c) if n is not None}
                            | {reader for c in chosen for reader, _ in document.consumers(c)})
        neighbours = [n for n in neighbours if n not in chosen]
        if not neighbours:
            break
        chosen.append(data.draw(st.sampled_from(neighbours)))
    return chosen


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graph=random_graphs(max_nodes=40), data=st.data())
def test_collapse_then_expand_keeps_every_value_and_gradient(graph, data):
    document = document_of(graph)
    before = numbers(document)
    flat_of = {node_id: node_id for node_id in document.nodes}
    for round_number in range(data.draw(st.integers(1, 3))):
        selection = connected_selection(data, document)
        copy = document.copy()
        try:
            instance = function_edits.collapse(document, selection, f"f{round_number}")
        except GraphError as error:
            assert "nothing leaves" in str(error) or "reads from it and feeds it" in str(error)
            assert document == copy
            continue
        for node_id, flat in flat_of.items():
            head = flat.split("/")[0]
            if head in selection:
                flat_of[node_id] = f"{instance}/{flat}"
        assert_same_numbers(before, numbers(document), flat_of)
        assert fileformat.loads(fileformat.dumps(document)) == document
    while any(node.op == "call" for node in document.nodes.values()):
        instance = next(node for node in document.nodes.values() if node.op == "call")
        inner = [n.id for n in document.functions[instance.function].nodes.values()
                 if n.op not in ("input", "output")]
        new_ids = dict(zip(inner, function_edits.expand(document, instance.id)))
        for node_id, flat in flat_of.items():
            head, _, rest = flat.partition("/")
            if head == instance.id:
                first, _, deeper = rest.partition("/")
                flat_of[node_id] = new_ids[first] + (f"/{deeper}" if deeper else "")
        assert_same_numbers(before, numbers(document), flat_of)
    assert set(flat_of.values()) <= set(document.nodes)


def test_collapse_makes_pins_from_the_links_that_cross_the_selection():
    builder = Builder(seed=1)
    x, y = builder.x(), builder.y()
    hidden = builder.perceptron([x, y], label="h")
    out = builder.op("neg", hidden)
    document = builder.finish(result=out, loss=builder.loss("squared_error", out), arrange=False)
    inner = [n for n in document.nodes if n not in ("x1", "y1", out.id, "label1", "squared_error1")]
    values = {n: document.nodes[n].value for n in inner if document.nodes[n].op == "param"}
    instance = function_edits.collapse(document, inner, "perceptron", ["x", "y"], ["h"])
    definition = document.functions["perceptron"]
    assert definition.input_names() == ["x", "y"] and definition.output_names() == ["h"]
    call = document.nodes[instance]
    assert (call.op, call.function, call.inputs) == ("call", "perceptron", ["x1", "y1"])
    assert call.values == values
    assert document.nodes[out.id].inputs == [instance]
    assert document.pin_names(instance) == ["x", "y"] and document.output_count(instance) == 1
    assert document.flat_id(instance) == f"{instance}/out1"
    assert set(document.nodes) == {"x1", "y1", instance, out.id, "label1", "squared_error1"}


def test_collapse_refuses_what_it_cannot_do_and_changes_nothing():
    document = two_layer_document()
    document.add_node("neg", "lonely", inputs=["x"])
    copy = document.copy()
    refused = [
        (lambda d: function_edits.collapse(d, [], "f"), "select"),
        (lambda d: function_edits.collapse(d, ["nope"], "f"), "'nope'"),
        (lambda d: function_edits.collapse(d, ["h1"], "bad name"), "name"),
        (lambda d: function_edits.collapse(d, ["lonely"], "f"), "nothing leaves"),
        (lambda d: function_edits.collapse(d, ["m0", "h1"], "f"),
         "'a1' is outside the selection but reads from it and feeds it"),
        (lambda d: function_edits.collapse(d, ["h1"], "f", input_names=["a", "b"]), "1 input"),
    ]
    for edit, fragment in refused:
        with pytest.raises(GraphError, match=fragment):
            edit(document)
        assert document == copy
    function_edits.collapse(document, ["h1"], "f")
    with pytest.raises(GraphError, match="already a function 'f'"):
        function_edits.collapse(document, ["s2"], "f")


def two_layer_document() -> Document:
    """x -> h1 = tanh(w1*x + b1) -> m1 = w2*h1 -> s2 = m1 + b2 -> out = tanh(s2); loss vs label."""
    document = Document()
    document.add_node("x", "x")
    document.add_node("param", "w1", value=0.7)
    document.add_node("param", "b1", value=-0.2)
    document.add_node("mul", "m0", inputs=["w1", "x"])
    document.add_node("add", "a1", inputs=["m0", "b1"])
    document.add_node("tanh", "h1", inputs=["a1"])
    document.add_node("param", "w2", value=1.3)
    document.add_node("mul", "m1", inputs=["w2", "h1"])
    document.add_node("param", "b2", value=0.1)
    document.add_node("add", "s2", inputs=["m1", "b2"])
    document.add_node("tanh", "out", inputs=["s2"])
    document.add_node("label", "label1")
    document.add_node("squared_error", "loss", inputs=["out", "label1"])
    document.set_result("out")
    document.set_loss("loss")
    return document


def test_a_function_with_two_outputs_links_each_by_reference():
    document = two_layer_document()
    instance = function_edits.collapse(document, ["w1", "m0", "a1", "h1"], "layer")
    assert document.output_count(instance) == 1 and document.pin_names(instance) == ["x", "b1"]
    edits.edit_definition(document, "layer", "add_node", "output", "pre", inputs=["a1"], label="pre")
    assert document.output_names(instance) == ["h1", "pre"]
    document.connect(f"{instance}:1", "s2", 1)
    assert document.nodes["s2"].inputs == ["m1", f"{instance}:1"]
    assert (f"{instance}:1", "s2", 1) in document.links()
    evaluation = document.program().evaluate_point(document.leaf_values(), 0.5)
    assert evaluation.values[document.flat_id(f"{instance}:1")] == pytest.approx(0.7 * 0.5 - 0.2)
    with pytest.raises(GraphError, match="2 output"):
        document.connect(f"{instance}:2", "s2", 1)
    document.set_result(f"{instance}:1")
    assert document.program().result == f"{instance}/pre"
    again = fileformat.loads(fileformat.dumps(document))
    assert again == document
    edits.edit_definition(document, "layer", "remove_node", "pre")
    assert document.nodes["s2"].inputs == ["m1", None] and document.result is None


# --- instances --------------------------------------------------------------------------------------


def perceptron_pair(shared_bias: bool = False) -> tuple[Document, str, str]:
    """Two perceptron instances on x and y, summed, trained against the label."""
    document = Document()
    function_edits.add_template(document, "perceptron", inputs=2, activation="tanh")
    if shared_bias:
        function_edits.set_shared(document, "perceptron", "b")
    document.add_node("x", "x")
    document.add_node("y", "y")
    first = function_edits.insert_function(document, "perceptron", (200, 0))
    second = function_edits.insert_function(document, "perceptron", (200, 200))
    for instance in (first, second):
        document.connect("x", instance, 0)
        document.connect("y", instance, 1)
    document.add_node("add", "out", inputs=[first, second])
    document.add_node("label", "label")
    document.add_node("squared_error", "loss", inputs=["out", "label"])
    document.set_result("out")
    document.set_loss("loss")
    return document, first, second


def test_two_instances_learn_their_own_weights_and_a_shared_param_stays_one():
    document, first, second = perceptron_pair(shared_bias=True)
    assert document.nodes[first].values != document.nodes[second].values
    assert set(document.nodes[first].values) == {"w1", "w2"}  # b is shared
    points = np.random.default_rng(0).uniform(-1, 1, size=(64, 2))
    labels = np.where(points[:, 0] > 0.2 * points[:, 1], 1.0, -1.0)
    before = {i: dict(document.nodes[i].values) for i in (first, second)}
    bias_before = document.functions["perceptron"].nodes["b"].value
    trainer = Trainer(document, points, labels)
    trainer.run_steps(50)
    for instance in (first, second):
        assert document.nodes[instance].values != before[instance]
    assert document.nodes[first].values != document.nodes[second].values
    assert "perceptron::b" in document.program().leaf_ids
    assert document.functions["perceptron"].nodes["b"].value != bias_before
    assert document.describe("perceptron::b") == "'b' shared by every perceptron"
    assert document.describe(f"{first}/w1") == f"'w1' in perceptron '{first}'"


def test_frozen_params_of_a_function_are_not_trained():
    document, first, _ = perceptron_pair()
    edits.edit_definition(document, "perceptron", "set_trainable", "w1", False)
    points = np.random.default_rng(1).uniform(-1, 1, size=(32, 2))
    labels = np.sign(points[:, 0])
    frozen = document.nodes[first].values.get("w1")
    Trainer(document, points, labels).run_steps(20)
    assert document.nodes[first].values.get("w1") == frozen


def test_set_values_routes_flat_ids_and_refuses_a_function_constant():
    document = Document()
    function_edits.add_template(document, "distance")
    document.add_node("x", "x")
    document.add_node("y", "y")
    instance = function_edits.insert_function(document, "distance")
    document.connect("x", instance, 0)
    document.connect("y", instance, 1)
    document.set_values({f"{instance}/px": 0.25})
    assert document.nodes[instance].values["px"] == 0.25
    with pytest.raises(GraphError, match="constant of the function"):
        document.set_values({f"{instance}/eps": 1.0})
    with pytest.raises(GraphError):
        document.set_values({f"{instance}/nothing": 1.0})
    evaluation = document.program().evaluate_point(document.leaf_values(), 1.0, 2.0)
    py = document.nodes[instance].values["py"]
    expected = math.sqrt((1.0 - 0.25) ** 2 + (2.0 - py) ** 2 + 1e-4)
    assert evaluation.values[document.flat_id(instance)] == pytest.approx(expected, rel=1e-12)


def test_templates_compute_what_they_say():
    document = Document()
    for template in TEMPLATES:
        function_edits.add_template(document, template)
    function_edits.add_template(document, "perceptron", "relu3", inputs=3, activation="relu")
    function_edits.add_template(document, "perceptron", "linear1", inputs=1, activation=None)
    document.add_node("x", "x")
    document.add_node("y", "y")
    calls = {}
    for name in ("perceptron", "sine_feature", "distance", "relu3", "linear1"):
        calls[name] = function_edits.insert_function(document, name)
        for pin in range(document.pin_count(calls[name])):
            document.connect("x" if pin % 2 == 0 else "y", calls[name], pin)
    evaluation = document.program().evaluate_point(document.leaf_values(), 0.4, -0.9)
    x, y = 0.4, -0.9

    def value(name):
        return evaluation.values[document.flat_id(calls[name])]

    def own(name, param):
        return document.nodes[calls[name]].values[param]

    assert value("perceptron") == pytest.approx(math.tanh(own("perceptron", "w1") * x
                                                          + own("perceptron", "w2") * y
                                                          + own("perceptron", "b")))
    assert value("relu3") == pytest.approx(max(0.0, own("relu3", "w1") * x + own("relu3", "w2") * y
                                               + own("relu3", "w3") * x + own("relu3", "b")))
    assert value("linear1") == pytest.approx(own("linear1", "w1") * x + own("linear1", "b"))
    assert value("sine_feature") == pytest.approx(math.sin(own("sine_feature", "a") * x
                                                           + own("sine_feature", "b")))
    assert value("distance") == pytest.approx(math.sqrt((x - own("distance", "px")) ** 2
                                                        + (y - own("distance", "py")) ** 2 + 1e-4))
    before = document.copy()
    # already there, the same: kept
    assert function_edits.add_template(document, "perceptron") == "perceptron"
    assert document == before
    with pytest.raises(GraphError, match="different function"):
        function_edits.add_template(document, "perceptron", inputs=4)
    with pytest.raises(GraphError, match="activation"):
        function_edits.add_template(document, "perceptron", "p9", activation="softmax")
    with pytest.raises(GraphError, match="unknown template"):
        function_edits.add_template(document, "convolution")


def test_an_unconnected_instance_pin_leaves_its_readers_uncomputed():
    document, first, _ = perceptron_pair()
    document.disconnect(first, 1)
    program = document.program()
    assert f"{first}/m2" in program.incomplete and f"{first}/m1" in program.index
    assert program.loss is None


# --- editing a definition ---------------------------------------------------------------------------


def test_editing_a_definition_changes_every_instance():
    document, first, second = perceptron_pair()
    edits.edit_definition(document, "perceptron", "add_node", "relu", "r", inputs=["a"])
    edits.edit_definition(document, "perceptron", "connect", "r", "out", 0)
    evaluation = document.program().evaluate_point(document.leaf_values(), *POINT)
    for instance in (first, second):
        assert evaluation.values[document.flat_id(instance)] >= 0.0
        assert f"{instance}/r" in evaluation.values
    # the default; instances have their own
    edits.edit_definition(document, "perceptron", "set_value", "b", 5.0)
    assert document.leaf_values() == document.copy().leaf_values()


def test_body_edits_keep_the_instances_linked_pin_by_pin():
    document, first, second = perceptron_pair()
    edits.edit_definition(document, "perceptron", "add_node", "input", "x3", label="z")
    assert document.pin_names(first) == ["x1", "x2", "z"]
    assert document.nodes[first].inputs == ["x", "y", None]
    edits.edit_definition(document, "perceptron", "remove_node", "x1")
    assert document.nodes[first].inputs == ["y", None] and document.nodes[second].inputs == ["y", None]
    document.check()


def test_a_body_edit_that_breaks_the_graph_is_refused_and_changes_nothing():
    document, first, _ = perceptron_pair()
    before = document.copy()
    events = []
    document.subscribe(events.append)
    refused = [
        (("perceptron", "remove_node", "out"), "no output"),
        (("perceptron", "set_result", "a"), "not an edit of a function's body"),
        (("perceptron", "connect", "a", "m1", 0), "cycle"),
        (("perceptron", "connect", "out", "m1", 0), "output pin"),
        (("perceptron", "insert_function", "perceptron"), "call itself"),
        (("nope", "move", "a", (1, 1)), "no function 'nope'"),
    ]
    for arguments, fragment in refused:
        with pytest.raises(GraphError, match=fragment):
            edits.edit_definition(document, *arguments)
        assert document == before and events == []


def test_a_body_edit_fires_the_event_it_would_fire_in_a_graph():
    document, _, _ = perceptron_pair()
    events = []
    document.subscribe(events.append)
    edits.edit_definition(document, "perceptron", "move", "a", (5, 5))
    edits.edit_definition(document, "perceptron", "set_value", "b", 0.5)
    edits.edit_definition(document, "perceptron", "disconnect", "a", 0)
    assert events == ["layout", "values", "structure"]


def test_recursion_is_refused_directly_and_through_another_function():
    document = Document()
    function_edits.add_template(document, "sine_feature", "f")
    function_edits.add_template(document, "sine_feature", "g")
    edits.edit_definition(document, "f", "insert_function", "g")
    before = document.copy()
    with pytest.raises(GraphError, match=r"'f' would call itself"):
        edits.edit_definition(document, "f", "insert_function", "f")
    with pytest.raises(GraphError, match=r"would call itself through 'f'"):
        edits.edit_definition(document, "g", "insert_function", "f")
    assert document == before
    looping = FunctionDefinition("h", {"i": Node("i", "input"), "c": Node("c", "call", [None], function="h"),
                                       "o": Node("o", "output", ["i"])})
    with pytest.raises(GraphError, match="call itself"):
        function_edits.define_function(document, looping)
    assert document == before


def test_nested_functions_compute_expand_and_round_trip():
    document = Document()
    function_edits.add_template(document, "perceptron", inputs=1, activation="tanh")
    function_edits.define_function(document, FunctionDefinition("twice", {
        "i": Node("i", "input", label="in"),
        "p1": Node("p1", "call", ["i"], function="perceptron", values={"w1": 0.5}),
        "p2": Node("p2", "call", ["p1"], function="perceptron"),
        "o": Node("o", "output", ["p2"], label="out"),
    }))
    document.add_node("x", "x")
    outer = function_edits.insert_function(document, "twice")
    document.connect("x", outer, 0)
    document.set_loss(outer)
    paths = set(document.nodes[outer].values)
    assert paths == {"p1/w1", "p1/b", "p2/w1", "p2/b"}
    assert document.describe(f"{outer}/p2/w1") == f"'w1' in perceptron 'p2' in twice '{outer}'"
    evaluation = document.program().evaluate_point(document.leaf_values(), 0.8)
    own = document.nodes[outer].values
    inner = math.tanh(own["p1/w1"] * 0.8 + own["p1/b"])
    assert evaluation.loss == pytest.approx(math.tanh(own["p2/w1"] * inner + own["p2/b"]))
    text = fileformat.dumps(document)
    assert fileformat.loads(text) == document and fileformat.dumps(fileformat.loads(text)) == text
    new_ids = function_edits.expand(document, outer)
    calls = [n for n in new_ids if document.nodes[n].op == "call"]
    assert len(calls) == 2 and document.nodes[calls[0]].values == {"w1": own["p1/w1"], "b": own["p1/b"]}
    again = document.program().evaluate_point(document.leaf_values(), 0.8)
    assert again.loss == pytest.approx(evaluation.loss)


def test_functions_in_use_cannot_be_removed_and_rename_follows_every_call():
    document, first, _ = perceptron_pair()
    with pytest.raises(GraphError, match="still used by node"):
        function_edits.remove_function(document, "perceptron")
    function_edits.rename_function(document, "perceptron", "neuron")
    assert document.nodes[first].function == "neuron" and list(document.functions) == ["neuron"]
    function_edits.add_template(document, "sine_feature")
    function_edits.remove_function(document, "sine_feature")
    assert "sine_feature" not in document.functions
    with pytest.raises(GraphError, match="already a function"):
        function_edits.rename_function(document, "neuron", "neuron")


def test_set_shared_is_refused_for_what_is_not_a_param_and_unshare_gives_each_instance_the_value():
    document, first, second = perceptron_pair()
    with pytest.raises(GraphError, match="only a param"):
        function_edits.set_shared(document, "perceptron", "m1", True)
    with pytest.raises(GraphError, match="no node"):
        function_edits.set_shared(document, "perceptron", "zz", True)
    function_edits.set_shared(document, "perceptron", "w1", True)
    assert "w1" not in document.nodes[first].values
    function_edits.set_shared(document, "perceptron", "w1", False)
    shared_value = document.functions["perceptron"].nodes["w1"].value
    leaves = dict(zip(document.program().leaf_ids, document.leaf_values()))
    assert leaves[f"{first}/w1"] == leaves[f"{second}/w1"] == shared_value


def test_input_and_output_nodes_belong_in_a_body():
    document = Document()
    for op in ("input", "output"):
        with pytest.raises(GraphError, match="belong in its body"):
            document.add_node(op)
    with pytest.raises(GraphError, match="no function"):
        document.add_node("call", function="nope")
    with pytest.raises(GraphError, match="inside a function's body"):
        document.add_node("param", shared=True)
    assert document == Document()


def test_training_error_names_the_node_inside_its_function():
    document = Document()
    function_edits.define_function(document, FunctionDefinition("logger", {
        "i": Node("i", "input"), "w": Node("w", "param", value=1.0),
        "m": Node("m", "mul", ["w", "i"]), "l": Node("l", "log", ["m"]), "o": Node("o", "output", ["l"]),
    }))
    document.add_node("x", "x")
    instance = function_edits.insert_function(document, "logger")
    document.connect("x", instance, 0)
    document.set_values({f"{instance}/w": 1.0})
    document.add_node("label", "label")
    document.add_node("squared_error", "loss", inputs=[instance, "label"])
    document.set_loss("loss")
    with pytest.raises(TrainingError, match=f"node 'l' in logger '{instance}' \\(log\\)") as caught:
        Trainer(document, np.array([[-1.0, 0.0]]), np.array([1.0])).run_steps(1)
    assert caught.value.node_id == f"{instance}/l"


# --- undo, redo and the clipboard -------------------------------------------------------------------


def test_undo_of_collapse_expand_insert_and_body_edits_restores_exactly():
    session = Session(two_layer_document())
    document = session.document
    snapshots = [document.copy()]
    steps = [
        ("collapse", (["w1", "m0", "a1", "h1"], "layer"), {}),
        ("add_template", ("perceptron",), {"inputs": 1}),
        ("insert_function", ("perceptron", (10, 10)), {}),
        ("edit_definition", ("layer", "set_value", "w1", 0.25), {}),
        ("set_shared", ("perceptron", "b", True), {}),
        ("expand", ("layer1",), {}),
    ]
    for name, args, kwargs in steps:
        assert session.edit(name, *args, **kwargs) is not None, session.status
        assert document.copy() != snapshots[-1] or name == "add_template"
        snapshots.append(document.copy())
    assert session.dirty
    assert_undo_and_redo_walk_through(session, snapshots)


def test_a_refused_function_edit_in_the_session_only_sets_the_status():
    document = two_layer_document()
    document.add_node("neg", "lonely", inputs=["x"])
    session = Session(document)
    before = document.copy()
    assert session.edit("collapse", ["lonely"], "f") is None
    assert "nothing leaves" in session.status
    assert session.document == before and not session.history.can_undo()


def test_copy_and_paste_of_a_call_keeps_its_function_and_values_even_in_another_graph():
    document, first, _ = perceptron_pair()
    session = Session(document)
    session.copy([first, "x"])
    pasted = session.paste((500, 500))
    call = next(n for n in pasted if document.nodes[n].op == "call")
    assert document.nodes[call].function == "perceptron"
    assert document.nodes[call].values == document.nodes[first].values
    assert document.nodes[call].inputs[0] in pasted and document.nodes[call].inputs[1] is None
    other = Session(Document())
    other.clipboard = session.clipboard
    pasted = other.paste((0, 0))
    assert "perceptron" in other.document.functions
    assert other.document.functions["perceptron"] == document.functions["perceptron"]
    other.document.check()


def test_copy_and_paste_keeps_links_from_a_second_output():
    document = two_layer_document()
    instance = function_edits.collapse(document, ["w1", "m0", "a1", "h1"], "layer")
    edits.edit_definition(document, "layer", "add_node", "output", "pre", inputs=["a1"])
    document.add_node("neg", "n", inputs=[f"{instance}:1"])
    session = Session(document)
    session.copy([instance, "n"])
    pasted = session.paste((0, 400))
    new_call, new_neg = pasted
    assert document.nodes[new_neg].inputs == [f"{new_call}:1"]


# --- random edit sequences with functions ---------------------------------------------------------


def random_function_edit(data, document: Document):
    ids = sorted(document.nodes)
    calls = sorted(n for n, node in document.nodes.items() if node.op == "call")
    names = sorted(document.functions)
    kind = data.draw(st.sampled_from(["collapse", "expand", "insert", "template", "body", "shared",
                                      "connect", "remove", "values"]))
    if kind in ("expand", "connect", "values") and not calls:
        kind = "insert"
    if kind in ("insert", "body", "shared") and not names:
        kind = "template"
    if kind == "collapse" and ids:
        return "collapse", (connected_selection(data, document), f"f{len(names)}"), {}
    if kind == "expand" and calls:
        return "expand", (data.draw(st.sampled_from(calls)),), {}
    if kind == "insert" and names:
        return "insert_function", (data.draw(st.sampled_from(names)), (0.0, 0.0)), {}
    if kind == "template":
        template = data.draw(st.sampled_from(sorted(TEMPLATES)))
        return "add_template", (template, f"t{len(names)}"), {}
    if kind == "body" and names:
        name = data.draw(st.sampled_from(names))
        body_ids = sorted(document.functions[name].nodes)
        edit = data.draw(st.sampled_from(["remove_node", "add_input", "set_value", "insert", "collapse",
                                          "expand"]))
        body_calls = sorted(n for n, node in document.functions[name].nodes.items() if node.op == "call")
        if edit == "collapse":
            selection = connected_selection(data, document.body(name))
            return "edit_definition", (name, "collapse", selection, f"f{len(names)}"), {}
        if edit == "expand" and body_calls:
            return "edit_definition", (name, "expand", data.draw(st.sampled_from(body_calls))), {}
        if edit == "add_input":
            return "edit_definition", (name, "add_node", "input"), {"label": "extra"}
        if edit == "insert" and len(names) > 1:
            return "edit_definition", (name, "insert_function", data.draw(st.sampled_from(names))), {}
        if edit == "set_value":
            return "edit_definition", (name, "set_value", data.draw(st.sampled_from(body_ids)), 0.5), {}
        return "edit_definition", (name, "remove_node", data.draw(st.sampled_from(body_ids))), {}
    if kind == "shared" and names:
        name = data.draw(st.sampled_from(names))
        return "set_shared", (name, data.draw(st.sampled_from(sorted(document.functions[name].nodes))),
                              data.draw(st.booleans())), {}
    if kind == "connect" and calls and ids:
        call = data.draw(st.sampled_from(calls))
        source = data.draw(st.sampled_from(ids))
        output = data.draw(st.integers(0, 2))
        reference = source if output == 0 else f"{source}:{output}"
        return "connect", (reference, call, data.draw(st.integers(0, 2))), {}
    if kind == "values" and calls:
        call = data.draw(st.sampled_from(calls))
        paths = sorted(document.nodes[call].values) or ["w1"]
        return "set_values", ({f"{call}/{data.draw(st.sampled_from(paths))}": 0.125},), {}
    if kind == "remove" and ids:
        return "remove_node", (data.draw(st.sampled_from(ids)),), {}
    return "add_node", ("x",), {}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graph=random_graphs(max_nodes=25), data=st.data())
def test_random_function_edits_keep_the_rules_save_reload_and_undo_exactly(graph, data):
    session = Session(document_of(graph))
    document = session.document
    snapshots = [document.copy()]
    for _ in range(data.draw(st.integers(1, 12))):
        name, args, kwargs = random_function_edit(data, document)
        if session.edit(name, *args, **kwargs) is not None:
            if document != snapshots[-1]:
                snapshots.append(document.copy())
            else:
                session.history.discard_last()
        else:
            assert document == snapshots[-1]
        document.check()
        text = fileformat.dumps(document)
        assert fileformat.loads(text) == document and fileformat.dumps(fileformat.loads(text)) == text
        program = document.program()
        program.evaluate_point(document.leaf_values(program), *POINT)
    assert_undo_and_redo_walk_through(session, snapshots)


def test_the_builder_defines_templates_and_calls_them():
    builder = Builder(seed=4)
    x, y = builder.x(), builder.y()
    builder.template("perceptron", "neuron", inputs=2)
    hidden = [builder.call("neuron", x, y)[0] for _ in range(3)]
    builder.template("perceptron", "joiner", inputs=3, activation="none")
    out = builder.call("joiner", *hidden, label="out")[0]
    document = builder.finish(result=out, loss=builder.loss("squared_error", out))
    assert [document.nodes[h.id].inputs for h in hidden] == [["x1", "y1"]] * 3
    assert len({tuple(document.nodes[h.id].values.values()) for h in hidden}) == 3
    assert document.program().incomplete == []
    assert fileformat.loads(fileformat.dumps(document)) == document


def test_a_body_can_be_shown_as_a_document_of_its_own():
    document, first, _ = perceptron_pair()
    body = document.body("perceptron")
    assert body.body_of == "perceptron" and list(body.nodes) == list(document.functions["perceptron"].nodes)
    assert body.pin_count("m1") == 2 and body.program().incomplete  # its pins feed nothing here
    body.move("a", (1.0, 2.0))
    # a copy: edit through edit_definition
    assert document.functions["perceptron"].nodes["a"].pos != (1.0, 2.0)


def test_collapse_and_expand_inside_a_body_keep_each_instance_s_own_values():
    document, first, second = perceptron_pair()
    before = numbers(document)
    values = {i: dict(document.nodes[i].values) for i in (first, second)}
    inner = edits.edit_definition(document, "perceptron", "collapse", ["w1", "m1"], "scaled")
    assert document.nodes[first].values[f"{inner}/w1"] == values[first]["w1"]
    flat = {node_id: node_id for node_id in ("x", "y", "out", "loss", "label")}
    assert_same_numbers(before, numbers(document), flat)
    assert fileformat.loads(fileformat.dumps(document)) == document
    assert sorted(edits.edit_definition(document, "perceptron", "expand", inner)) == ["m1", "w1"]
    assert_same_numbers(before, numbers(document), flat)
    assert {i: document.nodes[i].values for i in (first, second)} == values


def test_a_nested_call_s_defaults_and_a_function_s_description_can_be_edited():
    document = Document()
    function_edits.add_template(document, "sine_feature", "wave")
    function_edits.define_function(document, FunctionDefinition("outer", {
        "i": Node("i", "input"), "g": Node("g", "call", ["i"], function="wave"),
        "o": Node("o", "output", ["g"]),
    }))
    edits.edit_definition(document, "outer", "set_values", {"g/a": 3.0})
    assert document.functions["outer"].nodes["g"].values == {"a": 3.0}
    document.add_node("x", "x")
    document.add_node("call", "f", function="outer", inputs=["x"])  # no values of its own: the defaults
    evaluation = document.program().evaluate_point(document.leaf_values(), 0.5)
    assert evaluation.values[document.flat_id("f")] == pytest.approx(math.sin(3.0 * 0.5))
    function_edits.set_function_description(document, "outer", "a wave of x")
    assert fileformat.loads(fileformat.dumps(document)).functions["outer"].description == "a wave of x"
    with pytest.raises(GraphError, match="must be text"):
        function_edits.set_function_description(document, "outer", None)


def test_collapse_pins_names_what_a_collapse_would_make():
    from mlgarden.document.function_edits import collapse_pins

    document = two_layer_document()
    assert collapse_pins(document, ["w1", "m0", "a1", "h1"]) == (["x", "b1"], ["h1"])
    assert collapse_pins(document, ["out", "loss"]) == (["s2", "label1"], ["out", "loss"])


def test_collapse_names_alike_pins_apart_by_their_nodes():
    """Collapsing a layer of perceptron calls offered three outputs all called 'out' (and made them
    so): a call's output is named after its call where two are alike, another node by its id."""
    from mlgarden.document.build import Builder
    from mlgarden.document.function_edits import collapse_pins
    from mlgarden.document.nodes import node_of

    builder = Builder(seed=1)
    x, y = builder.x(), builder.y()
    hidden = builder.layer([x, y], width=3)
    out = builder.perceptron(hidden)
    document = builder.finish(result=out, loss=builder.loss("squared_error", out))
    calls = [node_of(value.id) for value in hidden]
    _, outputs = collapse_pins(document, calls)
    assert outputs == [f"{document.nodes[call].title} out" for call in calls]
    document.nodes[x.id].label = document.nodes[y.id].label = "same"
    assert collapse_pins(document, calls)[0] == [x.id, y.id]
    function_edits.collapse(document, calls, "layer")  # no names given: the same defaults
    assert document.definition("layer").output_names() == outputs
    assert document.definition("layer").input_names() == [x.id, y.id]


def test_collapse_names_apart_the_outputs_of_calls_labelled_alike_by_the_calls_ids():
    """Three calls all labelled 'neuron' gave three outputs all called 'neuron out'."""
    from mlgarden.document.build import Builder
    from mlgarden.document.function_edits import collapse_pins
    from mlgarden.document.nodes import node_of

    builder = Builder(seed=1)
    hidden = builder.layer([builder.x(), builder.y()], width=3)
    out = builder.perceptron(hidden)
    document = builder.finish(result=out, loss=builder.loss("squared_error", out))
    calls = [node_of(value.id) for value in hidden]
    for call in calls[:2]:
        document.nodes[call].label = "neuron"
    outputs = collapse_pins(document, calls)[1]
    assert outputs == [f"{calls[0]} out", f"{calls[1]} out", f"{document.nodes[calls[2]].title} out"]
