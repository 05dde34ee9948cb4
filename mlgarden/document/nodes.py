"""Nodes, references and the rules of ids and numbers: what every part of the document shares.

A node has a stable id, an op from the op table and the fields that op uses (see `Node`). A link
is a *reference* to an output: a node id (`"h1"`, output 0) or `"id:k"` (output k of a call,
`"f1:2"`). Ids never hold ':' (nor '/', which flat ids use), so `split_reference` can always tell
the two apart, and it is the one place that does.

This module sits at the bottom of the document package: the graph (`graph.py`), the functions
and their edits all build on it, and it imports nothing of mlgarden. It holds each rule once:

- `ID_PATTERN` and `ID_RULE`, the rule for node ids and function names and the words that tell it;
- `VALUE_BOUND`: a value (a param's, a const's, an instance's own param) lies within
  +-VALUE_BOUND, so a value past it during training means the run has diverged;
- `fresh_id` and `id_stem`: how a new node is numbered after the ones a scope already has.
"""

from __future__ import annotations

import math
import re
from collections.abc import Container
from dataclasses import dataclass, field

ID_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]{0,63}")
ID_RULE = "must start with a letter or _ and use only letters, digits, _ . - (at most 64)"
VALUE_BOUND = 1e12
_OUTPUT_INDEX = re.compile(r"[0-9]{1,6}")
_NUMBER_SUFFIX = re.compile(r"\d+$")


class GraphError(ValueError):
    """An edit or a document that breaks a rule; the message names the node and the rule."""


def split_reference(reference: str) -> tuple[str, int]:
    """A reference to an output as (node id, output index): 'f1:2' -> ('f1', 2), 'n' -> ('n', 0)."""
    node_id, colon, index = reference.partition(":")
    if not colon:
        return reference, 0
    if not _OUTPUT_INDEX.fullmatch(index):
        raise GraphError(f"{reference!r} is neither a node id nor a reference like 'f1:2'")
    return node_id, int(index)


def make_reference(node_id: str, output: int = 0) -> str:
    """The reference to output `output` of a node: its id for output 0, else 'id:output'."""
    return node_id if output == 0 else f"{node_id}:{output}"


def node_of(reference: str | None) -> str | None:
    """The id of the node a reference reads (None for a free pin), without checking the index."""
    return None if reference is None else reference.partition(":")[0]


def fresh_id(prefix: str, taken: Container[str]) -> str:
    """`prefix` numbered from 1 up to the first id not in `taken`: 'h' -> 'h1', 'h2', ..."""
    number = 1
    while f"{prefix}{number}" in taken:
        number += 1
    return f"{prefix}{number}"


def id_stem(node_id: str, fallback: str) -> str:
    """An id without its number, to number a copy of it afresh ('w12' -> 'w'); `fallback` (the
    op) for an id that is all digits."""
    return _NUMBER_SUFFIX.sub("", node_id) or fallback


@dataclass
class Node:
    id: str
    op: str
    inputs: list[str | None] = field(default_factory=list)
    value: float = 0.0
    label: str = ""
    pos: tuple[float, float] = (0.0, 0.0)
    trainable: bool = True
    exponent: float = 2.0
    function: str = ""  # a call node: the name of the function it is an instance of
    values: dict[str, float] = field(default_factory=dict)  # a call node: its own param values,
    # keyed by the param's path in the body ("w1", or "g2/w1" inside the nested call g2)
    shared: bool = False  # a param in a function's body: one value for every instance

    @property
    def title(self) -> str:
        """What the canvas calls the node: its label, or its id when it has none."""
        return self.label or self.id


def check_number(name, value, low, high, low_open=False):
    """Refuse anything but a finite int or float in [low, high] (or (low, high] if `low_open`)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not is_finite(value):
        raise GraphError(f"{name} must be a finite number, got {value!r}")
    if value < low or value > high or (low_open and value == low):
        bound = f"above {low}" if low_open else f"at least {low}"
        raise GraphError(f"{name} must be {bound} and at most {high}, got {value!r}")


def check_value(name, value) -> None:
    """A node's value (or an instance's own param value): finite and within +-VALUE_BOUND."""
    check_number(name, value, low=-VALUE_BOUND, high=VALUE_BOUND)


def is_finite(value) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:  # an int too large for a float
        return False


def check_whole(name, value, low, high):
    if isinstance(value, bool) or not isinstance(value, int):
        raise GraphError(f"{name} must be a whole number, got {value!r}")
    if not low <= value <= high:
        raise GraphError(f"{name} must be between {low} and {high}, got {value}")
