"""Editing a function's body through the Session ("Edit definition"), tested without a window."""

from mlgarden.document import function_edits
from mlgarden.document.graph import Document
from mlgarden.session import Session


def graph_with_two_perceptrons() -> tuple[Session, list[str]]:
    """Two instances of a 2-input tanh perceptron, fed x and y, the first one the result."""
    document = Document()
    x, y = document.add_node("x"), document.add_node("y")
    function_edits.add_template(document, "perceptron", inputs=2, activation="tanh")
    calls = [function_edits.insert_function(document, "perceptron", at=(200.0, 100.0 * k))
             for k in range(2)]
    for call in calls:
        document.connect(x, call, 0)
        document.connect(y, call, 1)
    document.set_result(calls[0])
    return Session(document), calls


def test_the_graph_is_shown_until_a_body_is_opened():
    session, _ = graph_with_two_perceptrons()
    assert session.scope is None
    assert session.shown_document is session.document
    assert session.open_function("perceptron")
    assert session.scope == "perceptron"
    assert session.shown_document.body_of == "perceptron"
    assert set(session.shown_document.nodes) == set(session.document.definition("perceptron").nodes)
    assert session.status == (f"editing function perceptron, numbers of {session.scope_instance}: "
                              "Back to graph returns")
    session.close_function()
    assert session.scope is None and session.shown_document is session.document
    assert session.status == "back to the graph from function perceptron"


def test_a_body_shows_the_numbers_of_the_instance_it_was_opened_from():
    session, calls = graph_with_two_perceptrons()
    session.open_function("perceptron")
    assert session.scope_instance == calls[0]  # opened from the Functions list: the first one
    session.close_function()
    session.open_function("perceptron", calls[1])  # Edit definition on the second call
    assert session.scope_instance == calls[1]
    assert session.status == f"editing function perceptron, numbers of {calls[1]}: Back to graph returns"
    session.edit("remove_node", calls[1])
    assert session.scope_instance == calls[0]  # the chosen one is gone: the first again
    session.close_function()
    assert session.scope_instance is None


def test_a_call_inside_a_body_opens_with_the_first_instance_even_when_a_graph_call_has_its_id():
    session, calls = graph_with_two_perceptrons()
    document = session.document
    function_edits.collapse(document, [calls[0]], "outer", ["x1", "x2"], ["out"])
    (inner,) = [node.id for node in document.definition("outer").nodes.values() if node.op == "call"]
    twin = function_edits.insert_function(document, "perceptron", at=(0.0, 400.0))
    assert twin == inner == calls[0]  # a graph call took the id the body's call kept
    session.open_function("outer")
    assert session.open_function("perceptron", inner)  # Edit definition inside the body
    assert session.scope_instance == calls[1]  # the graph's first instance, not the twin
    session.close_function()
    assert session.open_function("perceptron", twin)
    assert session.scope_instance == twin  # from the graph: that very call


def test_the_chosen_instance_deleted_and_undone_the_body_follows_the_one_left():
    session, calls = graph_with_two_perceptrons()
    session.open_function("perceptron", calls[1])
    session.edit("remove_node", calls[1])
    assert session.scope_instance == calls[0]
    session.undo()
    assert session.scope_instance == calls[1]


def test_a_nudge_in_a_body_sets_the_shown_instances_own_param_and_nothing_else():
    session, calls = graph_with_two_perceptrons()
    document = session.document
    default = document.definition("perceptron").nodes["w1"].value
    first, second = (session.evaluation().values[f"{call}/w1"] for call in calls)
    session.open_function("perceptron", calls[1])
    assert session.shown_value("w1") == second
    for value in (0.6, 0.7, 0.8):  # one drag: three nudges, one undo step
        assert session.set_shown_value("w1", value, merge_key=("value", "w1", 1))
        assert session.shown_value("w1") == value
    assert session.evaluation().values[f"{calls[1]}/w1"] == 0.8
    assert session.evaluation().values[f"{calls[0]}/w1"] == first  # the other instance: untouched
    assert document.definition("perceptron").nodes["w1"].value == default  # and the definition
    session.undo()
    assert session.shown_value("w1") == second
    assert not session.history.can_undo()


def test_a_shared_param_or_a_const_in_a_body_is_set_in_the_definition():
    session, calls = graph_with_two_perceptrons()
    session.open_function("perceptron", calls[1])
    session.edit("set_shared", "perceptron", "b", True)
    assert session.set_shown_value("b", 0.5)
    assert session.document.definition("perceptron").nodes["b"].value == 0.5
    assert session.evaluation().values["perceptron::b"] == 0.5
    const = session.edit_shown("add_node", "const", value=2.0)
    assert session.set_shown_value(const, 3.0)
    assert session.document.definition("perceptron").nodes[const].value == 3.0
    assert session.shown_value(const) == 3.0


def test_a_nudge_in_the_body_of_a_function_without_instances_sets_its_definition():
    session, calls = graph_with_two_perceptrons()
    for call in calls:
        session.edit("remove_node", call)
    session.open_function("perceptron")
    assert session.scope_instance is None
    assert session.status == "editing function perceptron, no instance in the graph: Back to graph returns"
    assert session.set_shown_value("w1", 0.125)
    assert session.document.definition("perceptron").nodes["w1"].value == 0.125


def test_opening_a_function_that_does_not_exist_is_refused():
    session, _ = graph_with_two_perceptrons()
    assert not session.open_function("nothing")
    assert session.scope is None
    assert session.status == "there is no function 'nothing'"


def test_an_edit_of_the_body_changes_the_definition_in_one_undo_step():
    session, calls = graph_with_two_perceptrons()
    session.open_function("perceptron")
    before = session.document.copy()
    assert session.edit_shown("set_value", "b", 0.25)
    assert session.document.definition("perceptron").nodes["b"].value == 0.25
    assert session.shown_document.nodes["b"].value == 0.25  # the copy shown is made again
    assert session.document.nodes.keys() == before.nodes.keys()
    session.undo()
    assert session.document == before
    assert session.status == "undid changing a value in function perceptron"


def test_every_instance_follows_a_new_input_pin_of_the_body():
    session, calls = graph_with_two_perceptrons()
    session.open_function("perceptron")
    pin = session.edit_shown("add_node", "input", label="z")
    assert pin in session.shown_document.nodes
    for call in calls:
        assert session.document.pin_count(call) == 3
        assert session.document.nodes[call].inputs[2] is None


def test_a_refused_edit_of_the_body_sets_the_status_and_changes_nothing():
    session, _ = graph_with_two_perceptrons()
    session.open_function("perceptron")
    before = session.document.copy()
    assert session.edit_shown("connect", "a", "s", 0) is None  # a would read itself through s
    assert "cycle" in session.status
    assert session.document == before
    assert not session.history.can_undo()


def test_a_function_inserted_into_a_body_goes_into_the_definition():
    session, calls = graph_with_two_perceptrons()
    session.open_function("perceptron")
    instance = session.insert_function_shown("feature", (0.0, 0.0), "sine_feature")
    assert instance in session.document.definition("perceptron").nodes
    assert instance not in session.document.nodes
    assert "feature" in session.document.functions
    assert session.status == f"inserted {instance}, an instance of function feature"
    session.undo()  # the template's definition and the instance were one step
    assert "feature" not in session.document.functions


def test_a_function_inserted_into_the_graph_goes_into_the_graph():
    session, _ = graph_with_two_perceptrons()
    instance = session.insert_function_shown("perceptron", (10.0, 20.0))
    assert session.document.nodes[instance].function == "perceptron"
    assert session.document.nodes[instance].pos == (10.0, 20.0)


def test_a_scope_whose_function_went_away_is_left():
    session, _ = graph_with_two_perceptrons()
    session.edit("define_function", function_edits.function_templates.build("distance"))
    session.open_function("distance")
    assert not session.scope_is_stale()
    session.undo()  # the definition goes
    assert session.scope_is_stale()
    session.check_scope()
    assert session.scope is None
    assert session.shown_document is session.document


def test_opening_another_graph_leaves_the_body():
    session, _ = graph_with_two_perceptrons()
    session.open_function("perceptron")
    session.new()
    assert session.scope_is_stale()
    session.check_scope()
    assert session.scope is None
