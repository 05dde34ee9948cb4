"""The source each kind of group of the fused plan writes (see `mlgarden.engine.fusion`).

The plan is run as straight-line numpy code, like the point route over floats: one call per group
costs a microsecond or two of numpy overhead, and an interpreter loop around it would add as much
again. Each step writes lines over these names:

    V   the value matrix, one row per node, one column per data point
    G   d(loss)/d(node) per point, the same shape (rows of leaves unused)
    L   the leaf vector; gL, the leaf gradient summed over the batch, which is all a leaf needs
    a3, b3, g3 ...   step 3's pin operands and its rows of G

Rows appear as numbers (`V[12:20]`) or, when not consecutive, as the name of an index array kept
beside the code (`V[I4]`); op formulas come from the op table's templates. So the source holds only
templates, numbers and generated names: no text from a graph can reach the compiler.

Backward adds each member's share into the gradient of what it reads, as the point route does; the
first share into a row of G is assigned instead, so G needs no zeroing before a run. When one row
receives several shares from a step (a node read by several members), they are summed first, since
a fancy-indexed `+=` would keep only one of them.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from mlgarden.engine.ops import OPS
from mlgarden.engine.point_code import times


class Constants:
    """Index arrays the generated source names, kept beside it."""

    def __init__(self):
        self.values: dict[str, np.ndarray] = {}

    def array(self, value: np.ndarray) -> str:
        name = f"I{len(self.values)}"
        self.values[name] = value
        return name

    def rows(self, rows: np.ndarray) -> str:
        """`a:b` for rows that run consecutively upwards (a view, not a copy), else a name."""
        return _block(rows.tolist()) if _runs_upwards(rows) else self.array(rows)


def _runs_upwards(rows: np.ndarray) -> bool:
    flat = rows.ravel()
    return bool(flat.size) and np.array_equal(flat, np.arange(flat[0], flat[0] + flat.size))


def _block(rows: list) -> str:
    """`a:b` for the consecutive rows a, a + 1, ..., b - 1, given as a (possibly nested) list."""
    first = np.asarray(rows).ravel()
    return f"{first[0]}:{first[0] + first.size}"


# --- adding shares ---------------------------------------------------------------------------------
# G is not zeroed before a run: the first line writing a row of G assigns its share, later lines add
# theirs. `written` is the set of rows of G written so far, in the order backward runs.


def _into(constants: Constants, written: set[int], rows: np.ndarray, where: str, value: str) -> list[str]:
    """`G[where] = value` or `+= value`, for the distinct `rows` that `where` names."""
    fresh = sorted(set(rows.tolist()) - written)
    written.update(rows.tolist())
    if len(fresh) == rows.size:
        return [f"G[{where}] = {value}"]
    zero = [f"G[{constants.rows(np.array(fresh))}] = 0.0"] if fresh else []
    return zero + [f"G[{where}] += {value}"]


def share_lines(constants: Constants, written: set[int], targets: np.ndarray, leaves: bool,
                shares: str) -> list[str]:
    """Lines adding each member's share into what its pins read.

    targets[m, p] is the row of G, or the leaf, receiving member m's share (the expression `shares`,
    one row per member) through pin p; a sum's member sends its gradient to all its pins.
    """
    count, pins = targets.shape
    members = np.repeat(np.arange(count), pins)
    unique = len(np.unique(targets)) == targets.size
    if leaves:
        totals = f"({shares}).sum(axis=1)" + ("" if pins == 1 else f"[{constants.array(members)}]")
        if unique:
            return add_lines(constants, None, targets.ravel(), totals)
        return [f"add_at(gL, {constants.array(targets.ravel())}, {totals})"]
    if unique and pins == 1:
        return add_lines(constants, written, targets[:, 0], shares)
    if unique:
        return _into(constants, written, targets.ravel(), constants.array(targets), f"({shares})[:, None, :]")
    lines = [f"s = {shares}"]
    for rows, from_members in _repeat_classes(targets.ravel(), members):
        total = f"s[{constants.array(from_members)}].sum(axis=1)"
        lines += _into(constants, written, rows, constants.rows(rows), total)
    return lines


def add_lines(constants: Constants, written: set[int] | None, rows: np.ndarray, value: str) -> list[str]:
    """`G[rows] += value` for distinct rows, by slices when they form a few runs of consecutive
    rows (a slice adds in place, a fancy index gathers, adds and scatters whole rows); or, when
    `written` is None, `gL[rows] += value` (a leaf's gradient is one number: one fancy index)."""
    if written is None:
        return [f"gL[{constants.rows(rows)}] += {value}"]
    starts = [0] + [i for i in range(1, len(rows)) if rows[i] != rows[i - 1] + 1] + [len(rows)]
    if len(starts) > 5:
        return _into(constants, written, rows, constants.array(rows), value)
    if len(starts) == 2:
        return _into(constants, written, rows, f"{rows[0]}:{rows[0] + len(rows)}", value)
    lines = [f"s = {value}"]
    for a, b in zip(starts, starts[1:]):
        lines += _into(constants, written, rows[a:b], f"{rows[a]}:{rows[a] + b - a}", f"s[{a}:{b}]")
    return lines


def _repeat_classes(flat: np.ndarray, members: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Targets grouped by how many shares they get: (rows, members of shape (rows, count))."""
    by_target = defaultdict(list)
    for target, member in zip(flat.tolist(), members.tolist()):
        by_target[target].append(member)
    by_count = defaultdict(list)
    for target, its_members in by_target.items():
        by_count[len(its_members)].append((target, its_members))
    return [(np.array([t for t, _ in entries]), np.array([m for _, m in entries]))
            for _, entries in sorted(by_count.items())]


def _columns_share_lines(constants, written, sources: list[list[str]], rows, leaf_index,
                         shares: str) -> list[str]:
    """share_lines for pins given per member (sources[m][p]): pins reading rows, then leaves."""
    lines = []
    if not sources or not sources[0]:
        return lines
    reads_leaf = np.array([s in leaf_index for s in sources[0]])
    table = np.array(sources, dtype=object)
    for leaves, numbering in ((False, rows), (True, leaf_index)):
        pins = table[:, reads_leaf == leaves]
        if pins.size:
            targets = np.array([[numbering[s] for s in member] for member in pins.tolist()])
            lines += share_lines(constants, written, targets, leaves, shares)
    return lines


# --- the kinds of steps -------------------------------------------------------------------------------
# A step is made with its number n and writes its forward lines at once; `backward_lines` is asked
# for in the order backward runs (last step first), for the steps on the path to the loss.


class OpStep:
    """Members of one fixed-arity op: forward and derivatives from the op's templates."""

    def __init__(self, n: int, constants: Constants, specs, members: list[str], rows, leaf_index,
                 on_loss_path: bool):
        self.op = OPS[specs[members[0]].op]
        self.n, self.rows, self.leaf_index = n, rows, leaf_index
        self.block = _block([rows[m] for m in members])
        self.on_loss_path = on_loss_path
        self.sources = [[specs[m].inputs[pin] for m in members] for pin in range(self.op.arity)]
        self.names = {"out": f"V[{self.block}]", "a": f"a{n}", "b": f"b{n}",
                      "exponent": f"({float(specs[members[0]].exponent)!r})"}  # one exponent per group
        self.forward = [f"{name}{n} = {_read(constants, pin, rows, leaf_index)}"
                        for name, pin in zip("ab", self.sources)]
        self.forward.append(f"V[{self.block}] = " + self.op.forward.format(**self.names))

    def backward_lines(self, constants: Constants, written: set[int]) -> list[str]:
        lines = [f"g{self.n} = G[{self.block}]"]
        for pin, derivative in zip(self.sources, self.op.derivatives):
            shares = times(derivative.format(**self.names), f"g{self.n}")
            lines += _columns_share_lines(constants, written, [[s] for s in pin], self.rows,
                                          self.leaf_index, shares)
        return lines


def _read(constants: Constants, sources: list[str], rows, leaf_index) -> str:
    """One pin of every member: rows of V, or leaves as a column (k, 1) that broadcasts."""
    if sources[0] in leaf_index:
        return f"L[{constants.array(np.array([leaf_index[s] for s in sources])[:, None])}]"
    return f"V[{constants.rows(np.array([rows[s] for s in sources]))}]"


class SumStep:
    """Members of a variadic sum with the same pins: all pins read from V, added in pin order."""

    def __init__(self, n: int, constants: Constants, specs, members: list[str], rows, leaf_index,
                 on_loss_path: bool):
        self.n, self.rows, self.leaf_index = n, rows, leaf_index
        self.block = _block([rows[m] for m in members])
        self.on_loss_path = on_loss_path
        self.sources = [list(specs[m].inputs) for m in members]
        read = np.array([[rows[s] for s in pins] for pins in self.sources])
        self.leaf_rows = [rows[s] for pins in self.sources for s in pins if s in leaf_index]
        if _runs_upwards(read):
            pins = f"V[{_block(read.ravel().tolist())}].reshape({read.shape[0]}, {read.shape[1]}, -1)"
        else:
            pins = f"V[{constants.array(read)}]"
        self.forward = [f"V[{self.block}] = {pins}.sum(axis=1)"]

    def backward_lines(self, constants: Constants, written: set[int]) -> list[str]:
        return [f"g{self.n} = G[{self.block}]"] + _columns_share_lines(
            constants, written, self.sources, self.rows, self.leaf_index, f"g{self.n}")


class LayerStep:
    """A dense layer's sums, sum_j w_ij u_j + others_i, as one matrix product W @ U (fusion.Layer).

    Going forward and backward never needs the products w_ij u_j themselves. With `products` they
    keep rows (k blocks of m, member by member), which the `complete` lines fill in for whoever
    reads them, and whose gradients (their sum's) the `product_gradients` lines write when asked.
    """

    def __init__(self, n: int, constants: Constants, layer, rows, leaf_index, on_loss_path: bool,
                 products: bool):
        k, m = len(layer.sums), len(layer.inputs)
        self.n, self.layer, self.rows, self.leaf_index = n, layer, rows, leaf_index
        self.sums = _block([rows[s] for s in layer.sums])
        self.input_rows = np.array([rows[u] for u in layer.inputs])
        inputs, weights = constants.rows(self.input_rows), constants.array(np.array(layer.weights))
        self.on_loss_path = on_loss_path
        self.forward = [f"w{n} = L[{weights}]", f"u{n} = V[{inputs}]", f"V[{self.sums}] = w{n} @ u{n}"]
        for column in zip(*layer.others):  # a bias, say
            self.forward.append(f"V[{self.sums}] += {_read(constants, list(column), rows, leaf_index)}")
        self.complete, self.product_gradients, self.product_rows = [], [], range(0)
        if products:
            first = rows[layer.products[0][0]]
            self.product_rows = range(first, first + k * m)
            block = f"[{first}:{first + k * m}].reshape({k}, {m}, -1)"
            self.complete = [f"multiply(L[{weights}][:, :, None], V[{inputs}][None], out=V{block})"]
            self.product_gradients = [f"G{block}[...] = G[{self.sums}][:, None, :]"]

    def backward_lines(self, constants: Constants, written: set[int]) -> list[str]:
        n = self.n
        weights = np.array(self.layer.weights).ravel()
        if len(np.unique(weights)) == weights.size:
            lines = add_lines(constants, None, weights, f"(g{n} @ u{n}.T).ravel()")
        else:  # a weight shared by two products of the layer
            lines = [f"add_at(gL, {constants.array(weights)}, (g{n} @ u{n}.T).ravel())"]
        lines += add_lines(constants, written, self.input_rows, f"w{n}.T @ g{n}")
        return [f"g{n} = G[{self.sums}]"] + lines + _columns_share_lines(
            constants, written, self.layer.others, self.rows, self.leaf_index, f"g{n}")
