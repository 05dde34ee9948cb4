"""Your own data: points a user places by hand, kept in the graph document and its file.

A graph can carry its own dataset, called "custom": a list of points (x, y, label) with a label
of exactly -1 or +1, made by clicking in the Dataset window (click: +1, shift+click: -1,
ctrl+click removes the nearest). The points live in the document (`Document.custom_points`, a
tuple of (x, y, label) tuples, replaced whole on every change so a reader can tell a change by
identity) and are saved in the graph file under `custom_points:`. They are the data only while
the dataset setting names "custom"; choosing another dataset keeps them for later.

The edits (`add_point`, `remove_point`, `set_points` on the Document) check every point here
first, so a refused edit changes nothing, and a custom dataset always keeps at least one point:
training, the sample and the surface's bounds all need one. This module imports nothing of
mlgarden (graph.py builds on it); its PointError becomes the Document's GraphError.
"""

from __future__ import annotations

import math
import numbers


class PointError(ValueError):
    """A point or point edit that breaks a rule; the Document turns it into a GraphError."""

CUSTOM = "custom"  # the dataset name of a graph's own points
MAX_CUSTOM_POINTS = 100_000
COORDINATE_LIMIT = 1e6

Point = tuple[float, float, float]


def point_problem(point) -> str | None:
    """What is wrong with one point (x, y, label), or None."""
    if isinstance(point, (str, bytes)) or not hasattr(point, "__len__") or len(point) != 3:
        return "a point must be [x, y, label]"
    *coordinates, label = point
    for name, value in zip(("x", "y"), coordinates):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
            return f"{name} must be a finite number, got {value!r}"
        if abs(value) > COORDINATE_LIMIT:
            return f"{name} must be between {-COORDINATE_LIMIT:g} and {COORDINATE_LIMIT:g}, got {value!r}"
    if isinstance(label, bool) or not isinstance(label, numbers.Real) or label not in (-1, 1):
        return f"label must be -1 or 1, got {label!r}"
    return None


def checked_point(point) -> Point:
    problem = point_problem(point)
    if problem is not None:
        raise PointError(f"custom point: {problem}")
    x, y, label = point
    return (float(x), float(y), float(label))


def checked_points(points) -> tuple[Point, ...]:
    """All the points, each checked; at least one and at most MAX_CUSTOM_POINTS."""
    points = list(points)
    if not points:
        raise PointError("a custom dataset needs at least one point")
    if len(points) > MAX_CUSTOM_POINTS:
        raise PointError(f"a custom dataset holds at most {MAX_CUSTOM_POINTS} points, got {len(points)}")
    checked = []
    for index, point in enumerate(points):
        problem = point_problem(point)
        if problem is not None:
            raise PointError(f"custom point {index + 1}: {problem}")
        checked.append(checked_point(point))
    return tuple(checked)


def with_point(points: tuple[Point, ...], point) -> tuple[Point, ...]:
    if len(points) >= MAX_CUSTOM_POINTS:
        raise PointError(f"a custom dataset holds at most {MAX_CUSTOM_POINTS} points")
    return points + (checked_point(point),)


def without_point(points: tuple[Point, ...], index) -> tuple[Point, ...]:
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(points):
        raise PointError(f"there is no custom point {index!r}")
    if len(points) == 1:
        raise PointError("a custom dataset keeps at least one point: add another before removing this one")
    return points[:index] + points[index + 1:]
