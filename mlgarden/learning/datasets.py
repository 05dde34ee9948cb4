"""Datasets: points in the plane, each labelled -1 or +1, for a network to separate.

A dataset is n points (x, y) with a label of exactly -1.0 or +1.0 each. A network with one
output learns a function f(x, y) and classifies a point by the sign of f; the decision surface
drawn behind the points is f evaluated over a grid spanning `Dataset.bounds()`.

Generators
    Every toy problem is made by a function with the same signature, as in TensorFlow
    Playground, so the rest of the program can treat them all alike::

        generate_NAME(n, noise, rng) -> (points of shape (n, 2), labels of shape (n,))

    Each returns n // 2 points labelled -1 and the rest +1, in random order, as float64.
    Clean points (noise 0) lie in the square [-1.5, 1.5] x [-1.5, 1.5], the scale of
    micrograd's moons, where tanh units neither saturate nor stay linear:

        linear         uniform in the square; +1 where 0.5 x + 1.0 y > 0 (a line through 0)
        gaussian       two round blobs (spread 0.3) at (0.75, 0.75) = +1 and (-0.75, -0.75)
                       = -1; the only dataset with tails, reaching about +-1.8
        donut          a disc of +1 (radius < 0.6) inside a ring of -1 (radius 0.9 to 1.4)
        xor            +1 where x and y have the same sign, a 0.1 gap kept along both axes
        moons          sklearn's make_moons (as in micrograd's demo) with random angles,
                       shifted to centre: x in [-1.5, 1.5], y in [-0.75, 0.75]
        wavy           uniform in the square; +1 where 0.5 x + 0.7 sin(4 x) > y
        ring_and_disc  a ring and a separate disc of +1 in a field of -1, with a 0.1 gap
        spiral         two arms winding 1.75 turns out to radius 1.4, the final boss

Noise
    `noise` in [0, 1] moves every point by Gaussian jitter of standard deviation
    noise * FULL_NOISE_STD (0.25), drawn after the label is fixed. Labels never change, so as
    noise grows points wander across the true boundary and no classifier can be perfect.
    With the same seed, noise 0 and noise 1 give the same labels and the same clean points.

Reproducibility
    A generator draws only from the numpy Generator it is handed (`np.random.default_rng(seed)`),
    so one seed gives the same points on every machine with the same numpy version. (numpy may
    compute sin and cos with CPU-specific routines that differ in the last bit.)

CSV files
    Any `*.csv` file in the datasets folder is offered by its file stem, and a name ending in
    `.csv` is read as a path (a relative one from the graph file's folder). The file has the header
    `x,y,label` and one point per row; labels are -1 or 1 (also written +1, 1.0, -1.0); blank lines
    are skipped. For CSV data `n_points` and `noise` are ignored: the file is the data. A CSV whose
    stem is a generator's name is shadowed by the generator; load it by its path. Every problem in a
    file raises one DatasetError naming the file and the 1-based line, as an editor shows it.
"""

from __future__ import annotations

import csv
import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np



def _shipped_datasets_dir() -> Path | None:
    """The CSV datasets mlgarden ships: the repository's datasets/ folder, installed as the data
    package mlgarden.csv_datasets (mlgarden/shipped.py says how); None when it is not installed."""
    try:
        found = resources.files("mlgarden.csv_datasets")
    except ModuleNotFoundError:
        return None
    return Path(str(found))


DEFAULT_DATASETS_DIR = _shipped_datasets_dir()
BOX = 1.5  # clean generated points lie within [-BOX, BOX] on both axes
FULL_NOISE_STD = 0.25  # jitter standard deviation at noise 1
MAX_POINTS = 100_000
MAX_TEST_FRACTION = 0.9
CSV_HEADER = ("x", "y", "label")

LINEAR_WEIGHTS = (0.5, 1.0)  # linear: label is the sign of 0.5 x + 1.0 y
XOR_GAP = 0.1
SPIRAL_TURNS = 1.75
RING_CENTRE, RING_RADII = (-0.7, 0.55), (0.45, 0.7)
DISC_CENTRE, DISC_RADIUS = (0.75, -0.65), 0.4
RING_AND_DISC_GAP = 0.1

LabelledPoints = tuple[np.ndarray, np.ndarray]  # points (n, 2) and labels (n,)
DatasetGenerator = Callable[[int, float, np.random.Generator], LabelledPoints]


class DatasetError(ValueError):
    """A dataset cannot be made or read; the message says which and why."""


@dataclass(frozen=True, eq=False)
class Dataset:
    """Named points (n, 2) and labels (n,) of -1.0/+1.0, kept as read-only float64 copies."""

    name: str
    points: np.ndarray
    labels: np.ndarray

    def __post_init__(self) -> None:
        points = np.array(self.points, dtype=np.float64)
        labels = np.array(self.labels, dtype=np.float64)
        if points.ndim != 2 or points.shape[1] != 2 or labels.shape != (len(points),):
            raise DatasetError(
                f"dataset {self.name!r}: points must have shape (n, 2) and labels (n,), "
                f"got {points.shape} and {labels.shape}"
            )
        if not np.all(np.abs(labels) == 1.0):
            raise DatasetError(f"dataset {self.name!r}: labels must be -1 or 1")
        points.setflags(write=False)
        labels.setflags(write=False)
        object.__setattr__(self, "points", points)
        object.__setattr__(self, "labels", labels)

    def __len__(self) -> int:
        return len(self.labels)

    def split(self, test_fraction: float = 0.2, seed: int = 0) -> tuple[Dataset, Dataset]:
        """Shuffle with `seed` and return (train, test); test gets round(fraction * n) points.

        The training part always keeps at least one point; fraction 0 gives an empty test set.
        Both parts keep the name and the original order of their points.
        """
        _check_number("test_fraction", test_fraction, 0.0, MAX_TEST_FRACTION)
        _check_seed(seed)
        test_count = min(round(test_fraction * len(self)), max(len(self) - 1, 0))
        order = np.random.default_rng(seed).permutation(len(self))
        test_rows, train_rows = np.sort(order[:test_count]), np.sort(order[test_count:])
        return self._subset(train_rows), self._subset(test_rows)

    def bounds(self, margin: float = 0.1) -> tuple[float, float, float, float]:
        """(xmin, xmax, ymin, ymax) around every point, widened on each side by
        `margin` times the wider of the two spans, so the margin looks the same on both axes.
        An empty dataset gets the generators' square [-1.5, 1.5]^2."""
        if len(self) == 0:
            return (-BOX, BOX, -BOX, BOX)
        low, high = self.points.min(axis=0), self.points.max(axis=0)
        widest_span = float(np.max(high - low)) or 1.0  # one point alone still gets a box
        pad = margin * widest_span
        return (float(low[0] - pad), float(high[0] + pad), float(low[1] - pad), float(high[1] + pad))

    def _subset(self, rows: np.ndarray) -> Dataset:
        return Dataset(self.name, self.points[rows], self.labels[rows])


# --- sampling helpers shared by the generators -------------------------------------------


def _class_counts(n: int) -> tuple[int, int]:
    """(positives, negatives): n // 2 negatives, the odd point goes to +1."""
    return n - n // 2, n // 2


def _rejection_sample(
    count: int, accept: Callable[[np.ndarray], np.ndarray], rng: np.random.Generator
) -> np.ndarray:
    """`count` points uniform over the part of the square where accept(points) is True."""
    kept = [np.empty((0, 2))]
    found = 0
    while found < count:
        candidates = rng.uniform(-BOX, BOX, size=(max(2 * (count - found), 16), 2))
        accepted = candidates[accept(candidates)]
        kept.append(accepted)
        found += len(accepted)
    return np.concatenate(kept)[:count]


def _annulus(
    count: int, inner: float, outer: float, rng: np.random.Generator,
    centre: tuple[float, float] = (0.0, 0.0),
) -> np.ndarray:
    """`count` points uniform over the area between two circles (inner 0 gives a disc)."""
    radius = np.sqrt(rng.uniform(inner**2, outer**2, size=count))
    angle = rng.uniform(0.0, 2 * np.pi, size=count)
    return np.asarray(centre) + radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])


def _combine(
    positives: np.ndarray, negatives: np.ndarray, noise: float, rng: np.random.Generator
) -> LabelledPoints:
    """Label the two classes, shuffle them together, then jitter the points by `noise`."""
    points = np.concatenate([positives, negatives])
    labels = np.concatenate([np.ones(len(positives)), -np.ones(len(negatives))])
    order = rng.permutation(len(points))
    jitter = rng.normal(0.0, noise * FULL_NOISE_STD, size=points.shape)
    return points[order] + jitter, labels[order]


def _sample_by_rule(
    n: int, noise: float, rng: np.random.Generator, rule: Callable[[np.ndarray], np.ndarray]
) -> LabelledPoints:
    """Uniform points labelled by the sign of rule(points); where the rule is 0, no point."""
    positive_count, negative_count = _class_counts(n)
    positives = _rejection_sample(positive_count, lambda points: rule(points) > 0, rng)
    negatives = _rejection_sample(negative_count, lambda points: rule(points) < 0, rng)
    return _combine(positives, negatives, noise, rng)


# --- the generators ----------------------------------------------------------------------


def linear_rule(points: np.ndarray) -> np.ndarray:
    """The linear dataset's defining function a x + b y; its sign is the label."""
    return points @ np.asarray(LINEAR_WEIGHTS)


def wavy_rule(points: np.ndarray) -> np.ndarray:
    """The wavy dataset's defining function 0.5 x + 0.7 sin(4 x) - y; its sign is the label."""
    x, y = points[:, 0], points[:, 1]
    return 0.5 * x + 0.7 * np.sin(4 * x) - y


def _xor_rule(points: np.ndarray) -> np.ndarray:
    x, y = points[:, 0], points[:, 1]
    clear_of_axes = np.minimum(np.abs(x), np.abs(y)) > XOR_GAP
    return np.sign(x * y) * clear_of_axes


def generate_linear(n: int, noise: float, rng: np.random.Generator) -> LabelledPoints:
    return _sample_by_rule(n, noise, rng, linear_rule)


def generate_wavy(n: int, noise: float, rng: np.random.Generator) -> LabelledPoints:
    return _sample_by_rule(n, noise, rng, wavy_rule)


def generate_xor(n: int, noise: float, rng: np.random.Generator) -> LabelledPoints:
    return _sample_by_rule(n, noise, rng, _xor_rule)


def generate_gaussian(n: int, noise: float, rng: np.random.Generator) -> LabelledPoints:
    positive_count, negative_count = _class_counts(n)
    positives = rng.normal((0.75, 0.75), 0.3, size=(positive_count, 2))
    negatives = rng.normal((-0.75, -0.75), 0.3, size=(negative_count, 2))
    return _combine(positives, negatives, noise, rng)


def generate_donut(n: int, noise: float, rng: np.random.Generator) -> LabelledPoints:
    positive_count, negative_count = _class_counts(n)
    positives = _annulus(positive_count, 0.0, 0.6, rng)
    negatives = _annulus(negative_count, 0.9, 1.4, rng)
    return _combine(positives, negatives, noise, rng)


def generate_moons(n: int, noise: float, rng: np.random.Generator) -> LabelledPoints:
    """sklearn's make_moons: the upper moon is -1 and the lower +1, as micrograd maps them."""
    positive_count, negative_count = _class_counts(n)
    upper_angle = rng.uniform(0.0, np.pi, size=negative_count)
    lower_angle = rng.uniform(0.0, np.pi, size=positive_count)
    upper = np.column_stack([np.cos(upper_angle), np.sin(upper_angle)])
    lower = np.column_stack([1 - np.cos(lower_angle), 0.5 - np.sin(lower_angle)])
    centre = np.array([0.5, 0.25])  # sklearn's moons span x in [-1, 2], y in [-0.5, 1]
    return _combine(lower - centre, upper - centre, noise, rng)


def _spiral_arm(count: int, phase: float, rng: np.random.Generator) -> np.ndarray:
    progress = rng.uniform(0.0, 1.0, size=count)
    radius = 0.1 + 1.3 * progress  # start off the centre, where the two arms would touch
    angle = phase + 2 * np.pi * SPIRAL_TURNS * progress
    return radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])


def generate_spiral(n: int, noise: float, rng: np.random.Generator) -> LabelledPoints:
    positive_count, negative_count = _class_counts(n)
    positives = _spiral_arm(positive_count, 0.0, rng)
    negatives = _spiral_arm(negative_count, np.pi, rng)
    return _combine(positives, negatives, noise, rng)


def _in_ring_or_disc_zone(points: np.ndarray, gap: float) -> np.ndarray:
    """True for points in the ring or the disc widened by `gap` (the hole stays outside)."""
    ring_distance = np.linalg.norm(points - np.asarray(RING_CENTRE), axis=1)
    disc_distance = np.linalg.norm(points - np.asarray(DISC_CENTRE), axis=1)
    in_ring = (RING_RADII[0] - gap < ring_distance) & (ring_distance < RING_RADII[1] + gap)
    return in_ring | (disc_distance < DISC_RADIUS + gap)


def generate_ring_and_disc(n: int, noise: float, rng: np.random.Generator) -> LabelledPoints:
    """+1 points spread evenly over a ring and a disc; -1 points fill the rest of the square,
    the ring's hole included, kept RING_AND_DISC_GAP away from both shapes."""
    positive_count, negative_count = _class_counts(n)
    ring_area = RING_RADII[1] ** 2 - RING_RADII[0] ** 2
    ring_count = round(positive_count * ring_area / (ring_area + DISC_RADIUS**2))
    positives = np.concatenate([
        _annulus(ring_count, *RING_RADII, rng, centre=RING_CENTRE),
        _annulus(positive_count - ring_count, 0.0, DISC_RADIUS, rng, centre=DISC_CENTRE),
    ])
    negatives = _rejection_sample(
        negative_count, lambda points: ~_in_ring_or_disc_zone(points, RING_AND_DISC_GAP), rng
    )
    return _combine(positives, negatives, noise, rng)


GENERATORS: dict[str, DatasetGenerator] = {  # roughly from easy to hard
    "linear": generate_linear,
    "gaussian": generate_gaussian,
    "donut": generate_donut,
    "xor": generate_xor,
    "moons": generate_moons,
    "wavy": generate_wavy,
    "ring_and_disc": generate_ring_and_disc,
    "spiral": generate_spiral,
}


# --- CSV files ---------------------------------------------------------------------------


def _csv_error(path: Path, line: int, message: str) -> DatasetError:
    return DatasetError(f"{path}, line {line}: {message}")


def _parse_coordinate(text: str, column: str, path: Path, line: int) -> float:
    try:
        value = float(text)
    except ValueError:
        raise _csv_error(path, line, f"{column} must be a number, got {text.strip()!r}") from None
    if not math.isfinite(value):
        raise _csv_error(path, line, f"{column} must be a finite number, got {text.strip()!r}")
    return value


def _parse_label(text: str, path: Path, line: int) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if value not in (-1.0, 1.0):
        raise _csv_error(path, line, f"label must be -1 or 1, got {text.strip()!r}")
    return value


def _parse_rows(reader, path: Path) -> tuple[list[tuple[float, float]], list[float]]:
    header = next(reader, None)
    if header is None:
        raise _csv_error(path, 1, "the file is empty; expected the header x,y,label")
    header_line = reader.line_num
    if tuple(field.strip().lower() for field in header) != CSV_HEADER:  # not a CSV dataset:
        # its first line could be anything (a key, a password file), so it is never echoed
        raise _csv_error(path, header_line, "the first line must be the header x,y,label; "
                                            "this is not a CSV dataset")
    points, labels = [], []
    for row in reader:
        if not any(field.strip() for field in row):
            continue
        line = reader.line_num
        if len(row) != len(CSV_HEADER):
            raise _csv_error(path, line, f"expected 3 fields (x,y,label), got {len(row)}")
        if len(labels) == MAX_POINTS:
            raise _csv_error(path, line, f"more than {MAX_POINTS} points")
        points.append((_parse_coordinate(row[0], "x", path, line),
                       _parse_coordinate(row[1], "y", path, line)))
        labels.append(_parse_label(row[2], path, line))
    if not labels:
        raise _csv_error(path, header_line + 1, "no data rows after the header x,y,label")
    return points, labels


def read_csv_dataset(path: Path | str) -> Dataset:
    """Read a CSV file of x,y,label rows into a Dataset named by the file's stem."""
    path = Path(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as file:
            reader = csv.reader(file)
            try:
                points, labels = _parse_rows(reader, path)
            except csv.Error as error:
                raise _csv_error(path, reader.line_num, str(error)) from None
    except FileNotFoundError:
        raise DatasetError(f"{path}: no such file") from None
    except OSError as error:
        raise DatasetError(f"{path}: cannot read the file ({error.strerror})") from None
    except UnicodeDecodeError:
        raise DatasetError(f"{path}: not a UTF-8 text file") from None
    return Dataset(path.stem, np.array(points).reshape(-1, 2), np.array(labels))


def _csv_stems(datasets_dir: Path | None) -> list[str]:
    if datasets_dir is None or not datasets_dir.is_dir():
        return []
    return sorted(path.stem for path in datasets_dir.glob("*.csv") if path.is_file())


# --- the entry point ---------------------------------------------------------------------


def _check_number(argument: str, value, low: float, high: float) -> None:
    if not isinstance(value, numbers.Real) or not low <= value <= high:
        raise DatasetError(f"{argument} must be a number in [{low}, {high}], got {value!r}")


def _check_seed(seed) -> None:
    if not isinstance(seed, numbers.Integral) or seed < 0:
        raise DatasetError(f"seed must be a non-negative integer, got {seed!r}")


def available_datasets(datasets_dir: Path | None = None) -> list[str]:
    """Generator names, then the stems of the CSV files in `datasets_dir` (sorted)."""
    directory = DEFAULT_DATASETS_DIR if datasets_dir is None else Path(datasets_dir)
    return list(GENERATORS) + [stem for stem in _csv_stems(directory) if stem not in GENERATORS]


def load_dataset(
    name_or_path: str, n_points: int, noise: float, seed: int, datasets_dir: Path | None = None,
    graph_folder: Path | None = None,
) -> Dataset:
    """Make the named dataset, or read a CSV file given by stem or by a path ending in .csv.

    `n_points` (1 to 100000), `noise` ([0, 1]) and `seed` are checked always but used only
    by generators. A relative .csv path is taken from `graph_folder`, the folder of the graph file
    that names it (so a graph and its data can move together), else from the current directory.
    """
    if not isinstance(n_points, numbers.Integral) or not 1 <= n_points <= MAX_POINTS:
        raise DatasetError(f"n_points must be an integer in [1, {MAX_POINTS}], got {n_points!r}")
    _check_number("noise", noise, 0.0, 1.0)
    _check_seed(seed)
    directory = DEFAULT_DATASETS_DIR if datasets_dir is None else Path(datasets_dir)
    if name_or_path.lower().endswith(".csv"):
        path = Path(name_or_path)
        return read_csv_dataset(Path(graph_folder) / path if graph_folder is not None else path)
    if name_or_path in GENERATORS:
        generate = GENERATORS[name_or_path]
        points, labels = generate(int(n_points), float(noise), np.random.default_rng(seed))
        return Dataset(name_or_path, points, labels)
    if name_or_path in _csv_stems(directory):
        return read_csv_dataset(directory / f"{name_or_path}.csv")
    available = ", ".join(available_datasets(directory))
    raise DatasetError(f"unknown dataset {name_or_path!r}; available: {available}")
