"""What `mlgarden eval --json` prints, as plain data: every computed node's value and gradient.

The command line prints this, and the exported scripts (`mlgarden.export`) are written to print
exactly the same: they take their rules from here (which nodes, in which order, whether gradients
are reported), so a change of those rules carries over to them.
"""

from __future__ import annotations

import math

from mlgarden.engine.program import Evaluation, Program


def finite_or_none(number: float | None) -> float | None:
    """JSON has no inf or NaN: a non-finite number is reported as null."""
    return number if number is not None and math.isfinite(number) else None


def gradient_root(program: Program) -> str | None:
    """The node backpropagation starts from (its gradient is 1): the loss, or with no loss the
    result, as in the write-up's first graph (Program.backprop_from)."""
    return program.backprop_from


def reports_gradients(program: Program) -> bool:
    """Whether the report holds gradients: only when backpropagation has a node to start from."""
    return gradient_root(program) is not None


def roles_json(program: Program) -> dict:
    """The report's keys beside "nodes": which computed node plays which role."""
    return {"result": program.result, "loss": program.loss, "gradients_of": gradient_root(program)}


def evaluation_json(program: Program, evaluation: Evaluation) -> dict:
    """{"nodes": {id: {"value": v, "grad": g}}, "result": id, "loss": id, "gradients_of": id}; the
    computed nodes in order, null for a non-finite number. Gradients are of the loss, or with no
    loss of the result (`gradients_of` names it); every grad is null when neither is computed."""
    with_gradients = reports_gradients(program)
    nodes = {
        node_id: {"value": finite_or_none(evaluation.values[node_id]),
                  "grad": finite_or_none(evaluation.grads[node_id]) if with_gradients else None}
        for node_id in program.order
    }
    return {"nodes": nodes, **roles_json(program)}
