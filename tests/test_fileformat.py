"""Graph files: every bad file gets one clear line, every document survives a round trip, and
a failed save leaves the previous file intact."""

from __future__ import annotations

import errno
import os
import stat
import string
import tempfile
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlgarden.files import fileformat
from mlgarden.files.fileformat import (
    FileFormatError,
    document_from_dict,
    document_to_dict,
    dumps,
    load,
    loads,
    save,
)
from mlgarden.document.graph import OPTIMIZERS, Document, GraphError
from mlgarden.engine.ops import CATEGORIES, LEAF_VALUE_OPS, OPS

ARITHMETIC = Path(__file__).resolve().parent.parent / "saved_graphs" / "arithmetic.yaml"


def graph_text(*node_lines: str, top: str = "") -> str:
    """A valid file with params a and b, then the given node entry lines, then `top`."""
    nodes = "".join(f"  {line}\n" for line in node_lines)
    return textwrap.dedent("""\
        mlgarden: 1
        nodes:
          - id: a
            op: param
            value: 5.0
          - id: b
            op: param
            value: 3.0
        """) + nodes + top


GOOD = graph_text("- id: s", "  op: add", "  inputs: [a, b]", top="result: s\nloss: s\n")


def load_error(tmp_path: Path, text: str | bytes) -> str:
    """Write `text` to a file, load it, and return the one-line error naming that file."""
    path = tmp_path / "graph.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(FileFormatError) as caught:
        load(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    return message


def assert_says(message: str, line: int | None, *fragments: str) -> None:
    if line is not None:
        assert f", line {line}: " in message, message
    for fragment in fragments:
        assert fragment in message, message


# --- good files ---------------------------------------------------------------------------------


def test_a_good_file_loads():
    document = loads(GOOD, "good.yaml")
    assert list(document.nodes) == ["a", "b", "s"]
    assert document.nodes["s"].inputs == ["a", "b"]
    assert (document.result, document.loss) == ("s", "s")
    assert document.program().evaluate_point(document.leaf_values()).loss == 8.0


def test_an_empty_graph_is_valid():
    document = loads("mlgarden: 1\nnodes: []\n")
    assert document == Document()


def test_nodes_may_come_before_the_nodes_they_read():
    text = "mlgarden: 1\nnodes:\n  - {id: s, op: neg, inputs: [a]}\n  - {id: a, op: const, value: 2}\n"
    document = loads(text)
    assert document.nodes["s"].inputs == ["a"]
    assert document.nodes["a"].value == 2.0 and isinstance(document.nodes["a"].value, float)


def test_missing_fields_take_their_defaults():
    text = ("mlgarden: 1\nnodes:\n  - {id: p, op: param}\n  - {id: t, op: tanh}\n  - {id: q, op: pow}\n"
            "  - {id: u, op: sum}\n")
    nodes = loads(text).nodes
    p = nodes["p"]
    assert (p.value, p.trainable, p.pos, p.label) == (0.0, True, (0.0, 0.0), "")
    assert nodes["t"].inputs == [None]
    assert nodes["q"].exponent == 2.0
    assert nodes["u"].inputs == []


def test_the_written_file_has_the_documented_layout():
    document = loads(GOOD)
    document.set_trainable("b", False)
    document.move("s", (40, 60.5))
    document.rename("a", "weight: #1")
    document.description = "first line\nsecond line\n"
    text = dumps(document)
    assert text.startswith("mlgarden: 1\ndescription: |\n  first line\n  second line\nnodes:\n  - id: a\n")
    assert "    label: 'weight: #1'\n    value: 5.0\n" in text
    assert "  - id: b\n    op: param\n    value: 3.0\n    trainable: false\n" in text
    assert "  - id: s\n    op: add\n    inputs: [a, b]\n    pos: [40, 60.5]\n" in text


def test_unconnected_pins_are_written_as_null():
    document = Document()
    document.add_node("mul", "m")
    assert "inputs: [null, null]" in dumps(document)
    assert loads(dumps(document)).nodes["m"].inputs == [None, None]


def test_document_to_dict_is_plain_data_and_reads_back():
    document = loads(GOOD)
    data = document_to_dict(document)
    assert data["nodes"][2] == {"id": "s", "op": "add", "inputs": ["a", "b"]}
    assert data["training"]["optimizer"] == "sgd"
    assert document_from_dict(data) == document


def test_the_arithmetic_example_is_as_the_saver_writes_it():
    text = ARITHMETIC.read_text(encoding="utf-8")
    document = load(ARITHMETIC)
    assert dumps(document) == text
    evaluation = document.program().evaluate_point(document.leaf_values())
    assert evaluation.result == 16.0
    assert evaluation.grads == {"a": 2.0, "b": 2.0, "c": 8.0, "s": 2.0, "r": 1.0}
    training = document.training
    assert (training.optimizer, training.learning_rate, training.batch_size) == ("sgd", 0.01, 1)
    assert "\n" in document.description


# --- files that cannot be read ---------------------------------------------------------------------


def test_a_missing_file(tmp_path):
    with pytest.raises(FileFormatError, match=r"nowhere\.yaml: no such file$"):
        load(tmp_path / "nowhere.yaml")


def test_a_folder(tmp_path):
    with pytest.raises(FileFormatError, match="is a folder"):
        load(tmp_path)


def test_an_unreadable_file(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(fileformat, "open", refuse, raising=False)
    with pytest.raises(FileFormatError, match=r"x\.yaml: cannot be read \(Permission denied\)"):
        load(tmp_path / "x.yaml")


def test_text_that_is_not_utf8(tmp_path):
    message = load_error(tmp_path, b"mlgarden: 1\nnodes: []\ndescription: caf\xe9\n")
    assert_says(message, 3, "not UTF-8", "0xe9")


def test_a_control_character(tmp_path):
    message = load_error(tmp_path, "mlgarden: 1\nnodes: []\ndescription: a\x00b\n")
    assert_says(message, 3, "U+0000")


def test_a_file_over_5_mb_is_refused_before_parsing(tmp_path, monkeypatch):
    path = tmp_path / "big.yaml"
    path.write_text("mlgarden: 1\nnodes: []\n" + "#" * fileformat.MAX_FILE_BYTES, encoding="utf-8")
    monkeypatch.setattr(fileformat, "_parse", lambda *args: pytest.fail("parsed a huge file"))
    with pytest.raises(FileFormatError, match="larger than 5 MB"):
        load(path)
    with pytest.raises(FileFormatError, match="larger than 5 MB"):
        loads("é" * (fileformat.MAX_FILE_BYTES // 2 + 1), "big text")


def test_more_than_20000_nodes_are_refused():
    data = {"mlgarden": 1, "nodes": [{"id": f"n{i}", "op": "const"} for i in range(20_001)]}
    with pytest.raises(FileFormatError, match="20001 nodes; mlgarden reads at most 20000"):
        document_from_dict(data, "many.yaml")


# --- YAML problems --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "fragments"),
    [
        ("mlgarden: 1\nnodes: [a, b\nresult: s\n", 3, ["not valid YAML"]),
        ("mlgarden: 1\nnodes: []\n  loss: s\n", 3, ["not valid YAML"]),
        ("mlgarden: 1\nnodes: []\n---\nmlgarden: 1\n", 3, ["single document"]),
        ("", None, ["empty"]),
        ("# only a comment\n", None, ["empty"]),
        ("- a\n- b\n", None, ["top level must be a mapping", "a list"]),
        ("just text\n", None, ["top level must be a mapping", "'just text'"]),
    ],
)
def test_text_that_is_not_a_graph(tmp_path, text, line, fragments):
    assert_says(load_error(tmp_path, text), line, *fragments)


def test_python_tags_are_refused_and_never_run(tmp_path):
    witness = tmp_path / "ran"
    text = f"mlgarden: 1\nnodes: []\nview: !!python/object/apply:os.system ['touch {witness}']\n"
    message = load_error(tmp_path, text)
    assert_says(message, 3, "!!python/object/apply:os.system values are not allowed")
    assert not witness.exists()
    assert_says(load_error(tmp_path, "mlgarden: 1\nnodes: []\nview: !!python/object:os.system {}\n"),
                3, "!!python/object:os.system")


def test_other_yaml_types_are_refused(tmp_path):
    assert_says(load_error(tmp_path, graph_text("- {id: c, op: const, label: 2024-01-01}")),
                9, "!!timestamp values are not allowed", "quote")
    assert_says(load_error(tmp_path, "mlgarden: 1\nnodes: []\nview: !!binary aGVsbG8=\n"), 3, "!!binary")
    assert_says(load_error(tmp_path, "mlgarden: 1\nnodes: []\nview: !mine {}\n"), 3, "!mine")


def test_aliases_are_refused(tmp_path):
    text = "mlgarden: 1\nnodes: &empty []\nview: {copy: *empty}\n"
    assert_says(load_error(tmp_path, text), 2, "anchors and aliases")


def test_a_billion_laughs_is_refused_at_once(tmp_path):
    lines = ["mlgarden: 1", "nodes: []", "view:", '  l0: &l0 ["lol", "lol", "lol", "lol", "lol"]']
    lines += [f"  l{k}: &l{k} [" + ", ".join([f"*l{k - 1}"] * 9) + "]" for k in range(1, 10)]
    assert_says(load_error(tmp_path, "\n".join(lines) + "\n"), None, "anchors and aliases")


def test_a_key_given_twice_is_refused(tmp_path):
    text = graph_text("- id: c", "  op: const", "  id: d")
    assert_says(load_error(tmp_path, text), 11, "the key 'id' appears twice")


def test_a_list_as_a_key_is_refused(tmp_path):
    assert_says(load_error(tmp_path, "mlgarden: 1\nnodes: []\n? [a]\n: 1\n"), 3, "plain name")


def test_deep_nesting_is_refused(tmp_path):
    depth = 5000
    message = load_error(tmp_path, "mlgarden: 1\nnodes: []\nview: {a: " + "[" * depth + "]" * depth + "}\n")
    assert_says(message, 3, "nested more than 100 deep")
    deep = []
    for _ in range(depth):
        deep = [deep]
    with pytest.raises(FileFormatError, match="nested more than 100 deep"):
        document_from_dict({"mlgarden": 1, "nodes": [], "view": {"a": deep}})


# --- the top level ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "fragments"),
    [
        ("nodes: []\n", None, ["format version `mlgarden: 1` is missing"]),
        ("mlgarden: '1'\nnodes: []\n", 1, ["format version must be a whole number", "'1'"]),
        ("mlgarden: 1.5\nnodes: []\n", 1, ["format version must be a whole number", "1.5"]),
        ("mlgarden: true\nnodes: []\n", 1, ["format version must be a whole number", "true"]),
        ("mlgarden: 0\nnodes: []\n", 1, ["format version must be a whole number"]),
        ("mlgarden: 1\n", None, ["'nodes' is missing", "nodes: []"]),
        ("mlgarden: 1\nnodes:\n", 2, ["nodes must be a list", "null"]),
        ("mlgarden: 1\nnodes: {a: 1}\n", 2, ["nodes must be a list", "a mapping"]),
        ("mlgarden: 1\nnodes: []\nfunctions: {}\n", 3,
         ["unknown key 'functions' at the top level", "known keys: mlgarden"]),
        ("mlgarden: 1\nnodes: []\nresult: s\n", 3, ["the result is node 's', which does not exist"]),
        ("mlgarden: 1\nnodes: []\nloss: 5\n", 3, ["loss must be a node id, found 5"]),
        ("mlgarden: 1\nnodes: []\ndescription: [a]\n", 3, ["description must be text"]),
        ("mlgarden: 1\nnodes: []\nview: [a]\n", 3, ["view must be a mapping"]),
        ("mlgarden: 1\nnodes: []\nview: {zoom: .inf}\n", 3, ["view.zoom is inf", "finite"]),
    ],
)
def test_top_level_problems(tmp_path, text, line, fragments):
    assert_says(load_error(tmp_path, text), line, *fragments)


def test_a_newer_format_is_named_before_anything_else(tmp_path):
    message = load_error(tmp_path, "mlgarden: 4\nnodes: []\nfunctions: {}\nnew_thing: 1\n")
    assert message.endswith(", line 1: made by a newer mlgarden (format 4); "
                            "this mlgarden reads formats up to 3")


# --- nodes ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "line", "fragments"),
    [
        (["- just_text"], 9, ["node entry 3 must be a mapping", "'just_text'"]),
        (["- op: add"], 9, ["node entry 3 has no id"]),
        (["- id: 5", "  op: const"], 9, ["node entry 3: the id must be text, found 5"]),
        (["- id: a b", "  op: const"], 9, ["node id 'a b' must start with a letter"]),
        (["- id: 9lives", "  op: const"], 9, ["node id '9lives'"]),
        (["- id: a", "  op: const"], 9, ["node id 'a' is used twice (first on line 3)"]),
        (["- id: c"], 9, ["node 'c' has no op"]),
        (["- id: c", "  op: tahn"], 10,
         ["node 'c' has an unknown op 'tahn'", "did you mean 'tanh'?", "param, const, x"]),
        (["- id: c", "  op: [add]"], 10, ["node 'c' has an unknown op a list"]),
        (["- id: c", "  op: const", "  colour: red"], 11,
         ["unknown key 'colour' in node 'c'", "known keys: id, op"]),
        (["- id: c", "  op: const", "  value: '5'"], 11, ["node 'c': value must be a number, found '5'"]),
        (["- id: c", "  op: const", "  value: 1e3"], 11,
         ["value must be a number, found '1e3' (YAML reads '1e3' as text; write 1000.0)"]),
        (["- id: c", "  op: const", "  value: '5'"], 11, ["(YAML reads '5' as text; write 5.0)"]),
        (["- id: c", "  op: const", "  value: true"], 11, ["value must be a number, found true"]),
        (["- id: c", "  op: const", "  pos: [1]"], 11, ["node 'c': pos must be two numbers [x, y]"]),
        (["- id: c", "  op: const", "  pos: [1, x]"], 11, ["pos must be two numbers"]),
        (["- id: c", "  op: const", "  pos: 5"], 11, ["pos must be two numbers"]),
        (["- id: c", "  op: neg", "  inputs: a"], 11, ["node 'c': inputs must be a list of node ids", "'a'"]),
        (["- id: c", "  op: neg", "  inputs: [1]"], 11, ["inputs must be a list of node ids"]),
        (["- id: c", "  op: param", "  trainable: 'no'"], 11,
         ["node 'c': trainable must be true or false, found 'no'"]),
        (["- id: c", "  op: param", "  trainable: 1"], 11, ["trainable must be true or false, found 1"]),
        (["- id: c", "  op: const", "  label: 5"], 11, ["node 'c': label must be text, found 5"]),
        (["- id: c", "  op: const", "  label: " + "x" * 65], 9,
         ["the label of 'c' must be one line of at most 64"]),
        (["- id: c", "  op: add", "  value: 1.0"], 11, ["node 'c' is an add node, which has no value"]),
        (["- id: c", "  op: mul", "  exponent: 3.0"], 11, ["node 'c' is a mul node, which has no exponent"]),
        (["- id: c", "  op: const", "  trainable: false"], 11,
         ["node 'c' is a const node, which has no trainable"]),
        (["- id: c", "  op: const", "  value: .nan"], 9,
         ["the value of 'c' must be a finite number, got nan"]),
        (["- id: c", "  op: const", "  value: .inf"], 9,
         ["the value of 'c' must be a finite number, got inf"]),
        (["- id: c", "  op: const", "  value: -.inf"], 9,
         ["the value of 'c' must be a finite number, got -inf"]),
        (["- id: c", "  op: const", "  value: 1.0e+13"], 9, ["the value of 'c' must be at least"]),
        (["- id: c", "  op: const", "  value: " + "9" * 400], 9,
         ["the value of 'c' must be a finite number, got inf"]),
        (["- id: c", "  op: pow", "  exponent: .inf", "  inputs: [a]"], 9,
         ["the exponent of 'c' must be a finite"]),
        (["- id: c", "  op: const", "  pos: [.nan, 0]"], 9, ["position of 'c'", "finite number"]),
        (["- id: c", "  op: add", "  inputs: [a, b, a]"], 9, ["node 'c' (add) takes 2 input(s), got 3"]),
        (["- id: c", "  op: add", "  inputs: [a]"], 9, ["node 'c' (add) takes 2 input(s), got 1"]),
        (["- id: c", "  op: const", "  inputs: [a]"], 9, ["node 'c' (const) takes 0 input(s), got 1"]),
        (["- id: c", "  op: sum", "  inputs: [a, null]"], 9, ["node 'c' (sum) cannot have an empty input"]),
        (["- id: c", "  op: add", "  inputs: [a, w9]"], 9, ["node 'c' reads 'w9', which does not exist"]),
        (["- id: c", "  op: add", "  inputs: [a, c]"], 9, ["node 'c' reads itself"]),
    ],
)
def test_node_problems(tmp_path, entry, line, fragments):
    assert_says(load_error(tmp_path, graph_text(*entry)), line, *fragments)


def test_a_cycle_names_a_node_on_it_and_its_line(tmp_path):
    text = graph_text("- {id: p, op: add, inputs: [a, q]}", "- {id: q, op: neg, inputs: [r]}",
                      "- {id: r, op: tanh, inputs: [p]}")
    message = load_error(tmp_path, text)
    node_lines = {"p": 9, "q": 10, "r": 11}
    node_id = message.split("a cycle passes through node ")[1].strip("'")
    assert_says(message, node_lines[node_id])


def test_a_dangling_input_names_the_node_and_its_line(tmp_path):
    text = graph_text("- id: h3", "  op: tanh", "  inputs: [w9]")
    assert load_error(tmp_path, text).endswith(
        "graph.yaml, line 9: node 'h3' reads 'w9', which does not exist")


# --- settings --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings_text", "line", "fragments"),
    [
        ("training: sgd\n", 9, ["training must be a mapping of settings"]),
        ("training:\n  optimiser: sgd\n", 10,
         ["unknown key 'optimiser' in training", "known keys: optimizer"]),
        ("training:\n  optimizer: rmsprop\n", 10, ["training: optimizer must be one of sgd, momentum, adam"]),
        ("training:\n  seed: 1\n  learning_rate: -1\n", 11,
         ["training: learning_rate must be above 0.0", "-1.0"]),
        ("training:\n  learning_rate: .inf\n", 10, ["learning_rate must be a finite number"]),
        ("training:\n  learning_rate: fast\n", 10, ["learning_rate must be a finite number, got 'fast'"]),
        ("training:\n  learning_rate: 1e-3\n", 10, ["got '1e-3' (YAML reads '1e-3' as text; write 0.001)"]),
        ("training:\n  batch_size: 16.0\n", 10, ["batch_size must be a whole number, got 16.0"]),
        ("training:\n  batch_size: 0\n", 10, ["batch_size must be between 1 and 100000"]),
        ("dataset: [linear]\n", 9, ["dataset must be a mapping of settings"]),
        ("dataset:\n  name: ''\n", 10, ["dataset: dataset name must be a non-empty text"]),
        ("dataset:\n  noise: 2\n", 10, ["dataset: noise must be at least 0.0 and at most 1.0, got 2.0"]),
        ("dataset:\n  points: many\n", 10, ["points must be a whole number"]),
        ("dataset:\n  size: 3\n", 10, ["unknown key 'size' in dataset"]),
    ],
)
def test_settings_problems(tmp_path, settings_text, line, fragments):
    assert_says(load_error(tmp_path, graph_text(top=settings_text)), line, *fragments)


def test_settings_are_read_with_their_types():
    document = loads(graph_text(top="training:\n  learning_rate: 1\n  batch_size: 4\ndataset:\n  noise: 0\n"))
    assert document.training.learning_rate == 1.0 and isinstance(document.training.learning_rate, float)
    assert document.training.batch_size == 4 and document.training.optimizer == "sgd"
    assert isinstance(document.dataset.noise, float)


# --- plain data and the caller's document ---------------------------------------------------------


def test_document_from_dict_names_its_source_without_a_line():
    with pytest.raises(FileFormatError, match=r"^clipboard: node 's' reads 'w', which does not exist$"):
        document_from_dict({"mlgarden": 1, "nodes": [{"id": "s", "op": "neg", "inputs": ["w"]}]}, "clipboard")
    with pytest.raises(FileFormatError, match=r"^<data>: the top level must be a mapping"):
        document_from_dict([1, 2])


def test_a_failed_load_returns_nothing_and_touches_nothing(tmp_path):
    document = loads(GOOD, "good.yaml")
    before = document.copy()
    path = tmp_path / "bad.yaml"
    path.write_text(GOOD + "view: {bad: .nan}\n", encoding="utf-8")
    with pytest.raises(FileFormatError):
        document.replace_with(load(path))
    assert document == before


def test_a_view_that_is_not_plain_data_cannot_be_saved(tmp_path):
    document = loads(GOOD)
    document.view = {"pan": (1.0, 2.0)}
    assert load_after_save(document, tmp_path).view == {"pan": [1.0, 2.0]}
    document.view = {"widget": object()}
    refusal = r"graph\.yaml: could not save: the view cannot be saved: view\.widget holds a object"
    with pytest.raises(FileFormatError, match=refusal):
        save(document, tmp_path / "graph.yaml")


def load_after_save(document: Document, folder: Path) -> Document:
    save(document, folder / "graph.yaml")
    return load(folder / "graph.yaml")


# --- atomic saving -----------------------------------------------------------------------------------


@pytest.fixture
def saved(tmp_path):
    """A folder holding graph.yaml, saved from GOOD: (path, its text)."""
    path = tmp_path / "graph.yaml"
    save(loads(GOOD), path)
    return path, path.read_text(encoding="utf-8")


def changed_document() -> Document:
    document = loads(GOOD)
    document.set_value("a", 7.0)
    return document


def assert_unchanged(path: Path, text: str) -> None:
    assert path.read_text(encoding="utf-8") == text
    assert sorted(os.listdir(path.parent)) == ["graph.yaml"]  # no temporary file left behind


def test_save_replaces_the_file(saved):
    path, _ = saved
    save(changed_document(), path)
    assert load(path).nodes["a"].value == 7.0
    assert sorted(os.listdir(path.parent)) == ["graph.yaml"]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o644


def test_save_keeps_the_mode_of_the_file_it_replaces(saved):
    path, _ = saved
    os.chmod(path, 0o600)
    save(changed_document(), path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_a_disk_full_midway_leaves_the_old_file(saved, monkeypatch):
    path, text = saved
    real_temporary_file = tempfile.NamedTemporaryFile

    class HalfWritten:
        def __init__(self, *args, **kwargs):
            self.handle = real_temporary_file(*args, **kwargs)
            self.name = self.handle.name

        def __enter__(self):
            return self

        def __exit__(self, *exc_info):
            self.handle.close()

        def write(self, content):
            self.handle.write(content[: len(content) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(tempfile, "NamedTemporaryFile", HalfWritten)
    with pytest.raises(FileFormatError, match=r"graph\.yaml: could not save: No space left on device"):
        save(changed_document(), path)
    assert_unchanged(path, text)


def test_a_serializer_failure_midway_leaves_the_old_file(saved, monkeypatch):
    path, text = saved

    def broken(dumper, data):
        raise RuntimeError("representer broke")

    monkeypatch.setattr(fileformat._Dumper, "yaml_representers",
                        {**fileformat._Dumper.yaml_representers, float: broken})
    with pytest.raises(FileFormatError, match="could not save: representer broke"):
        save(changed_document(), path)
    assert_unchanged(path, text)


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_a_failure_after_writing_removes_the_temporary_file(saved, monkeypatch, failing):
    path, text = saved

    def fail(*args):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, failing, fail)
    with pytest.raises(FileFormatError, match=r"graph\.yaml: could not save: Input/output error"):
        save(changed_document(), path)
    assert_unchanged(path, text)


def test_saving_into_a_missing_folder(tmp_path):
    with pytest.raises(FileFormatError, match=r"nowhere[/\\]graph\.yaml: could not save"):
        save(Document(), tmp_path / "nowhere" / "graph.yaml")


# --- round trips of random documents --------------------------------------------------------------

TRICKY_TEXTS = ["  leading spaces", "trailing ", "a: b", "# not a comment", "'quoted'", '"double"',
                "yes", "null", "~", "1e3", "0x10", "-", "?", "[x]", "{y}", "ü → ∑ 🌱", "tab\there",
                "cr\rhere", "&anchor", "*alias", "!tag", "%", "@", "`", "<<", "=", ""]
TRICKY_IDS = ["yes", "no", "null", "Null", "true", "on", "Off", "_", "a.b", "x-1", "e1", "nan", "inf",
              "y", "n"]

ID_FIRST = string.ascii_letters + "_"
node_ids = st.sampled_from(TRICKY_IDS) | st.builds(
    str.__add__, st.sampled_from(ID_FIRST), st.text(ID_FIRST + string.digits + ".-", max_size=12))
labels = st.sampled_from(TRICKY_TEXTS) | st.text(max_size=64).filter(lambda text: "\n" not in text)
values = (st.floats(min_value=-1e12, max_value=1e12)
          | st.sampled_from([5e-324, -5e-324, 1e-300, -0.0, 0.1, 1 / 3, 1e12]))
coordinates = st.floats(-1e6, 1e6) | st.integers(-5000, 5000)
positions = st.tuples(coordinates, coordinates)
plain_scalars = (st.none() | st.booleans() | st.integers(-(10**20), 10**20)
                 | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12)
                 | st.sampled_from(TRICKY_TEXTS))
views = st.dictionaries(
    st.text(max_size=8) | st.sampled_from(TRICKY_TEXTS),
    st.recursive(plain_scalars, lambda inner: st.lists(inner, max_size=3)
                 | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8),
    max_size=4,
)
training_settings = st.fixed_dictionaries({
    "optimizer": st.sampled_from(OPTIMIZERS),
    "learning_rate": st.floats(0.0, 100.0, exclude_min=True),
    "batch_size": st.integers(1, 100_000),
    "lr_decay": st.floats(0.0, 1e6),
    "momentum": st.floats(0.0, 0.999999),
    "seed": st.integers(0, 2**32 - 1),
    "steps": st.integers(1, 10**9),
})
dataset_settings = st.fixed_dictionaries({
    "name": st.sampled_from(["linear", "spiral", "data/points.csv"]) | st.text(min_size=1, max_size=20),
    "points": st.integers(1, 100_000),
    "noise": st.floats(0.0, 1.0),
    "seed": st.integers(0, 2**32 - 1),
    "test_fraction": st.floats(0.0, 0.9),
})


# no function pins or calls
PLACEABLE_OPS = sorted(op.name for op in OPS.values() if op.category in CATEGORIES)


@st.composite
def documents(draw) -> Document:
    """A random valid document, built only through the Document's edits."""
    document = Document()
    for _ in range(draw(st.integers(0, 10))):
        node_id, op = draw(node_ids), draw(st.sampled_from(PLACEABLE_OPS))
        if node_id in document.nodes:
            continue
        document.add_node(op, node_id, pos=draw(positions), label=draw(labels))
        if op in LEAF_VALUE_OPS:
            document.set_value(node_id, draw(values))
        if op == "param" and draw(st.booleans()):
            document.set_trainable(node_id, False)
        if op == "pow":
            document.set_exponent(node_id, draw(st.floats(-1e3, 1e3)))
    add_random_links(draw, document)
    ids_or_none = st.none() | st.sampled_from(list(document.nodes)) if document.nodes else st.none()
    document.set_result(draw(ids_or_none))
    document.set_loss(draw(ids_or_none))
    document.description = draw(st.text(max_size=200) | st.sampled_from(TRICKY_TEXTS))
    document.set_training(**draw(training_settings))
    document.set_dataset(**draw(dataset_settings))
    document.view = draw(views)
    return document


def add_random_links(draw, document: Document) -> None:
    if not document.nodes:
        return
    node_id = st.sampled_from(list(document.nodes))
    for _ in range(draw(st.integers(0, 25))):
        try:
            if draw(st.integers(0, 4)) == 0:
                document.disconnect(draw(node_id), draw(st.integers(0, 3)))
            else:
                document.connect(draw(node_id), draw(node_id), draw(st.integers(0, 3)))
        except GraphError:
            pass


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=documents())
def test_any_document_survives_a_round_trip(tmp_path, document):
    text = dumps(document)
    again = loads(text, "round-trip.yaml")
    assert document_to_dict(again) == document_to_dict(document)  # a readable diff on failure
    assert again == document
    assert list(again.nodes) == list(document.nodes)
    assert dumps(again) == text
    path = tmp_path / "round-trip.yaml"
    save(document, path)
    assert load(path) == document
    assert document_from_dict(document_to_dict(document)) == document


def test_floats_read_back_bit_exactly():
    tricky = [5e-324, 2.2250738585072014e-308, 0.1, 1 / 3, 1e12, -123456.789e-7, 1e-300]
    document = Document()
    for index, value in enumerate(tricky):
        document.add_node("const", f"c{index}", value=value)
    values = [node.value for node in loads(dumps(document)).nodes.values()]
    assert [value.hex() for value in values] == [value.hex() for value in tricky]
