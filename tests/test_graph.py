"""Tests for mlgarden.document.graph: every edit checks first and changes nothing when it refuses.

A refused edit must raise GraphError naming the node (or setting), leave the document equal to a
deep copy taken before, tell no listener, and keep the compiled program. A hypothesis test then
runs random sequences of edits, good and bad, and checks the document's rules after every step.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlgarden.document.graph import Document, GraphError, Node
from mlgarden.engine.ops import OPS


def sample_document() -> Document:
    """w, x -> m = w*x -> t = tanh m -> s = sum(t, w); loss = squared_error(s, c); result t.

    Off to the side: p = w^3 and half = p + (a free pin).
    """
    document = Document()
    document.add_node("param", "w", value=0.5, label="weight")
    document.add_node("x", "x")
    document.add_node("mul", "m", inputs=["w", "x"])
    document.add_node("tanh", "t", inputs=["m"])
    document.add_node("sum", "s", inputs=["t", "w"])
    document.add_node("const", "c", value=1.0)
    document.add_node("squared_error", "loss", inputs=["s", "c"])
    document.add_node("pow", "p", inputs=["w"], exponent=3.0)
    document.add_node("add", "half", inputs=["p", None])
    document.set_loss("loss")
    document.set_result("t")
    return document


@pytest.fixture
def document():
    return sample_document()


def listen(document):
    events = []
    document.subscribe(events.append)
    return events


NAN, INF = math.nan, math.inf

REFUSED = [
    # (what the edit does, the edit, text the message must contain)
    ("cycle", lambda d: d.connect("t", "m", 0), "'t'"),
    ("longer cycle", lambda d: d.connect("loss", "m", 1), "'loss'"),
    ("self link", lambda d: d.connect("m", "m", 1), "'m'"),
    ("self link into a sum", lambda d: d.connect("s", "s", 2), "'s'"),
    ("pin past a unary op", lambda d: d.connect("w", "t", 1), "'t'"),
    ("negative pin", lambda d: d.connect("w", "m", -1), "'m'"),
    ("pin as text", lambda d: d.connect("w", "m", "0"), "'m'"),
    ("pin as a bool", lambda d: d.connect("w", "m", True), "'m'"),
    ("sum pin past the free one", lambda d: d.connect("c", "s", 3), "'s'"),
    ("unknown source", lambda d: d.connect("ghost", "t", 0), "'ghost'"),
    ("unknown target", lambda d: d.connect("w", "ghost", 0), "'ghost'"),
    ("link into a leaf", lambda d: d.connect("t", "w", 0), "'w'"),
    ("link into a data input", lambda d: d.connect("w", "x", 0), "'x'"),
    ("disconnect a free pin", lambda d: d.disconnect("half", 1), "'half'"),
    ("disconnect a pin past the end", lambda d: d.disconnect("s", 2), "'s'"),
    ("disconnect a leaf", lambda d: d.disconnect("w", 0), "'w'"),
    ("disconnect an unknown node", lambda d: d.disconnect("ghost", 0), "'ghost'"),
    ("value nan", lambda d: d.set_value("w", NAN), "'w'"),
    ("value inf", lambda d: d.set_value("w", INF), "'w'"),
    ("value -inf", lambda d: d.set_value("c", -INF), "'c'"),
    ("value as text", lambda d: d.set_value("w", "1.0"), "'w'"),
    ("value None", lambda d: d.set_value("w", None), "'w'"),
    ("value as a bool", lambda d: d.set_value("w", True), "'w'"),
    ("value too big", lambda d: d.set_value("w", 1e13), "'w'"),
    ("value of an op node", lambda d: d.set_value("m", 1.0), "'m'"),
    ("value of an unknown node", lambda d: d.set_value("ghost", 1.0), "'ghost'"),
    ("values with nan", lambda d: d.set_values({"w": 2.0, "c": NAN}), "'c'"),
    ("values with text", lambda d: d.set_values({"w": "2"}), "'w'"),
    ("values with an op node", lambda d: d.set_values({"w": 2.0, "m": 1.0}), "'m'"),
    ("values too big", lambda d: d.set_values({"w": -2e12}), "'w'"),
    ("values of an unknown node", lambda d: d.set_values({"w": 2.0, "ghost": 1.0}), "'ghost'"),
    ("label with a newline", lambda d: d.rename("w", "a\nb"), "'w'"),
    ("label too long", lambda d: d.rename("t", "x" * 65), "'t'"),
    ("label not text", lambda d: d.rename("t", 5), "'t'"),
    ("rename an unknown node", lambda d: d.rename("ghost", "fine"), "'ghost'"),
    ("duplicate id", lambda d: d.add_node("const", "w"), "'w'"),
    ("id with a space", lambda d: d.add_node("const", "bad id"), "'bad id'"),
    ("id with code", lambda d: d.add_node("const", "a;import os"), "'a;import os'"),
    ("id starting with a digit", lambda d: d.add_node("const", "1a"), "'1a'"),
    ("id too long", lambda d: d.add_node("const", "a" * 65), "'" + "a" * 65 + "'"),
    ("id not text", lambda d: d.add_node("const", 7), "7"),
    ("unknown op", lambda d: d.add_node("bogus", "b"), "'bogus'"),
    ("new node value nan", lambda d: d.add_node("param", "q", value=NAN), "'q'"),
    ("new node value as text", lambda d: d.add_node("param", "q", value="abc"), "'q'"),
    ("new node value as numeric text", lambda d: d.add_node("param", "q", value="1.5"), "'q'"),
    ("new node exponent inf", lambda d: d.add_node("pow", "q", exponent=INF), "'q'"),
    ("new node bad label", lambda d: d.add_node("param", "q", label="two\nlines"), "'q'"),
    ("new node position nan", lambda d: d.add_node("param", "q", pos=(NAN, 0.0)), "'q'"),
    ("new node position as text", lambda d: d.add_node("param", "q", pos="ab"), "'q'"),
    ("new node position None", lambda d: d.add_node("param", "q", pos=None), "'q'"),
    ("new node with too few inputs", lambda d: d.add_node("mul", "q", inputs=["w"]), "'q'"),
    ("new node reading a ghost", lambda d: d.add_node("mul", "q", inputs=["w", "ghost"]), "'ghost'"),
    ("new node reading itself", lambda d: d.add_node("neg", "q", inputs=["q"]), "'q'"),
    ("new sum with a hole", lambda d: d.add_node("sum", "q", inputs=["w", None]), "'q'"),
    ("new leaf with inputs", lambda d: d.add_node("param", "q", inputs=["w"]), "'q'"),
    ("exponent of a mul", lambda d: d.set_exponent("m", 3.0), "'m'"),
    ("exponent nan", lambda d: d.set_exponent("p", NAN), "'p'"),
    ("exponent as text", lambda d: d.set_exponent("p", "2"), "'p'"),
    ("train a const", lambda d: d.set_trainable("c", False), "'c'"),
    ("move to nan", lambda d: d.move("w", (NAN, 1.0)), "'w'"),
    ("move to inf", lambda d: d.move("w", (1.0, INF)), "'w'"),
    ("move to text", lambda d: d.move("w", "ab"), "'w'"),
    ("move to three numbers", lambda d: d.move("w", (1.0, 2.0, 3.0)), "'w'"),
    ("move an unknown node", lambda d: d.move("ghost", (0.0, 0.0)), "'ghost'"),
    ("result unknown", lambda d: d.set_result("ghost"), "'ghost'"),
    ("loss unknown", lambda d: d.set_loss("ghost"), "'ghost'"),
    ("remove unknown", lambda d: d.remove_node("ghost"), "'ghost'"),
    ("remove some unknown", lambda d: d.remove_nodes(["w", "ghost"]), "'ghost'"),
    ("bogus optimizer", lambda d: d.set_training(optimizer="bogus"), "optimizer"),
    ("bogus optimizer with a good rate", lambda d: d.set_training(learning_rate=0.5, optimizer="bogus"),
     "optimizer"),
    ("zero learning rate", lambda d: d.set_training(learning_rate=0.0), "learning_rate"),
    ("nan learning rate", lambda d: d.set_training(learning_rate=NAN), "learning_rate"),
    ("fractional batch", lambda d: d.set_training(batch_size=2.5), "batch_size"),
    ("zero batch", lambda d: d.set_training(batch_size=0), "batch_size"),
    ("bool steps", lambda d: d.set_training(steps=True), "steps"),
    ("unknown setting", lambda d: d.set_training(bogus=1), "'bogus'"),
    ("no dataset points", lambda d: d.set_dataset(points=0), "points"),
    ("too much noise", lambda d: d.set_dataset(noise=2.0), "noise"),
    ("empty dataset name", lambda d: d.set_dataset(name=""), "name"),
]


@pytest.mark.parametrize("edit, mention", [case[1:] for case in REFUSED], ids=[case[0] for case in REFUSED])
def test_a_refused_edit_names_the_culprit_and_changes_nothing(document, edit, mention):
    program = document.program()
    before = document.copy()
    events = listen(document)
    with pytest.raises(GraphError) as refused:
        edit(document)
    assert mention in str(refused.value)
    assert document == before
    assert document.program() is program
    assert events == []
    document.check()


# --- good edits ------------------------------------------------------------------------------------


def test_each_edit_reports_what_changed(document):
    events = listen(document)
    steps = [
        (lambda: document.add_node("param", "v", value=1.0), "structure"),
        (lambda: document.connect("v", "s", 2), "structure"),
        (lambda: document.disconnect("s", 2), "structure"),
        (lambda: document.set_value("v", 2.0), "values"),
        (lambda: document.set_values({"v": 3.0, "w": 0.25}), "values"),
        (lambda: document.set_trainable("v", False), "values"),
        (lambda: document.set_exponent("p", 0.5), "structure"),
        (lambda: document.move("v", (10, 20)), "layout"),
        (lambda: document.rename("v", "bias"), "layout"),
        (lambda: document.set_result("m"), "structure"),
        (lambda: document.set_loss(None), "structure"),
        (lambda: document.set_training(optimizer="adam", learning_rate=0.01), "settings"),
        (lambda: document.set_dataset(name="circle", points=50), "settings"),
        (lambda: document.remove_node("v"), "structure"),
        (lambda: document.replace_with(sample_document()), "reset"),
    ]
    for edit, expected in steps:
        edit()
        assert events[-1] == expected
    assert events == [expected for _, expected in steps]


def test_good_edits_do_what_they_say(document):
    document.set_values({"w": 3.0, "c": -1.0})
    document.move("w", (1, 2))
    document.rename("w", "the weight")
    document.set_trainable("w", False)
    document.set_training(optimizer="momentum", batch_size=4)
    document.set_dataset(noise=0.5)
    w = document.node("w")
    assert (w.value, w.pos, w.label, w.title, w.trainable) == (3.0, (1.0, 2.0), "the weight",
                                                               "the weight", False)
    assert isinstance(w.pos[0], float) and document.node("c").value == -1.0
    training, dataset = document.training, document.dataset
    assert (training.optimizer, training.batch_size, dataset.noise) == ("momentum", 4, 0.5)
    assert document.node("m").title == "m"
    document.check()


def test_a_new_node_gets_a_fresh_id_and_free_pins():
    document = Document()
    first = document.add_node("mul")
    second = document.add_node("mul")
    assert (first, second) == ("mul1", "mul2")
    assert document.node(first).inputs == [None, None]
    assert document.add_node("sum") == "sum1" and document.node("sum1").inputs == []
    assert document.add_node("param", value=2) == "param1" and document.node("param1").value == 2.0
    assert document.fresh_id("squared error!") == "squared_error_1"
    assert document.fresh_id("9lives") == "n9lives1"
    document.check()


def test_connect_replaces_the_link_already_on_a_pin(document):
    document.connect("c", "m", 1)
    assert document.node("m").inputs == ["w", "c"]
    assert ("x", "m", 1) not in document.links() and ("c", "m", 1) in document.links()


# --- the variadic sum ---------------------------------------------------------------------------------


def test_sum_grows_a_pin_when_its_last_one_is_filled_and_loses_a_pin_on_disconnect(document):
    assert document.node("s").inputs == ["t", "w"] and document.pin_count("s") == 3
    document.connect("c", "s", 2)
    assert document.node("s").inputs == ["t", "w", "c"] and document.pin_count("s") == 4
    document.connect("x", "s", 0)
    assert document.node("s").inputs == ["x", "w", "c"]
    document.connect("w", "s", 3)
    assert document.node("s").inputs == ["x", "w", "c", "w"]
    document.disconnect("s", 1)
    assert document.node("s").inputs == ["x", "c", "w"] and document.pin_count("s") == 4
    for _ in range(3):
        document.disconnect("s", 0)
    assert document.node("s").inputs == [] and document.pin_count("s") == 1
    assert document.pin_count("m") == 2 and document.pin_count("w") == 0
    assert "s" in document.program().incomplete
    document.check()


# --- removing nodes -------------------------------------------------------------------------------------


def test_remove_node_drops_every_link_into_and_out_of_it(document):
    document.remove_node("w")
    assert "w" not in document.nodes
    assert document.node("m").inputs == [None, "x"]
    assert document.node("s").inputs == ["t"]  # the sum loses the pin
    assert document.node("p").inputs == [None] and document.node("half").inputs == ["p", None]
    assert all("w" not in (source, target) for source, target, _ in document.links())
    assert document.consumers("x") == [("m", 1)]
    document.check()


def test_removing_the_result_or_the_loss_clears_that_role(document):
    document.remove_node("t")
    assert document.result is None and document.loss == "loss"
    document.remove_node("loss")
    assert document.loss is None
    document.check()


def test_remove_nodes_removes_a_group_at_once(document):
    events = listen(document)
    document.remove_nodes(["m", "t", "loss"])
    assert sorted(document.nodes) == ["c", "half", "p", "s", "w", "x"]
    assert document.node("s").inputs == ["w"]
    assert (document.result, document.loss) == (None, None)
    assert events == ["structure"]
    document.check()


# --- the compiled program --------------------------------------------------------------------------------


def test_program_is_cached_until_a_structural_edit(document):
    program = document.program()
    for edit in (lambda: document.set_value("w", 2.0), lambda: document.move("w", (5, 5)),
                 lambda: document.rename("w", "w!"), lambda: document.set_training(steps=5),
                 lambda: document.set_trainable("w", False), lambda: document.set_values({"c": 3.0})):
        edit()
        assert document.program() is program
    evaluation = program.evaluate_point(document.leaf_values(), x=1.0)
    assert evaluation.values["w"] == 2.0 and evaluation.values["c"] == 3.0  # values are read per call
    for edit in (lambda: document.connect("c", "s", 2), lambda: document.set_exponent("p", 2.0),
                 lambda: document.set_result("m"), lambda: document.set_loss("s"),
                 lambda: document.add_node("const"), lambda: document.disconnect("s", 2),
                 lambda: document.remove_node("const1"), lambda: document.replace_with(sample_document())):
        edit()
        assert document.program() is not program
        program = document.program()


def test_the_program_follows_the_document(document):
    program = document.program()
    assert (program.loss, program.result) == ("loss", "t")
    assert program.leaf_ids == ["w", "c"] and document.leaf_values() == [0.5, 1.0]
    evaluation = program.evaluate_point(document.leaf_values(), x=2.0)
    assert evaluation.result == pytest.approx(math.tanh(1.0))
    assert evaluation.loss == pytest.approx((math.tanh(1.0) + 0.5 - 1.0) ** 2)
    document.set_exponent("p", 3.0)
    document.set_loss("p")
    assert document.program().evaluate_point([0.5, 1.0]).grads["w"] == pytest.approx(0.75)


# --- whole-document checks -------------------------------------------------------------------------------


def test_find_cycle_and_check_catch_a_document_broken_behind_the_edits(document):
    assert document.find_cycle() is None
    document.check()
    document.nodes["m"].inputs[1] = "t"  # m -> t -> m
    assert document.find_cycle() in ("m", "t")
    with pytest.raises(GraphError, match="cycle"):
        document.check()


def test_find_cycle_on_a_long_chain_is_iterative():
    document = Document()
    document.add_node("param", "n0")
    for k in range(1, 3000):
        document.add_node("neg", f"n{k}", inputs=[f"n{k - 1}"])
    assert document.find_cycle() is None
    assert document.depends_on("n2999", "n0") and not document.depends_on("n0", "n2999")
    document.nodes["n0"] = Node("n0", "neg", ["n2999"])
    assert document.find_cycle() is not None
    with pytest.raises(GraphError, match="cycle"):
        document.connect("n2999", "n0", 0)


@pytest.mark.parametrize("break_it, mention", [
    (lambda d: d.nodes["t"].inputs.__setitem__(0, "t"), "'t'"),
    (lambda d: d.nodes["t"].inputs.__setitem__(0, "ghost"), "'ghost'"),
    (lambda d: d.nodes["m"].inputs.append("x"), "'m'"),
    (lambda d: d.nodes["s"].inputs.append(None), "'s'"),
    (lambda d: setattr(d.nodes["w"], "value", math.nan), "'w'"),
    (lambda d: setattr(d.nodes["w"], "label", "a\nb"), "'w'"),
    (lambda d: setattr(d.nodes["w"], "pos", (0.0, math.inf)), "'w'"),
    (lambda d: setattr(d.nodes["w"], "op", "bogus"), "'bogus'"),
    (lambda d: setattr(d, "loss", "ghost"), "'ghost'"),
    (lambda d: setattr(d, "result", "ghost"), "'ghost'"),
    (lambda d: setattr(d.training, "optimizer", "bogus"), "optimizer"),
    (lambda d: setattr(d.dataset, "test_fraction", 0.95), "test_fraction"),
    (lambda d: d.nodes.__setitem__("bad id", Node("bad id", "param")), "'bad id'"),
    (lambda d: d.nodes.__setitem__("other", Node("w", "param")), "'other'"),
])
def test_check_names_the_first_broken_rule(document, break_it, mention):
    break_it(document)
    with pytest.raises(GraphError) as broken:
        document.check()
    assert mention in str(broken.value)


def test_copy_is_deep_and_equal(document):
    duplicate = document.copy()
    assert duplicate == document and duplicate is not document
    duplicate.connect("c", "s", 2)
    duplicate.set_training(seed=9)
    duplicate.view["zoom"] = 2
    assert document.node("s").inputs == ["t", "w"] and document.training.seed == 0 and document.view == {}
    assert duplicate != document
    assert document != "not a document"


def test_readers_of_the_document(document):
    assert document.consumers("w") == [("m", 0), ("s", 1), ("p", 0)]
    assert set(document.links()) == {("w", "m", 0), ("x", "m", 1), ("m", "t", 0), ("t", "s", 0),
                                     ("w", "s", 1), ("s", "loss", 0), ("c", "loss", 1), ("w", "p", 0),
                                     ("p", "half", 0)}
    assert [node.id for node in document.params()] == ["w"]
    assert document.depends_on("loss", "x") and document.depends_on("t", "t")
    assert not document.depends_on("x", "t")
    with pytest.raises(GraphError, match="'ghost'"):
        document.node("ghost")


def test_unsubscribed_listeners_hear_nothing(document):
    events = listen(document)
    document.unsubscribe(events.append)
    document.move("w", (3, 3))
    assert events == []


# --- random edit sequences keep the rules ------------------------------------------------------------------

IDS = ["w", "x", "m", "t", "s", "c", "loss", "p", "half", "ghost", "new1", "new2"]
OP_NAMES = sorted(OPS)
ANY_NUMBER = st.one_of(st.floats(-2e12, 2e12), st.sampled_from([math.nan, math.inf, "1", None, True]))

EDITS = st.one_of(
    st.tuples(st.just("add_node"), st.sampled_from(OP_NAMES), st.sampled_from(IDS + [None, "bad id"]),
              st.lists(st.sampled_from(IDS + [None]), max_size=3)),
    st.tuples(st.just("remove_node"), st.sampled_from(IDS)),
    st.tuples(st.just("connect"), st.sampled_from(IDS), st.sampled_from(IDS), st.integers(-1, 4)),
    st.tuples(st.just("disconnect"), st.sampled_from(IDS), st.integers(-1, 4)),
    st.tuples(st.just("set_value"), st.sampled_from(IDS), ANY_NUMBER),
    st.tuples(st.just("set_values"), st.dictionaries(st.sampled_from(IDS), ANY_NUMBER, max_size=3)),
    st.tuples(st.just("set_exponent"), st.sampled_from(IDS), ANY_NUMBER),
    st.tuples(st.just("move"), st.sampled_from(IDS), st.tuples(ANY_NUMBER, ANY_NUMBER)),
    st.tuples(st.just("rename"), st.sampled_from(IDS), st.sampled_from(["", "ok", "a\nb", "x" * 70, 3])),
    st.tuples(st.just("set_result"), st.sampled_from(IDS + [None])),
    st.tuples(st.just("set_loss"), st.sampled_from(IDS + [None])),
    st.tuples(st.just("set_training"), st.sampled_from(["optimizer", "learning_rate", "batch_size"]),
              st.sampled_from(["adam", "bogus", 0.1, 0, 8, -1, math.nan])),
)


def apply(document, edit):
    name, *arguments = edit
    if name == "add_node":
        op, node_id, inputs = arguments
        arity = OPS[op].arity
        fits = arity is None or len(inputs) == arity
        return document.add_node(op, node_id, inputs=inputs if fits else None)
    return getattr(document, name)(*arguments) if name != "set_training" else document.set_training(
        **{arguments[0]: arguments[1]})


@settings(max_examples=60, deadline=None)
@given(edits=st.lists(EDITS, min_size=1, max_size=40))
def test_random_edit_sequences_keep_every_rule(edits):
    document = sample_document()
    for edit in edits:
        before = document.copy()
        events = listen(document)
        try:
            apply(document, edit)
        except GraphError:
            assert document == before, edit
            assert events == [], edit
        else:
            assert len(events) == 1, edit
        document.unsubscribe(events.append)
        document.check()
        program = document.program()
        leaves = document.leaf_values(program)
        program.evaluate_point(leaves, x=0.5, y=-0.5)
        if program.loss is not None:
            program.evaluate_batch(np.array(leaves), np.zeros(3), np.ones(3), np.ones(3))
