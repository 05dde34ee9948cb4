"""The gradient flowing back along each link: what the canvas colours a link by.

A node's gradient is the sum of the *shares* its readers send back along the links out of it:
the share along the link into input `pin` of node t is `grad(t) * d t/d pin`, the downstream
gradient times the local derivative (the step-through tells the same numbers one sentence at a
time, learning/stepthrough.py, and the local derivative is its `local_derivative`, the op table's
own template). So two links out of one node can carry shares of different signs and sizes, and
the canvas shows where the gradient of each node comes from.

What a link leads into decides how its share is found:
- an op: `grad(t) * d t/d pin` at the current sample (`LinkGradients.into_node`);
- an output node of a function's body (an identity): all of its gradient;
- a pin of a call: the engine replaces the body's input node by the source itself, so the share is
  the sum of the shares of the body's nodes that read the source (`LinkGradients.into_call`, the
  nodes whose flat ids start with the call's). When one source feeds two pins of one call, that
  sum is both links' together.
`link_gradient` takes a link as the canvas draws it, in the graph or in a function's body.
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from collections.abc import Mapping

from mlgarden.document.graph import Document
from mlgarden.document.scope_ids import flat_id_shown
from mlgarden.engine.ops import OPS
from mlgarden.engine.program import Program
from mlgarden.learning.stepthrough import local_derivative

_READERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_ROUTES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _readers(program: Program) -> dict[tuple[str, str], list[tuple[str, int]]]:
    """(call prefix 'f1/', computed source) -> the (node, pin) pairs under that prefix that read
    the source, for every prefix of every flat id: made once per program."""
    readers = _READERS.get(program)
    if readers is None:
        readers = defaultdict(list)
        for spec in program.specs.values():
            parts = spec.id.split("/")[:-1]
            prefixes = ["/".join(parts[:depth]) + "/" for depth in range(1, len(parts) + 1)]
            for pin, source in enumerate(spec.inputs):
                for prefix in prefixes:
                    readers[(prefix, source)].append((spec.id, pin))
        _READERS[program] = readers
    return readers


class LinkGradients:
    """The shares of one evaluation: `values` and `gradients` by flat id (a gradient that is
    missing, as during a step-through, gives no share)."""

    def __init__(self, program: Program, values: Mapping, gradients: Mapping):
        self.program, self.values, self.gradients = program, values, gradients
        self.readers = _readers(program)
        self.routes = _ROUTES.setdefault(program, {})  # the program is new after any change of structure

    def into_node(self, target: str, pin: int) -> float | None:
        """grad(target) * d target/d its input `pin` (flat ids), or None when unknown."""
        gradient = self.gradients.get(target)
        spec = self.program.specs.get(self.program.computed_id(target))
        if gradient is None or spec is None:
            return None
        if spec.id != target or spec.op == "output":  # an identity: all of its gradient
            return gradient
        if pin >= len(spec.inputs):
            return None
        values = self.values
        inputs = spec.inputs
        if OPS[spec.op].is_variadic:  # every pin alike: only its own operand counts
            a, b = values.get(inputs[pin]), 0.0
        else:
            a, b = values.get(inputs[0]), values.get(inputs[1]) if len(inputs) > 1 else 0.0
        out = values.get(spec.id)
        if out is None or a is None or b is None:
            return None
        try:
            return gradient * local_derivative(spec.op, pin, a, b, out, spec.exponent)
        except (ArithmeticError, ValueError):  # at a singular point: no number to show
            return None

    def into_call(self, prefix: str, source: str) -> float | None:
        """The shares that the nodes under flat id `prefix` ('f1/') read from `source`."""
        readers = self.readers.get((prefix, self.program.computed_id(source)), ())
        shares = [self.into_node(reader, pin) for reader, pin in readers]
        known = [share for share in shares if share is not None]
        return sum(known) if known else None


def link_gradient(document: Document, scope: str | None, key: tuple[str, str, int],
                  shares: LinkGradients, instance: str | None = None) -> float | None:
    """The share along a link (source reference, target node, pin) of the graph (`scope` None)
    or of a function's body (its numbers are call `instance`'s, by default the graph's first
    instance's, as the canvas shows)."""
    routes = shares.routes
    route = routes.get((scope, instance, key))
    if route is None:
        route = routes[(scope, instance, key)] = _route(document, scope, key, instance)
    kind, first, second = route
    if kind == "call":
        return shares.into_call(first, second)
    return shares.into_node(first, second) if kind == "node" else None


def _route(document: Document, scope: str | None, key: tuple[str, str, int], instance) -> tuple:
    """How a link's share is found: ('node', target flat id, pin), ('call', prefix, source flat
    id) or ('none', None, None)."""
    source, target, pin = key
    nodes = document.nodes if scope is None else document.definition(scope).nodes
    node = nodes.get(target)
    if node is None:
        return "none", None, None
    if node.op == "call":
        shown = flat_id_shown(document, scope, target, instance)  # 'prefix/target/output'
        source_flat = flat_id_shown(document, scope, source, instance)
        if shown is None or source_flat is None:
            return "none", None, None
        return "call", shown.rpartition("/")[0] + "/", source_flat
    target_flat = flat_id_shown(document, scope, target, instance)
    return ("none", None, None) if target_flat is None else ("node", target_flat, pin)
