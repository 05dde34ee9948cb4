"""Gradient check: the engine's backpropagation against finite differences, param by param.

Backpropagation gives d loss / d w for every param w at once. A finite difference gives it one
param at a time, from the forward pass alone: nudge w a little up and down and see how the loss
moves. The two agree to about a millionth when the engine is right, which is how the micrograd
lecture checks its gradients and how anyone can check ours.

The difference here is the five-point central one, (-L(w+2h) + 8 L(w+h) - 8 L(w-h) + L(w-2h)) / 12h,
whose error shrinks as h**4, with h = STEP * max(1, |w|). The *relative error* of a param is
|analytic - numeric| / max(|analytic|, |numeric|, GRADIENT_FLOOR): relative for ordinary gradients,
absolute for those smaller than the floor, where the rounding of the loss (about 1e-16 |L| / h)
would otherwise make two zeros look different. A check passes when no relative error is above
THRESHOLD.

A kink is a point where an op has no derivative: relu and abs at 0, min and max of two equal
inputs, the hinge at target * pred = 1, and the singular points of sqrt, log, div and fractional
powers. There the engine uses a one-sided convention (as PyTorch does) and a difference that
straddles the point measures an average of both sides, so neither number is wrong. A param whose
nudges move some op on the loss path across (or onto) its kink is reported as a kink, with the node,
and left out of the maximum.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from mlgarden.document.graph import Document, GraphError
from mlgarden.engine.nudge import PointNudges
from mlgarden.engine.program import Program

THRESHOLD = 1e-6
STEP = 1e-4
GRADIENT_FLOOR = 1e-4
NUDGES = (-2.0, -1.0, 1.0, 2.0)  # the five-point stencil, without its middle point
WEIGHTS = (1.0, -8.0, 8.0, -1.0)  # of L(w + k h) for k in NUDGES, over 12 h
STENCIL_FLOATS = 2**20  # the kink test looks at the nudges of this many numbers at once, at most


# op -> (where its kink is, the quantity that is 0 there, from the input values)
KINKS: dict[str, tuple[str, Callable | None]] = {
    "relu": ("relu at 0", lambda a: a),
    "abs": ("abs at 0", lambda a: a),
    "min": ("min of two equal inputs", lambda a, b: a - b),
    "max": ("max of two equal inputs", lambda a, b: a - b),
    "hinge": ("hinge at target * pred = 1", lambda a, b: 1.0 - b * a),
    "sqrt": ("sqrt at 0", lambda a: a),
    "log": ("log at 0", lambda a: a),
    "div": ("div by 0", lambda a, b: b),
    "pow": ("pow at 0", None),  # only with an exponent that is not a whole number >= 0
}


@dataclass(frozen=True)
class ParamCheck:
    """One param: the engine's gradient, the finite difference's, and how far apart they are."""

    param_id: str
    analytic: float
    numeric: float
    relative_error: float
    kink: str | None = None  # "relu at 0, node 'h1'" when its nudges cross a kink
    title: str = ""  # the param as the user knows it: "'w'", "'w1' in perceptron 'f1'"

    @property
    def failed(self) -> bool:
        return self.kink is None and not self.relative_error <= THRESHOLD  # NaN fails too


@dataclass(frozen=True)
class GradientCheck:
    """The check of every param at one place: the sample, or a batch of the dataset."""

    where: str
    params: tuple[ParamCheck, ...]

    @property
    def max_relative_error(self) -> float:
        errors = [check.relative_error for check in self.params if check.kink is None]
        return max(errors, default=0.0)

    @property
    def failures(self) -> list[ParamCheck]:
        return [check for check in self.params if check.failed]

    @property
    def kinks(self) -> list[ParamCheck]:
        return [check for check in self.params if check.kink is not None]

    @property
    def passed(self) -> bool:
        return not self.failures

    def as_json(self) -> dict:
        """{"max_relative_error", "params": {id: {"analytic", "numeric", "relative_error"}}},
        plus where, threshold, passed, and each param's kink (null when none)."""
        params = {check.param_id: {"analytic": _finite(check.analytic), "numeric": _finite(check.numeric),
                                   "relative_error": _finite(check.relative_error), "kink": check.kink}
                  for check in self.params}
        return {"max_relative_error": _finite(self.max_relative_error), "params": params,
                "where": self.where, "threshold": THRESHOLD, "passed": self.passed}

    def summary_lines(self) -> list[str]:
        """What a person reads: the verdict, then each failure and kink with both numbers."""
        verdict = "passed" if self.passed else f"FAILED for {len(self.failures)} of them"
        lines = [f"gradient check at {self.where}: {len(self.params)} params, max relative error "
                 f"{self.max_relative_error:.2e} (threshold {THRESHOLD:g}): {verdict}"]
        for check in self.failures:
            lines.append(f"  {check.title or check.param_id}: engine {check.analytic + 0.0:.10g}, finite "
                         f"difference {check.numeric + 0.0:.10g}, relative error {check.relative_error:.2e}")
        for check in self.kinks:
            lines.append(f"  {check.title or check.param_id}: at a kink ({check.kink}): engine "
                         f"{check.analytic + 0.0:.10g}, finite difference {check.numeric + 0.0:.10g}, "
                         "not counted")
        return lines


def _finite(number: float) -> float | None:
    return number if np.isfinite(number) else None


def relative_error(analytic: float, numeric: float) -> float:
    if analytic == numeric:  # both 0, or both the same infinity
        return 0.0
    return abs(analytic - numeric) / max(abs(analytic), abs(numeric), GRADIENT_FLOOR)


# --- the two places a check runs ------------------------------------------------------------------


def check_at_point(document: Document, x: float, y: float, label: float) -> GradientCheck:
    """Every param at one data point, against the point route's gradients."""
    program = _program_with_gradients(document)
    base = program.evaluate_point(document.leaf_values(program), x, y, label)
    analytic = [base.grads[leaf_id] for leaf_id in program.leaf_ids]
    nudges = PointNudges(program, document.leaf_values(program), x, y, label)

    def forward(leaves, leaf, rows):  # only the nudged leaf's descendants are computed again
        values = nudges.base if leaf is None else nudges.values(leaf, leaves[leaf])
        return np.array([[values[row]] for row in rows.tolist()])

    return _check(document, program, forward, analytic, f"x={x:g}, y={y:g}, label={label:g}")


def check_on_batch(document: Document, xs, ys, labels) -> GradientCheck:
    """Every param on a batch, against the batch route's gradients of the mean loss."""
    program = _program_with_gradients(document)
    if program.loss is None:
        raise GraphError("the check on a batch needs a loss (training follows the mean loss over a "
                         "batch); with only a result, check at one point")
    batch = tuple(np.asarray(column, dtype=float) for column in (xs, ys, labels))
    leaves = np.asarray(document.leaf_values(program), dtype=float)
    analytic = program.evaluate_batch(leaves, *batch).leaf_grads.tolist()
    points = "1 point" if batch[0].size == 1 else f"{batch[0].size} points"

    def forward(leaves, leaf, rows):  # the forward pass alone, by the route evaluate_batch takes
        return program.forward_rows(leaves, *batch, rows)

    return _check(document, program, forward, analytic, f"a batch of {points}")


def _program_with_gradients(document: Document) -> Program:
    """The compiled graph, if it has gradients: of the loss, or with no loss of the result."""
    program = document.program()
    if program.backprop_from is None:
        raise GraphError("the graph has no loss and no result that can be computed, so there is no "
                         "gradient to check: set a loss or a result")
    return program


def _check(document: Document, program: Program, forward, analytic: list[float], where: str) -> GradientCheck:
    """Nudge each param through the stencil; `forward(leaves, leaf, rows)` gives the values at
    `rows` (data points across) with leaf number `leaf` moved (None: none), as the route that gave
    `analytic` computes them.

    Each nudge keeps only the rows the check reads: the loss, or with no loss the result (its mean
    over the points is what the route differentiates, summed the same way) and the inputs of the
    ops with a kink.
    """
    kink_groups = _kink_groups(program)
    rows = np.array([program.index[program.backprop_from]] + sorted({row for group in kink_groups
                                                            for pin in group.input_rows for row in pin}))
    place = {row: k for k, row in enumerate(rows.tolist())}
    kink_groups = [dataclasses.replace(group, input_rows=[np.array([place[row] for row in pin.tolist()])
                                                          for pin in group.input_rows])
                   for group in kink_groups]
    leaves = np.asarray(document.leaf_values(program), dtype=float)
    base_values = forward(leaves, None, rows)
    params = [k for k, leaf_id in enumerate(program.leaf_ids) if document.flat_node(leaf_id).op == "param"]
    numerics, kinks, stencils = [], [], []
    chunk = max(1, STENCIL_FLOATS // (len(NUDGES) + 1) // base_values.size)
    for k in params:
        step = STEP * max(1.0, abs(leaves[k]))
        losses, stencil = [], [base_values]
        for nudge in NUDGES:
            nudged = leaves.copy()
            nudged[k] = leaves[k] + nudge * step
            values = forward(nudged, k, rows)
            losses.append(float(np.add.reduce(values[0]) / values[0].size))
            stencil.append(values)
        numerics.append(sum(w * loss for w, loss in zip(WEIGHTS, losses)) / (12.0 * step))
        stencils.append(np.stack(stencil))
        if len(stencils) == chunk or k == params[-1]:
            kinks += _kinks_crossed(document, kink_groups, np.stack(stencils))
            stencils = []
    return GradientCheck(where, tuple(
        ParamCheck(program.leaf_ids[k], analytic[k], numeric, relative_error(analytic[k], numeric), kink,
                   document.describe(program.leaf_ids[k]))
        for k, numeric, kink in zip(params, numerics, kinks)))


@dataclass(frozen=True)
class _KinkGroup:
    """The ops of one kind on the loss path that have a kink: their rows, and their inputs' rows."""

    op: str
    nodes: list[str]
    input_rows: list[np.ndarray]
    exponents: np.ndarray


def _kink_groups(program: Program) -> list[_KinkGroup]:
    groups = []
    for op in KINKS:
        nodes = [node_id for node_id in program.order
                 if node_id in program.needs_gradient and program.specs[node_id].op == op]
        if nodes:
            arity = len(program.specs[nodes[0]].inputs)
            rows = [np.array([program.index[program.specs[node_id].inputs[pin]] for node_id in nodes])
                    for pin in range(arity)]
            exponents = np.array([program.specs[node_id].exponent for node_id in nodes])
            groups.append(_KinkGroup(op, nodes, rows, exponents))
    return groups


def _kinks_crossed(document: Document, groups: list[_KinkGroup], stencils: np.ndarray) -> list[str | None]:
    """For each param, the first kink some nudge of it reaches: a quantity that changes over the
    param's stencil and touches 0. `stencils` is (params, stencil points, rows, data points)."""
    found: list[str | None] = [None] * len(stencils)
    for group in groups:
        where, quantity = KINKS[group.op]
        inputs = [stencils[:, :, rows] for rows in group.input_rows]  # (params, stencil, group, points)
        with np.errstate(all="ignore"):
            if group.op == "pow":
                values = np.where(_whole_exponents(group.exponents)[None, None, :, None], 1.0, inputs[0])
            else:
                values = quantity(*inputs)
        low, high = values.min(axis=1), values.max(axis=1)
        crossed = ((low != high) & (low <= 0.0) & (high >= 0.0)).any(axis=2)  # (params, group)
        for param in np.flatnonzero(crossed.any(axis=1)):
            if found[param] is None:
                found[param] = f"{where}, node {document.describe(group.nodes[np.argmax(crossed[param])])}"
    return found


def _whole_exponents(exponents: np.ndarray) -> np.ndarray:
    return (exponents == np.round(exponents)) & (exponents >= 0.0)
