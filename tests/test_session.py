"""The Session: what the app does, tested without a window."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import assert_undo_and_redo_walk_through, diverging_graph, play_steps, poll_until
from mlgarden.files import fileformat
from mlgarden.document.build import Builder
from mlgarden.document.graph import Document
from mlgarden.engine.ops import OPS
from mlgarden.learning.stepthrough import BACKWARD
from mlgarden.document.edits import BODY_EDITS, DOCUMENT_EDITS, FUNCTION_EDITS, STEP_WORDS
from mlgarden.session import Session


def perceptron_document() -> tuple[Document, str]:
    builder = Builder(seed=3)
    out = builder.perceptron([builder.x(), builder.y()])
    document = builder.finish(result=out, loss=builder.loss("squared_error", out))
    document.dataset.name = "linear"
    return document, out.id


def first_param(document: Document) -> str:
    return next(node.id for node in document.nodes.values() if node.op == "param")


def test_refused_edit_sets_status_and_changes_nothing():
    document, out = perceptron_document()
    session = Session(document)
    before = document.copy()
    assert session.edit("connect", out, out, 0) is None
    assert "cycle" in session.status
    assert document == before
    assert not session.history.can_undo()


def test_an_edit_that_goes_through_clears_the_refusal_of_an_earlier_try():
    document, out = perceptron_document()
    session = Session(document)
    weight = first_param(document)
    assert session.edit("set_value", weight, 1e300) is None
    refusal = session.status
    assert refusal
    assert session.edit("set_value", weight, 16.0)
    assert document.nodes[weight].value == 16.0 and session.status == ""


def test_a_done_edit_leaves_no_old_news_in_the_status_line_but_training_stays_said():
    document, out = perceptron_document()
    session = Session(document)
    weight = first_param(document)
    session.status = "added add1"  # what the canvas said of an earlier edit
    assert session.edit("set_value", weight, 17.0) and session.status == ""
    session.playing = True  # as Play sets it; the edit does not start or stop anything
    assert session.edit("set_value", weight, 18.0) and session.status == "training"


def test_an_edit_that_ends_a_step_through_says_so():
    """The step-through ends on the edit's document event, while the edit is applied: clearing
    the older news must not wipe that word (it did when cleared after the edit), nor may the
    later frames of the same value drag."""
    document, out = perceptron_document()
    session = Session(document)
    weight = first_param(document)
    assert session.start_stepthrough(BACKWARD)
    assert session.edit("set_value", weight, 2.0, merge_key="drag")
    assert session.stepthrough is None
    assert session.status == "step-through ended: the graph or the sample changed"
    assert session.edit("set_value", weight, 2.5, merge_key="drag")
    assert session.status == "step-through ended: the graph or the sample changed"
    session.end_gesture()
    assert session.edit("set_value", weight, 3.0) and session.status == ""


def test_undo_and_redo_name_the_step_in_the_users_words():
    document, out = perceptron_document()
    session = Session(document)
    weight = first_param(document)
    session.edit("set_value", weight, 3.0)
    session.edit("set_training", learning_rate=0.5)
    session.cut([weight])
    assert session.status == "cut 1 node(s)"
    session.undo()
    assert session.status == "undid cutting"
    session.undo()
    assert session.status == "undid changing a training setting"
    session.redo()
    assert session.status == "redid changing a training setting"
    session.undo()
    session.undo()
    assert session.status == "undid changing a value"
    assert session.history.undo_label() is None
    for step in STEP_WORDS.values():  # words, never an edit's internal name
        assert "_" not in step and step == step.lower()
    for name in (*DOCUMENT_EDITS, *FUNCTION_EDITS, *BODY_EDITS):  # each edit has its words
        assert name in STEP_WORDS, name


def test_value_drag_is_one_undo_step():
    document, _ = perceptron_document()
    session = Session(document)
    weight = first_param(document)
    original = document.nodes[weight].value
    for value in (0.1, 0.2, 0.3):
        session.edit("set_value", weight, value, merge_key=("value", weight))
    session.end_gesture()
    session.edit("set_value", weight, 0.9, merge_key=("value", weight))
    session.undo()
    assert document.nodes[weight].value == 0.3
    session.undo()
    assert document.nodes[weight].value == original
    session.redo()
    assert document.nodes[weight].value == 0.3


def test_evaluation_follows_sample_and_values():
    document, out = perceptron_document()
    session = Session(document)
    session.set_sample(5)
    x, y, label = session.sample()
    evaluation = session.evaluation()
    assert evaluation.values["x1"] == x and evaluation.values["y1"] == y
    session.edit("set_value", first_param(document), 2.0)
    assert session.evaluation().values[out] != evaluation.values[out]


def test_nearest_sample_picks_the_closest_point():
    session = Session(perceptron_document()[0])
    target = session.dataset.points[7]
    assert session.nearest_sample(target[0] + 1e-6, target[1]) == 7


def test_training_lowers_loss_and_play_is_undoable():
    document, _ = perceptron_document()
    session = Session(document)
    before = document.copy()
    play_steps(session, 1)
    first = session.trainer.metrics.train_loss
    play_steps(session, 200)
    session.close()
    assert session.trainer.metrics.train_loss < first
    session.undo()
    session.undo()
    assert document == before


def test_non_finite_training_pauses_with_a_message():
    session = Session(diverging_graph())
    session.play()
    poll_until(session, lambda: not session.playing, "the NaN stop")
    assert "log" in session.status and "NaN" in session.status
    assert session.training_worker_pid is None  # the stop ended the worker


def test_open_bad_file_keeps_graph(tmp_path):
    document, _ = perceptron_document()
    session = Session(document)
    before = document.copy()
    bad = tmp_path / "bad.yaml"
    bad.write_text("mlgarden: 1\nnodes: [ {id: a, op: nope} ]\n")
    assert not session.open(bad)
    assert "bad.yaml" in session.status
    assert document == before


def test_a_bad_file_deep_in_folders_is_named_in_the_status_line_with_its_line(tmp_path):
    session = Session(perceptron_document()[0])
    deep = tmp_path.joinpath(*[f"a-folder-with-a-long-name-{k}" for k in range(6)])
    deep.mkdir(parents=True)
    bad = deep / "bad.yaml"
    bad.write_text("mlgarden: 1\nnodes: [ {id: a, op: nope} ]\n")
    assert not session.open(bad)
    assert session.status.startswith("bad.yaml, line 2: ")
    assert session.open_error.startswith(f"{bad}, line 2: ")  # the dialog: the whole path


def test_save_open_round_trip_and_dirty_title(tmp_path):
    document, _ = perceptron_document()
    session = Session(document)
    session.edit("move", first_param(document), (12.0, 34.0))
    assert session.title.endswith("*")
    assert session.save(tmp_path / "graph")  # the extension is added
    assert session.path.name == "graph.yaml" and not session.title.endswith("*")
    other = Session()
    assert other.open(session.path)
    assert other.document == document
    assert other.title == "mlgarden — graph.yaml"


def test_undoing_back_to_the_saved_graph_leaves_nothing_unsaved(tmp_path):
    """As a desktop editor: after undoing every change since the save (or redoing back to it),
    closing does not ask to discard anything; one step away from it, it does."""
    document, _ = perceptron_document()
    session = Session(document)
    param = first_param(document)
    session.edit("move", param, (12.0, 34.0))
    assert session.save(tmp_path / "graph")
    session.edit("set_value", param, 0.25)
    session.edit("move", param, (50.0, 60.0))
    assert session.dirty
    session.undo()
    assert session.dirty and session.title.endswith("*")
    session.undo()
    assert not session.dirty and not session.title.endswith("*")
    session.undo()  # before the save: unsaved again
    assert session.dirty
    session.redo()
    assert not session.dirty
    session.redo()
    assert session.dirty


def test_undoing_everything_in_an_opened_file_leaves_it_clean(tmp_path):
    document, _ = perceptron_document()
    fileformat.save(document, tmp_path / "opened.yaml")
    session = Session()
    assert session.open(tmp_path / "opened.yaml")
    session.edit("move", first_param(session.document), (1.0, 2.0))
    assert session.dirty
    session.undo()
    assert not session.dirty


def test_opening_a_graph_whose_data_file_is_missing_says_so(tmp_path):
    """The graph opens on stand-in data; the status line must not hide that behind 'opened'."""
    document, _ = perceptron_document()
    document.dataset.name = "mydata.csv"  # read from beside the graph, and not there
    fileformat.save(document, tmp_path / "moved.yaml")
    session = Session()
    assert session.open(tmp_path / "moved.yaml")
    assert session.status.startswith("opened moved.yaml, but ")
    assert "mydata.csv" in session.status and "showing the linear data instead" in session.status
    session.close()


def test_new_data_while_training_goes_on_training_and_says_so():
    """The worker is restarted on the new data; the status line said "paused" while it trained."""
    document, _ = perceptron_document()
    session = Session(document)
    session.play()
    assert session.edit("set_dataset", seed=9)
    assert session.playing and session.status == "training"
    session.close()


def test_changing_dataset_reloads_points():
    session = Session(perceptron_document()[0])
    session.edit("set_dataset", name="spiral", points=120)
    assert len(session.dataset.labels) == 120
    assert session.dataset.name == "spiral"
    assert session.edit("set_dataset", points=0) is None
    assert "points" in session.status


def test_surface_has_the_grid_shape():
    session = Session(perceptron_document()[0])
    values = session.surface(32)
    assert values.shape == (32, 32) and values.dtype == np.float32
    assert not session.surface_stale


# --- random edit sequences: every step undoes to exactly the earlier document --------------

EDITS = ("add_node", "remove_node", "connect", "disconnect", "set_value", "move", "rename",
         "set_result", "set_loss")


def random_edit(data, document: Document):
    name = data.draw(st.sampled_from(EDITS))
    node_ids = sorted(document.nodes)
    some_node = st.sampled_from(node_ids) if node_ids else st.just("missing")
    if name == "add_node":
        return name, (data.draw(st.sampled_from(sorted(OPS))),), {"value": data.draw(st.floats(-5, 5))}
    if name in ("remove_node", "set_result", "set_loss"):
        return name, (data.draw(some_node),), {}
    if name in ("connect",):
        return name, (data.draw(some_node), data.draw(some_node), data.draw(st.integers(0, 2))), {}
    if name == "disconnect":
        return name, (data.draw(some_node), data.draw(st.integers(0, 2))), {}
    if name == "set_value":
        return name, (data.draw(some_node), data.draw(st.floats(-1e3, 1e3))), {}
    if name == "move":
        return name, (data.draw(some_node), (data.draw(st.floats(-500, 500)), 1.0)), {}
    return name, (data.draw(some_node), data.draw(st.text(max_size=8))), {}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_undo_after_any_edit_sequence_restores_every_earlier_document(data):
    session = Session()
    document = session.document
    snapshots = [document.copy()]
    for _ in range(data.draw(st.integers(1, 25))):
        name, args, kwargs = random_edit(data, document)
        if session.edit(name, *args, **kwargs) is not None:
            snapshots.append(document.copy())
            document.check()
            assert fileformat.loads(fileformat.dumps(document), "<memory>") == document
        else:
            assert document == snapshots[-1]
    assert_undo_and_redo_walk_through(session, snapshots)


def test_training_a_graph_without_a_loss_explains_instead_of_raising():
    session = Session(Document())
    for action in (session.step, session.reinitialise, session.step):
        action()
        assert "loss" in session.status
    session.play()
    session.poll_training()
    session.play()
    session.poll_training()
    assert not session.playing and "loss" in session.status
    assert session.training_worker_pid is None  # refused before any worker started


def test_opening_a_file_compiles_its_graph_once(tmp_path, monkeypatch):
    """Loading checks that the graph compiles; the session keeps that program (the second
    compile was a fifth of the time to open moons-mlp)."""
    from mlgarden.document import graph as graph_module

    path = tmp_path / "graph.yaml"
    fileformat.save(perceptron_document()[0], path)
    compiled = []
    compile_graph = graph_module.compile_graph
    monkeypatch.setattr(graph_module, "compile_graph",
                        lambda *arguments: compiled.append(1) or compile_graph(*arguments))
    session = Session()
    assert session.open(path)
    session.evaluation()
    assert len(compiled) == 1
    session.undo()  # nothing to undo: the program stays
    session.edit("add_node", "relu")  # a structural edit compiles anew
    session.evaluation()
    assert len(compiled) == 2
