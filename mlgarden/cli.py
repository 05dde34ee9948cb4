"""The command line: `mlgarden [COMMAND] ...`, on the same core as the app.

    mlgarden                      open the app with a new graph
    mlgarden FILE.yaml            open the app with a graph file (same as `mlgarden open FILE`)
    mlgarden check FILE           read a graph file and print a one-line summary
    mlgarden eval FILE [--x X] [--y Y] [--label L] [--json]
                                  one forward and backward pass at one data point

Exit codes: 0 when the command did its work, 2 when it could not (bad arguments, a missing or
broken file); the reason is one line on stderr, never a traceback.

A subcommand is one `_add_NAME_parser(subparsers)` function, which declares its arguments and
sets `run=_run_NAME`, one `_run_NAME(args) -> int`, and one line in `_build_parser` calling the
first. Errors meant for the user (a bad file, a refused edit) are caught once, in `main`, so a
subcommand just raises them.

The app is imported only when it is asked for, so `check` and `eval` never load the GUI toolkit;
and nothing imports this module.
"""

from __future__ import annotations

import argparse
import json
import math
import sys

from mlgarden import fileformat
from mlgarden.engine import CompileError
from mlgarden.graph import Document, GraphError

EXIT_OK = 0
EXIT_FAILED = 2
GRAPH_SUFFIXES = (".yaml", ".yml")
USER_ERRORS = (fileformat.FileFormatError, GraphError, CompileError)  # their messages are for users


class _Parser(argparse.ArgumentParser):
    """argparse, reporting a bad argument in one line rather than a usage block."""

    def error(self, message):
        self.exit(EXIT_FAILED, f"{self.prog}: {message} (see {self.prog} --help)\n")


def main(argv: list[str] | None = None) -> int:
    """Run the command line with `argv` (default: the process's arguments); return the exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0].lower().endswith(GRAPH_SUFFIXES):
        argv = ["open", *argv]
    try:
        args = _build_parser().parse_args(argv)
    except SystemExit as exit_request:  # --help, or a bad argument already reported
        return exit_request.code if isinstance(exit_request.code, int) else EXIT_FAILED
    try:
        return args.run(args)
    except USER_ERRORS as error:
        print(f"mlgarden: {error}", file=sys.stderr)
        return EXIT_FAILED


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="mlgarden", description="Build and train neural networks from scalar nodes.")
    parser.set_defaults(run=_run_open, file=None)  # no command: open the app
    subparsers = parser.add_subparsers(metavar="COMMAND")
    _add_open_parser(subparsers)
    _add_check_parser(subparsers)
    _add_eval_parser(subparsers)
    return parser


# --- open --------------------------------------------------------------------------------------


def _add_open_parser(subparsers) -> None:
    parser = subparsers.add_parser("open", help="open the app, with a graph file if given")
    parser.add_argument("file", nargs="?", help="a graph file (.yaml)")
    parser.set_defaults(run=_run_open)


def _run_open(args) -> int:
    try:
        from mlgarden.gui.app import run_app
    except ImportError as error:
        print(f"mlgarden: cannot start the app ({error})", file=sys.stderr)
        return EXIT_FAILED
    return run_app(args.file)


# --- check -------------------------------------------------------------------------------------


def _add_check_parser(subparsers) -> None:
    parser = subparsers.add_parser("check", help="read a graph file and print a one-line summary")
    parser.add_argument("file", help="a graph file (.yaml)")
    parser.set_defaults(run=_run_check)


def _run_check(args) -> int:
    document = fileformat.load(args.file)
    print(f"{args.file}: {summary(document)}")
    return EXIT_OK


def summary(document: Document) -> str:
    """One line about a graph: `5 nodes (3 params), 4 links, result r, loss r`."""
    params = document.params()
    frozen = sum(1 for node in params if not node.trainable)
    counts = _count(len(params), "param") + (f", {frozen} frozen" if frozen else "")
    parts = [f"{_count(len(document.nodes), 'node')} ({counts})", _count(len(document.links()), "link"),
             f"result {document.result or 'none'}", f"loss {document.loss or 'none'}"]
    incomplete = document.program().incomplete
    if incomplete:
        parts.append(f"{_count(len(incomplete), 'node')} not computed (an input is not connected)")
    return ", ".join(parts)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


# --- eval --------------------------------------------------------------------------------------


def _add_eval_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "eval", help="one forward and backward pass at one data point",
        description="Print every node's value and its gradient (d loss / d node) at one data point.")
    parser.add_argument("file", help="a graph file (.yaml)")
    parser.add_argument("--x", type=float, default=0.0, help="the point's x (default 0)")
    parser.add_argument("--y", type=float, default=0.0, help="the point's y (default 0)")
    parser.add_argument("--label", type=float, default=1.0, help="the point's label (default 1)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(run=_run_eval)


def _run_eval(args) -> int:
    document = fileformat.load(args.file)
    program = document.program()
    evaluation = program.evaluate_point(document.leaf_values(program), args.x, args.y, args.label)
    if args.json:
        print(json.dumps(_evaluation_json(program, evaluation), allow_nan=False))
    else:
        print(_evaluation_table(document, program, evaluation))
    first_bad = program.first_non_finite([evaluation.values[node_id] for node_id in program.order])
    if first_bad is not None:
        loss_note = f"; the loss is {evaluation.loss}" if evaluation.loss is not None else ""
        print(f"mlgarden: warning: node {first_bad!r} ({document.nodes[first_bad].op}) is the first "
              f"to give a non-finite value ({evaluation.values[first_bad]}){loss_note}", file=sys.stderr)
    return EXIT_OK


def _finite_or_none(number: float | None) -> float | None:
    return number if number is not None and math.isfinite(number) else None


def _evaluation_json(program, evaluation) -> dict:
    """{"nodes": {id: {"value": v, "grad": g}}, "result": id, "loss": id}; the computed nodes in
    order, null for a non-finite number, and every grad null when no loss is computed."""
    has_loss = program.loss is not None
    nodes = {
        node_id: {"value": _finite_or_none(evaluation.values[node_id]),
                  "grad": _finite_or_none(evaluation.grads[node_id]) if has_loss else None}
        for node_id in program.order
    }
    return {"nodes": nodes, "result": program.result, "loss": program.loss}


def _evaluation_table(document: Document, program, evaluation) -> str:
    has_loss = program.loss is not None
    rows = [("node", "op", "value", "gradient")]
    for node_id in program.order:
        gradient = _number(evaluation.grads[node_id]) if has_loss else "-"
        rows.append((node_id, document.nodes[node_id].op, _number(evaluation.values[node_id]), gradient))
    for node_id in program.incomplete:
        rows.append((node_id, document.nodes[node_id].op, "not computed", "(an input is not connected)"))
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[3]
             for row in rows]
    lines.append(_roles_line(document, program, evaluation))
    return "\n".join(line.rstrip() for line in lines)


def _roles_line(document: Document, program, evaluation) -> str:
    parts = []
    for role, computed, value in (("result", program.result, evaluation.result),
                                  ("loss", program.loss, evaluation.loss)):
        chosen = getattr(document, role)
        if chosen is None:
            parts.append(f"no {role} node")
        elif computed is None:
            parts.append(f"{role} {chosen}: not computed")
        else:
            parts.append(f"{role} {chosen} = {_number(value)}")
    if program.loss is None:
        parts.append("no gradients without a computed loss")
    return ", ".join(parts)


def _number(number: float) -> str:
    return f"{number:.6g}"
