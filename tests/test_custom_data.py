"""Your own data: custom points in the document, the session's clicks as undo steps, the graph
file (with line numbers for bad points), CSV export, and training on the points."""

import json
import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlgarden import cli
from mlgarden.document.build import Builder
from mlgarden.document.graph import Document, GraphError
from mlgarden.files import fileformat
from mlgarden.learning.custom_data import document_dataset, write_csv
from mlgarden.learning.datasets import read_csv_dataset
from mlgarden.session import Session


@pytest.fixture(autouse=True)
def state_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("MLGARDEN_STATE_DIR", str(tmp_path / "state"))


def line_document() -> Document:
    builder = Builder(seed=0)
    out = builder.perceptron([builder.x(), builder.y()])
    document = builder.finish(result=out, loss=builder.loss("squared_error", out))
    document.set_dataset(name="linear", points=40, seed=1, test_fraction=0.25)
    return document


def test_points_are_checked_before_anything_changes():
    document = line_document()
    with pytest.raises(GraphError, match="no points yet"):
        document.set_dataset(name="custom")
    for x, y, label, problem in ((0.0, 0.0, 0.5, "label must be -1 or 1"),
                                 (float("nan"), 0.0, 1, "x must be a finite number"),
                                 (0.0, "a", 1, "y must be a finite number")):
        with pytest.raises(GraphError, match=problem):
            document.add_point(x, y, label)
    assert document.custom_points == ()
    assert document.add_point(0.5, -0.5, 1) == 0
    with pytest.raises(GraphError, match="keeps at least one point"):
        document.remove_point(0)
    with pytest.raises(GraphError, match="no custom point 3"):
        document.remove_point(3)
    assert document.custom_points == ((0.5, -0.5, 1.0),)


def test_the_first_point_starts_the_custom_dataset_from_the_points_shown_in_one_undo_step():
    session = Session(line_document())
    shown = np.column_stack([session.dataset.points, session.dataset.labels])
    before = session.document.copy()
    assert session.add_point(0.25, 0.75, -1.0)
    assert session.document.dataset.name == "custom"
    assert session.dataset.name == "custom" and len(session.dataset) == 41
    np.testing.assert_array_equal(np.column_stack([session.dataset.points, session.dataset.labels]),
                                  np.vstack([shown, [0.25, 0.75, -1.0]]))
    assert session.add_point(-1.0, -1.0, 1.0)
    assert session.remove_nearest_point(0.2, 0.7)
    assert len(session.dataset) == 41 and (0.25, 0.75, -1.0) not in session.document.custom_points
    session.undo()
    assert len(session.dataset) == 42 and (0.25, 0.75, -1.0) in session.document.custom_points
    session.undo()
    session.undo()
    assert session.document == before and session.dataset.name == "linear"
    session.redo()
    assert session.dataset.name == "custom" and len(session.dataset) == 41


def test_removing_needs_custom_points():
    session = Session(line_document())
    assert not session.remove_nearest_point(0.0, 0.0)
    assert "only your own points" in session.status


def test_custom_points_survive_the_file_and_it_says_format_3():
    document = line_document()
    document.set_points([(0.5, 0.25, 1), (-0.125, 1e-7, -1.0)])
    document.set_dataset(name="custom")
    text = fileformat.dumps(document)
    assert text.startswith("mlgarden: 3")
    assert "custom_points:\n  - [0.5, 0.25, 1]\n  - [-0.125, 1.0e-07, -1]\n" in text
    assert fileformat.loads(text) == document


@settings(max_examples=30, deadline=None)
@given(points=st.lists(st.tuples(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6), st.sampled_from([-1, 1])),
                       min_size=1, max_size=30))
def test_any_valid_points_read_back_to_the_same_bits(points):
    document = Document()
    document.set_points(points)
    assert fileformat.loads(fileformat.dumps(document)).custom_points == document.custom_points


def file_with_points(points_text: str, version: int = 3) -> str:
    return f"mlgarden: {version}\nnodes: []\ndataset:\n  name: custom\ncustom_points:\n{points_text}"


@pytest.mark.parametrize("points_text, line, problem", [
    ("  - [0.5, 0.5, 1]\n  - [0.1, 0.2]\n", 7, "custom point 2: a point must be [x, y, label]"),
    ("  - [0.5, 0.5, 1]\n  - [0.1, 0.2, 0]\n", 7, "custom point 2: label must be -1 or 1, got 0"),
    ("  - [0.5, 0.5, 1]\n  - [0.1, .inf, 1]\n", 7, "custom point 2: y must be a finite number"),
    ("  - {x: 1}\n", 6, "custom point 1: a point must be [x, y, label]"),
    ("  - [true, 0.5, 1]\n", 6, "custom point 1: x must be a finite number, got True"),
    ("  []\n", 5, "custom_points must be a list of [x, y, label] entries"),
])
def test_a_bad_point_is_named_with_its_line(points_text, line, problem):
    with pytest.raises(fileformat.FileFormatError) as caught:
        fileformat.loads(file_with_points(points_text), "mine.yaml")
    assert str(caught.value).startswith(f"mine.yaml, line {line}: {problem}")


def test_an_older_format_or_a_custom_dataset_without_points_is_refused_clearly():
    with pytest.raises(fileformat.FileFormatError, match="line 5: custom points need format 3"):
        fileformat.loads(file_with_points("  - [0.5, 0.5, 1]\n", version=2), "old.yaml")
    with pytest.raises(fileformat.FileFormatError,
                       match="line 4: dataset: the custom dataset has no points yet"):
        fileformat.loads("mlgarden: 3\nnodes: []\ndataset:\n  name: custom\n", "empty.yaml")


def test_exported_csv_reads_back_as_the_same_points(tmp_path):
    session = Session(line_document())
    session.add_point(0.1, 0.2, 1)
    assert session.export_data(tmp_path / "mine")
    assert session.status == "exported 41 points to mine.csv"
    again = read_csv_dataset(tmp_path / "mine.csv")
    np.testing.assert_array_equal(again.points, session.dataset.points)
    np.testing.assert_array_equal(again.labels, session.dataset.labels)
    assert not session.export_data(tmp_path / "no such folder" / "x.csv")
    assert "could not export the data" in session.status


def test_write_csv_leaves_nothing_behind_when_it_fails(tmp_path):
    document = line_document()
    with pytest.raises(Exception, match="could not export"):
        write_csv(document_dataset(document), tmp_path / "missing" / "data.csv")
    assert list(tmp_path.iterdir()) == []


def two_blobs_document() -> Document:
    document = line_document()
    rng = np.random.default_rng(0)
    points = [(*(rng.normal(0, 0.2, 2) + centre), label)
              for centre, label in (((1.0, 1.0), 1), ((-1.0, -1.0), -1)) for _ in range(20)]
    document.set_points(points)
    document.set_dataset(name="custom", test_fraction=0.0)
    document.set_training(optimizer="adam", learning_rate=0.1, batch_size=8)
    return document


def test_training_on_custom_points_learns_them():
    session = Session(two_blobs_document())
    for _ in range(60):
        session.step()
    assert session.trainer.metrics.train_accuracy == 1.0


def test_the_command_line_trains_on_the_files_own_points(tmp_path, capsys):
    path = tmp_path / "blobs.yaml"
    fileformat.save(two_blobs_document(), path)
    assert cli.main(["train", str(path), "--steps", "80", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["train_accuracy"] == 1.0


COORDINATE = st.floats(-2.0, 2.0, allow_nan=False)
GESTURE = st.one_of(
    st.tuples(st.just("add"), COORDINATE, COORDINATE, st.sampled_from([-1.0, 1.0])),
    st.tuples(st.just("remove"), COORDINATE, COORDINATE),
    st.tuples(st.just("undo")), st.tuples(st.just("redo")),
)


@settings(max_examples=30, deadline=None)
@given(gestures=st.lists(GESTURE, max_size=12))
def test_any_clicks_and_undos_keep_the_data_the_document_and_the_file_in_step(gestures):
    """Gaphor-style: after every gesture the session's data are the document's points, and the
    document saves and reads back intact."""
    session = Session(line_document())
    session.edit("set_dataset", points=12)
    for gesture in gestures:
        kind, *arguments = gesture
        if kind == "add":
            session.add_point(*arguments)
        elif kind == "remove":
            session.remove_nearest_point(*arguments)
        else:
            getattr(session, kind)()
        document = session.document
        if document.dataset.name == "custom":
            table = np.column_stack([session.dataset.points, session.dataset.labels])
            np.testing.assert_array_equal(table, np.array(document.custom_points).reshape(-1, 3))
        else:
            assert session.dataset.name == document.dataset.name
        assert fileformat.loads(fileformat.dumps(document)) == document


def test_exporting_csv_writes_through_a_link_and_cleans_a_killed_exports_leftovers(tmp_path):
    """The export is written as graph files are saved (mlgarden/atomic.py)."""
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "data.csv"
    target.write_text("old\n")
    link = tmp_path / "data.csv"
    link.symlink_to(target)
    leftover = tmp_path / "real" / f".data.csv.{2**22 + 12345}.k1ll3d.tmp"  # no such process
    leftover.write_text("x,y,la")
    written = write_csv(document_dataset(line_document()), link)
    assert written == link and link.is_symlink()
    assert read_csv_dataset(target).labels.size == 40
    assert sorted(os.listdir(tmp_path / "real")) == ["data.csv"]
