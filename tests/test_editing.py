"""Editor power at the document level: clipboard, insert layer, arrange, never losing work."""

import itertools
import math
import os
import time

import pytest

from mlgarden import userstate
from mlgarden.document.build import Builder
from mlgarden.document.graph import Document
from mlgarden.document.layout import COLUMN_WIDTH, node_height
from mlgarden.session import AUTOSAVE_SECONDS, Session


@pytest.fixture(autouse=True)
def state_dir(tmp_path, monkeypatch):
    folder = tmp_path / "state"
    monkeypatch.setenv("MLGARDEN_STATE_DIR", str(folder))
    return folder


def small_graph() -> Session:
    builder = Builder(seed=2)
    out = builder.perceptron([builder.x(), builder.y()], label="p")
    document = builder.finish(result=out, loss=builder.loss("squared_error", out))
    return Session(document)


def test_copy_paste_keeps_inner_links_cuts_outer_ones_with_fresh_ids():
    session = small_graph()
    document = session.document
    products = [n.id for n in document.nodes.values() if n.op == "mul"]
    weights = [document.nodes[p].inputs[0] for p in products]
    session.copy(products + weights)
    new_ids = session.paste((500.0, 600.0))
    assert len(new_ids) == 4 and not set(new_ids) & set(products + weights)
    new_products = [n for n in new_ids if document.nodes[n].op == "mul"]
    for product in new_products:
        weight, data = document.nodes[product].inputs
        assert weight in new_ids and data is None  # x and y stayed outside the selection
    assert min(document.nodes[n].pos[0] for n in new_ids) == 500.0
    session.undo()
    assert not set(new_ids) & set(document.nodes)


def test_cut_removes_and_paste_restores_the_values():
    session = small_graph()
    document = session.document
    weight = next(n.id for n in document.nodes.values() if n.op == "param")
    value = document.nodes[weight].value
    session.cut([weight])
    assert weight not in document.nodes
    (pasted,) = session.paste((0.0, 0.0))
    assert document.nodes[pasted].value == value


def test_duplicate_offsets_the_copy():
    session = small_graph()
    document = session.document
    out = document.result
    (copy_id,) = [n for n in session.duplicate([out])]
    assert document.nodes[copy_id].op == document.nodes[out].op
    assert document.nodes[copy_id].pos[0] == document.nodes[out].pos[0] + 40.0


def test_paste_of_nothing_is_refused_politely():
    session = small_graph()
    before = session.document.copy()
    assert session.paste((0.0, 0.0)) is None
    assert "nothing to paste" in session.status and session.document == before


def test_insert_layer_gives_one_perceptron_call_per_perceptron_in_one_step():
    session = Session(Document())
    x = session.edit("add_node", "x")
    y = session.edit("add_node", "y")
    outputs = session.insert_layer([x, y], 3, "relu", at=(300.0, 0.0))
    document = session.document
    calls = [document.nodes[o] for o in outputs]
    assert [call.op for call in calls] == ["call"] * 3
    assert {call.function for call in calls} == {"perceptron2_relu"}
    assert all(call.inputs == [x, y] for call in calls)
    assert len({call.values["w1"] for call in calls}) == 3  # each its own weights
    assert len(document.consumers(x)) == 3 and len(document.consumers(y)) == 3
    assert {call.pos[0] for call in calls} == {300.0}  # one column
    again = session.insert_layer(outputs, 2, "relu", at=(600.0, 0.0))
    assert sorted(document.functions) == ["perceptron2_relu", "perceptron3_relu"]
    assert len(document.instances("perceptron2_relu")) == 3 and len(again) == 2
    session.undo()
    session.undo()
    assert set(document.nodes) == {x, y} and document.functions == {}


def test_insert_layer_as_plain_nodes_pours_out_each_perceptron():
    session = Session(Document())
    x = session.edit("add_node", "x")
    y = session.edit("add_node", "y")
    outputs = session.insert_layer([x, y], 3, "relu", at=(300.0, 0.0), flat=True)
    document = session.document
    assert len(outputs) == 3 and all(document.nodes[o].op == "relu" for o in outputs)
    assert len(document.nodes) == 2 + 3 * 7 and not document.functions
    assert all(document.nodes[target].op == "mul" for target, _ in document.consumers(x))


def test_a_layer_goes_below_the_nodes_already_where_it_would_land():
    session = Session(Document())
    x = session.edit("add_node", "x", pos=(0.0, 0.0))
    blocker = session.edit("add_node", "param", pos=(320.0, 60.0))
    outputs = session.insert_layer([x], 2, "tanh", at=(300.0, 0.0))
    document = session.document
    blocker_bottom = 60.0 + node_height(document, blocker)
    tops = sorted(document.nodes[o].pos[1] for o in outputs)
    assert tops[0] >= blocker_bottom and document.nodes[outputs[0]].pos[0] == 300.0


def test_editing_the_perceptron_changes_every_instance_and_expand_gives_the_flat_network():
    session = Session(Document())
    x = session.edit("add_node", "x")
    y = session.edit("add_node", "y")
    calls = session.insert_layer([x, y], 2, "tanh", at=(300.0, 0.0))
    document = session.document
    before = [document.program().evaluate_point(document.leaf_values(), 0.5, 0.5).values[c + "/out"]
              for c in calls]
    session.edit("edit_definition", "perceptron2_tanh", "remove_node", "a")
    session.edit("edit_definition", "perceptron2_tanh", "connect", "s", "out", 0)
    evaluation = document.program().evaluate_point(document.leaf_values(), 0.5, 0.5)
    after = [evaluation.values[c + "/out"] for c in calls]
    assert after == [evaluation.values[c + "/s"] for c in calls]  # every instance lost its tanh
    assert [math.tanh(a) for a in after] == pytest.approx(before)
    session.undo()
    session.undo()
    flat_values = document.program().evaluate_point(document.leaf_values(), 0.5, 0.5)
    session.edit("expand", calls[0])
    session.edit("expand", calls[1])
    assert not any(node.op == "call" for node in document.nodes.values())
    assert [node.op for node in document.nodes.values()].count("mul") == 4
    expanded = document.program().evaluate_point(document.leaf_values(), 0.5, 0.5)
    tanh_values = sorted(expanded.values[n] for n, node in document.nodes.items() if node.op == "tanh")
    assert tanh_values == sorted(flat_values.values[c + "/out"] for c in calls)


def test_insert_layer_with_a_bad_width_changes_nothing():
    session = Session(Document())
    x = session.edit("add_node", "x")
    before = session.document.copy()
    assert session.insert_layer([x], 0, "tanh", (0.0, 0.0)) is None
    assert "width" in session.status and session.document == before


def test_arrange_places_nodes_by_depth_without_overlaps_as_one_undo_step():
    session = small_graph()
    document = session.document
    for node_id in document.nodes:
        document.nodes[node_id].pos = (0.0, 0.0)
    before = document.copy()
    session.arrange()
    positions = [node.pos for node in document.nodes.values()]
    assert len(set(positions)) == len(positions)
    for node in document.nodes.values():
        for source in node.inputs:
            assert document.nodes[source].pos[0] + COLUMN_WIDTH <= node.pos[0]
    for a, b in itertools.combinations(document.nodes, 2):
        (ax, ay), (bx, by) = document.nodes[a].pos, document.nodes[b].pos
        upper, lower = (a, b) if ay <= by else (b, a)
        upper_bottom = document.nodes[upper].pos[1] + node_height(document, upper)
        clear_below = upper_bottom <= document.nodes[lower].pos[1]
        assert abs(ax - bx) >= COLUMN_WIDTH or clear_below
    session.undo()
    assert document == before


def test_autosave_writes_a_recovery_copy_and_save_removes_it(tmp_path):
    session = small_graph()
    session.edit("rename", session.document.result, "output")
    assert session.autosave(now=time.monotonic() + AUTOSAVE_SECONDS)
    assert userstate.recovery_exists()
    restored = Session()
    assert restored.restore_recovery(userstate.own_recovery())
    assert restored.document == session.document and restored.dirty
    session.save(tmp_path / "g.yaml")
    assert not userstate.recovery_exists()


def test_autosave_waits_for_a_change():
    session = small_graph()
    assert not session.autosave(now=time.monotonic() + 100)


def test_recent_files_newest_first_and_missing_dropped(tmp_path):
    session = small_graph()
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    session.save(first)
    session.save(second)
    assert userstate.recent_files()[:2] == [second.resolve(), first.resolve()]
    second.unlink()
    assert userstate.recent_files() == [first.resolve()]


def test_saving_over_a_file_changed_on_disk_asks_first(tmp_path):
    session = small_graph()
    path = tmp_path / "g.yaml"
    session.save(path)
    path.write_text(path.read_text() + "\n# edited elsewhere\n")
    os.utime(path, ns=(1, 1))
    session.edit("rename", session.document.result, "changed")
    assert not session.save()
    assert session.save_conflict and "changed on disk" in session.status
    assert "edited elsewhere" in path.read_text()
    assert session.save(overwrite_changed=True)
    assert "edited elsewhere" not in path.read_text()


def test_autosave_leaves_the_open_graph_exactly_as_it_was():
    session = small_graph()
    session.current_view = lambda: {"origin": [120.0, -40.0]}
    session.edit("rename", session.document.result, "output")
    before = session.document.copy()
    assert session.autosave(now=time.monotonic() + AUTOSAVE_SECONDS)
    assert session.document == before
    restored = Session()
    restored.restore_recovery(userstate.own_recovery())
    assert restored.document.view["origin"] == [120.0, -40.0]


def test_recent_files_of_the_same_name_are_told_apart_by_their_folders(tmp_path):
    paths = [tmp_path / "ana/spiral/graph.yaml", tmp_path / "ana/donut/graph.yaml",
             tmp_path / "ana/notes.yaml", tmp_path / "a/work/x.yaml", tmp_path / "b/work/x.yaml"]
    assert userstate.distinct_names(paths) == ["spiral/graph.yaml", "donut/graph.yaml", "notes.yaml",
                                               "a/work/x.yaml", "b/work/x.yaml"]


def test_a_file_that_cannot_be_opened_keeps_its_whole_message_and_the_status_a_short_one(tmp_path):
    path = tmp_path / ("a-graph-with-a-rather-long-name-" * 3 + ".yaml")
    path.write_text("mlgarden: 1\nnodes:\n  - id: a\n    op: no_such_op_at_all\n", encoding="utf-8")
    session = small_graph()
    before = session.document.copy()
    assert not session.open(path)
    assert session.document == before
    assert str(path) in session.open_error and "no_such_op_at_all" in session.open_error
    assert len(session.status) <= 110 and "\n" not in session.status
    named = session.open_error.replace(str(path), path.name)  # the status line names the file
    assert session.status.endswith("…") and named.startswith(session.status[:-1])
