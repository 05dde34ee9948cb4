"""The data a graph trains on, its own hand-made points included, and exporting data as CSV.

`document_dataset` is the one place that turns a document's dataset setting into points: a
generator's name or a CSV file goes to `datasets.load_dataset`; "custom" takes the graph's own
points (document/custom_points.py), in the order they were placed, so a point's index is its
place in the list. The app, `mlgarden train` and `mlgarden render` all read data through it.

`write_csv` writes any dataset in the CSV format `datasets.read_csv_dataset` reads back exactly
(header `x,y,label`, floats by `repr`, labels -1 and 1), atomically (mlgarden/atomic.py, as graph
files are saved): a failed export leaves a file that was there untouched.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mlgarden.atomic import write_atomically
from mlgarden.document.custom_points import CUSTOM
from mlgarden.document.graph import Document
from mlgarden.learning.datasets import CSV_HEADER, Dataset, DatasetError, load_dataset


def custom_dataset(points) -> Dataset:
    """The graph's own points as a Dataset named "custom"."""
    if not points:
        raise DatasetError("the custom dataset has no points yet: click in the Dataset window to add some")
    table = np.array(points, dtype=np.float64).reshape(-1, 3)
    return Dataset(CUSTOM, table[:, :2], table[:, 2])


def document_dataset(document: Document, graph_folder: Path | None = None) -> Dataset:
    """Every point of the document's dataset: its own points, a generator's or a CSV file's (a
    relative CSV path from `graph_folder`, the graph file's folder, when there is one)."""
    settings = document.dataset
    if settings.name == CUSTOM:
        return custom_dataset(document.custom_points)
    return load_dataset(settings.name, settings.points, settings.noise, settings.seed,
                        graph_folder=graph_folder)


def csv_text(dataset: Dataset) -> str:
    lines = [",".join(CSV_HEADER)]
    for (x, y), label in zip(dataset.points.tolist(), dataset.labels.tolist()):
        lines.append(f"{x!r},{y!r},{int(label)}")
    return "\n".join(lines) + "\n"


def write_csv(dataset: Dataset, path) -> Path:
    """Write the dataset to `path` (".csv" added when missing); raise DatasetError on failure."""
    path = Path(path)
    if path.suffix.lower() != ".csv":
        path = path.with_name(path.name + ".csv")
    try:
        write_atomically(path, csv_text(dataset).encode("utf-8"))
    except OSError as error:
        raise DatasetError(f"{path}: could not export the data ({error.strerror or error})") from None
    return path
