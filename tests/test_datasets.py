"""Tests for mlgarden.learning.datasets: the generators' contract, splits, bounds and the CSV reader."""

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlgarden.learning.datasets import (
    BOX,
    DEFAULT_DATASETS_DIR,
    GENERATORS,
    MAX_POINTS,
    Dataset,
    DatasetError,
    available_datasets,
    linear_rule,
    load_dataset,
    read_csv_dataset,
    wavy_rule,
)

FAST = settings(max_examples=25, deadline=None)
names = st.sampled_from(sorted(GENERATORS))
seeds = st.integers(0, 2**32)
noises = st.floats(0.0, 1.0)


def generate(name, n, noise, seed):
    return GENERATORS[name](n, noise, np.random.default_rng(seed))


# --- generators ---------------------------------------------------------------------------


@FAST
@given(name=names, n=st.integers(1, 300), noise=noises, seed=seeds)
def test_generators_return_balanced_float64_points_and_labels(name, n, noise, seed):
    points, labels = generate(name, n, noise, seed)
    assert points.shape == (n, 2) and points.dtype == np.float64
    assert labels.shape == (n,) and labels.dtype == np.float64
    assert set(np.unique(labels)) <= {-1.0, 1.0}
    assert np.all(np.isfinite(points))
    assert abs(np.sum(labels == 1.0) - np.sum(labels == -1.0)) <= 1


@FAST
@given(name=names, n=st.integers(10, 300), seed=seeds)
def test_both_classes_present_from_ten_points(name, n, seed):
    _, labels = generate(name, n, 0.3, seed)
    assert {-1.0, 1.0} == set(np.unique(labels))


@FAST
@given(name=names.filter(lambda name: name != "gaussian"), seed=seeds)
def test_clean_points_stay_in_the_box(name, seed):
    points, _ = generate(name, 500, 0.0, seed)
    assert np.all(np.abs(points) <= BOX)


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_same_seed_same_arrays_different_seed_different(name):
    first_points, first_labels = generate(name, 100, 0.2, seed=7)
    again_points, again_labels = generate(name, 100, 0.2, seed=7)
    other_points, _ = generate(name, 100, 0.2, seed=8)
    np.testing.assert_array_equal(first_points, again_points)
    np.testing.assert_array_equal(first_labels, again_labels)
    assert not np.array_equal(first_points, other_points)


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_noise_moves_points_but_keeps_labels(name):
    clean_points, clean_labels = generate(name, 100, 0.0, seed=3)
    noisy_points, noisy_labels = generate(name, 100, 1.0, seed=3)
    assert not np.allclose(clean_points, noisy_points)
    np.testing.assert_array_equal(clean_labels, noisy_labels)


@FAST
@given(n=st.integers(1, 300), seed=seeds)
def test_linear_label_is_the_sign_of_the_line(n, seed):
    points, labels = generate("linear", n, 0.0, seed)
    np.testing.assert_array_equal(labels, np.sign(linear_rule(points)))


@FAST
@given(n=st.integers(1, 300), seed=seeds)
def test_wavy_label_is_whether_the_curve_is_above(n, seed):
    points, labels = generate("wavy", n, 0.0, seed)
    x, y = points[:, 0], points[:, 1]
    np.testing.assert_array_equal(labels, np.where(0.5 * x + 0.7 * np.sin(4 * x) > y, 1.0, -1.0))
    np.testing.assert_array_equal(labels, np.sign(wavy_rule(points)))


@FAST
@given(n=st.integers(2, 300), seed=seeds)
def test_donut_disc_lies_inside_the_ring(n, seed):
    points, labels = generate("donut", n, 0.0, seed)
    radius = np.linalg.norm(points, axis=1)
    assert radius[labels == 1.0].max() < radius[labels == -1.0].min()


@FAST
@given(n=st.integers(1, 300), seed=seeds)
def test_xor_label_is_whether_x_and_y_share_a_sign(n, seed):
    points, labels = generate("xor", n, 0.0, seed)
    np.testing.assert_array_equal(labels, np.sign(points[:, 0] * points[:, 1]))


# --- load_dataset and its arguments -------------------------------------------------------


def test_load_generated_dataset():
    dataset = load_dataset("moons", 50, 0.1, seed=1)
    assert dataset.name == "moons" and len(dataset) == 50
    assert dataset.points.shape == (50, 2) and dataset.labels.shape == (50,)
    with pytest.raises(ValueError):
        dataset.points[0, 0] = 5.0  # read-only: a dataset never changes under the trainer


@pytest.mark.parametrize(
    "arguments, argument_name",
    [
        (dict(n_points=0), "n_points"),
        (dict(n_points=MAX_POINTS + 1), "n_points"),
        (dict(n_points=2.5), "n_points"),
        (dict(noise=-0.1), "noise"),
        (dict(noise=1.5), "noise"),
        (dict(noise=float("nan")), "noise"),
        (dict(seed=-1), "seed"),
    ],
)
def test_bad_arguments_are_named(arguments, argument_name):
    call = dict(name_or_path="linear", n_points=10, noise=0.0, seed=0) | arguments
    with pytest.raises(DatasetError, match=argument_name):
        load_dataset(**call)


def test_unknown_name_lists_the_available_datasets(tmp_path):
    (tmp_path / "mine.csv").write_text("x,y,label\n0,0,1\n")
    with pytest.raises(DatasetError) as raised:
        load_dataset("nonsense", 10, 0.0, 0, datasets_dir=tmp_path)
    message = str(raised.value)
    assert "nonsense" in message
    assert all(name in message for name in [*GENERATORS, "mine"])


def test_available_datasets_lists_generators_then_csv_stems(tmp_path):
    (tmp_path / "b.csv").write_text("x,y,label\n0,0,1\n")
    (tmp_path / "a.csv").write_text("x,y,label\n0,0,1\n")
    (tmp_path / "notes.txt").write_text("not a dataset")
    assert available_datasets(tmp_path) == [*GENERATORS, "a", "b"]
    assert available_datasets(tmp_path / "missing") == list(GENERATORS)


def test_shipped_checkerboard_loads_by_name():
    assert "checkerboard" in available_datasets()
    dataset = load_dataset("checkerboard", 1, 0.0, 0)
    assert dataset.name == "checkerboard" and len(dataset) >= 100
    x, y = dataset.points[:, 0], dataset.points[:, 1]
    np.testing.assert_array_equal(dataset.labels, np.sign(x * y))
    assert load_dataset(str(DEFAULT_DATASETS_DIR / "checkerboard.csv"), 1, 0.0, 0).name == "checkerboard"


def test_csv_by_stem_and_by_path_ignore_points_and_noise(tmp_path):
    path = tmp_path / "small.csv"
    path.write_text("x,y,label\n0.5,-1,1\n\n 2 , 3 ,-1.0\n-1,-1,+1\n")
    by_stem = load_dataset("small", 500, 1.0, 9, datasets_dir=tmp_path)
    by_path = load_dataset(str(path), 1, 0.0, 0)
    expected_points = [[0.5, -1.0], [2.0, 3.0], [-1.0, -1.0]]
    for dataset in (by_stem, by_path):
        assert dataset.name == "small"
        np.testing.assert_array_equal(dataset.points, expected_points)
        np.testing.assert_array_equal(dataset.labels, [1.0, -1.0, 1.0])


# --- CSV errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content, line, fragment",
    [
        ("", 1, "empty"),
        ("x,y,label\n", 2, "no data rows"),
        ("x,y,label\n\n\n", 2, "no data rows"),
        ("x,y\n1,2\n", 1, "the header x,y,label"),
        ("a,b,c\n1,2,1\n", 1, "the header x,y,label"),
        ("x,y,label\n1,2,1\n3,4,2\n", 3, "label must be -1 or 1, got '2'"),
        ("x,y,label\n1,2,0\n", 2, "label must be -1 or 1, got '0'"),
        ("x,y,label\n1,2,yes\n", 2, "label must be -1 or 1, got 'yes'"),
        ("x,y,label\n1,2,1\n\nabc,2,1\n", 4, "x must be a number, got 'abc'"),
        ("x,y,label\n1,,1\n", 2, "y must be a number, got ''"),
        ("x,y,label\nnan,2,1\n", 2, "x must be a finite number, got 'nan'"),
        ("x,y,label\n1,inf,1\n", 2, "y must be a finite number, got 'inf'"),
        ("x,y,label\n1,2\n", 2, "expected 3 fields (x,y,label), got 2"),
        ("x,y,label\n1,2,1\n1,2,1,4\n", 3, "expected 3 fields (x,y,label), got 4"),
    ],
)
def test_bad_csv_names_file_and_line(tmp_path, content, line, fragment):
    path = tmp_path / "broken.csv"
    path.write_text(content)
    with pytest.raises(DatasetError) as raised:
        load_dataset(str(path), 10, 0.0, 0)
    message = str(raised.value)
    assert message.startswith(f"{path}, line {line}: ")
    assert fragment in message


def test_missing_csv_names_the_file(tmp_path):
    with pytest.raises(DatasetError, match="nowhere.csv: no such file"):
        load_dataset(str(tmp_path / "nowhere.csv"), 10, 0.0, 0)


def test_binary_csv_is_rejected_with_the_file_name(tmp_path):
    path = tmp_path / "binary.csv"
    path.write_bytes(b"x,y,label\n\xff\xfe\x00\x01,2,1\n")
    with pytest.raises(DatasetError, match="binary.csv"):
        read_csv_dataset(path)


def test_accepted_label_spellings(tmp_path):
    path = tmp_path / "spellings.csv"
    path.write_text("X, Y, Label\n0,0,1\n0,0,+1\n0,0,-1\n0,0,1.0\n0,0,-1.0\n")
    np.testing.assert_array_equal(read_csv_dataset(path).labels, [1, 1, -1, 1, -1])


# --- Dataset: split and bounds ------------------------------------------------------------


@FAST
@given(n=st.integers(1, 300), fraction=st.floats(0.0, 0.9), seed=seeds)
def test_split_partitions_the_points(n, fraction, seed):
    dataset = load_dataset("spiral", n, 0.5, seed=1)
    train, test = dataset.split(fraction, seed)
    assert len(train) + len(test) == n and len(train) >= 1
    assert len(test) == min(round(fraction * n), n - 1)
    together = np.concatenate([train.points, test.points])
    assert sorted(map(tuple, together)) == sorted(map(tuple, dataset.points))
    again_train, again_test = dataset.split(fraction, seed)
    np.testing.assert_array_equal(train.points, again_train.points)
    np.testing.assert_array_equal(test.labels, again_test.labels)


def test_split_default_fraction_zero_fraction_and_seed():
    dataset = load_dataset("xor", 100, 0.0, seed=2)
    train, test = dataset.split()
    assert (len(train), len(test)) == (80, 20)
    train, test = dataset.split(0.0)
    assert (len(train), len(test)) == (100, 0) and test.points.shape == (0, 2)
    assert not np.array_equal(dataset.split(0.5, seed=1)[1].points, dataset.split(0.5, seed=2)[1].points)


@pytest.mark.parametrize("fraction", [-0.1, 0.95, 1.0])
def test_split_rejects_bad_fraction(fraction):
    with pytest.raises(DatasetError, match="test_fraction"):
        load_dataset("linear", 10, 0.0, 0).split(fraction)


@FAST
@given(name=names, noise=noises, seed=seeds, margin=st.floats(0.0, 1.0))
def test_bounds_contain_every_point(name, noise, seed, margin):
    dataset = load_dataset(name, 50, noise, seed)
    xmin, xmax, ymin, ymax = dataset.bounds(margin)
    x, y = dataset.points[:, 0], dataset.points[:, 1]
    assert xmin <= x.min() and x.max() <= xmax and ymin <= y.min() and y.max() <= ymax


def test_bounds_add_the_margin_and_never_collapse():
    dataset = Dataset("two", np.array([[0.0, 0.0], [2.0, 1.0]]), np.array([1.0, -1.0]))
    assert dataset.bounds(0.1) == pytest.approx((-0.2, 2.2, -0.2, 1.2))
    single = Dataset("one", np.array([[3.0, 3.0]]), np.array([1.0]))
    xmin, xmax, ymin, ymax = single.bounds()
    assert xmin < 3.0 < xmax and ymin < 3.0 < ymax


def test_dataset_rejects_mismatched_shapes_and_labels():
    with pytest.raises(DatasetError):
        Dataset("bad", np.zeros((3, 2)), np.ones(2))
    with pytest.raises(DatasetError):
        Dataset("bad", np.zeros((2, 2)), np.array([1.0, 0.0]))


def test_default_datasets_dir_is_the_repository_folder():
    assert DEFAULT_DATASETS_DIR == Path(__file__).resolve().parent.parent / "datasets"
