"""The command line: `mlgarden [COMMAND] ...`, on the same core as the app.

    mlgarden                      open the app on the built-in example (an untitled copy)
    mlgarden FILE.yaml            open the app with a graph file (same as `mlgarden open FILE`)
    mlgarden NAME                 open the app on a copy of the shipped example NAME
    mlgarden examples             list the shipped examples, each with one line about it
    mlgarden --version            print mlgarden's version
    mlgarden check FILE           read a graph file and print a one-line summary (its nodes, and
                                  how many with every function call expanded)
    mlgarden eval FILE [--x X] [--y Y] [--label L] [--json]
                                  one forward and backward pass at one data point
    mlgarden train FILE [--dataset NAME|PATH.csv] [--points N] [--noise F] [--seed S]
                   [--steps N | --epochs N] [--batch-size B] [--lr X] [--optimizer NAME]
                   [--save OUT.yaml] [--json]
                                  train headless, by default with the settings in the file
    mlgarden gradcheck FILE [--x X] [--y Y] [--label L] [--batch N] [--json]
                                  compare every param's gradient with a finite difference
    mlgarden export FILE --to python|torch [-o OUT.py]
                                  write the graph as a standalone Python or PyTorch script
    mlgarden render FILE [--dataset ...] [--points N] [--noise F] [--seed S] --out PNG [--size N]
                                  draw the decision surface and the data points as a PNG

Wherever a command takes a FILE, the name of a shipped example (`arithmetic`, `linear`) will do
too, when no file of that name exists: see mlgarden/shipped.py.

Exit codes: 0 when the command did its work, 2 when it could not (bad arguments, a missing or
broken file); the reason is one line on stderr, never a traceback. `gradcheck` exits with 1 when
a gradient disagrees with its finite difference.

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
import os
import sys
import time
from importlib import metadata
from pathlib import Path

from mlgarden import shipped
from mlgarden.export import EXPORT_KINDS, export_script
from mlgarden.files import fileformat, png
from mlgarden.learning import gradcheck
from mlgarden.learning.custom_data import document_dataset
from mlgarden.learning.datasets import DatasetError
from mlgarden.engine.program import CompileError
from mlgarden.engine.report import evaluation_json, finite_or_none
from mlgarden.document.functions import expanded_node_count
from mlgarden.document.graph import OPTIMIZERS, Document, GraphError
from mlgarden.learning.surface import SURFACE_MARGIN, colours, decision_values
from mlgarden.number_text import plain
from mlgarden.story import story_examples
from mlgarden.learning.training import Trainer, TrainingError

EXIT_OK = 0
EXIT_FAILED = 2
EXIT_CHECK_FAILED = 1
GRAPH_SUFFIXES = (".yaml", ".yml")
COMMANDS = ("open", "examples", "check", "eval", "train", "render", "gradcheck", "export")
MAX_RENDER_SIZE = 4096


class CommandError(ValueError):
    """A command cannot do its work for a reason of its own (say, its output cannot be written)."""


USER_ERRORS = (fileformat.FileFormatError, GraphError, CompileError,  # their messages are for users
               DatasetError, TrainingError, CommandError)


class _Parser(argparse.ArgumentParser):
    """argparse, reporting a bad argument in one line rather than a usage block."""

    def error(self, message):
        self.exit(EXIT_FAILED, f"{self.prog}: {message} (see {self.prog} --help)\n")


def main(argv: list[str] | None = None) -> int:
    """Run the command line with `argv` (default: the process's arguments); return the exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and _names_a_graph(argv[0]):
        argv = ["open", *argv]
    elif argv and not argv[0].startswith("-") and argv[0] not in COMMANDS:
        # argparse would say "invalid choice" and list only the commands: a mistyped example's
        # name or a file that is not a graph deserves to hear of those too
        print(f"mlgarden: {argv[0]}: not a command, a graph file (.yaml) or an example's name "
              "(mlgarden --help lists the commands, mlgarden examples the examples)", file=sys.stderr)
        return EXIT_FAILED
    try:
        args = _build_parser().parse_args(argv)
    except SystemExit as exit_request:  # --help, or a bad argument already reported
        return exit_request.code if isinstance(exit_request.code, int) else EXIT_FAILED
    try:
        return args.run(args)
    except BrokenPipeError:  # the reader stopped early (`| head`): what it wanted was printed
        _silence_stdout()
        return EXIT_FAILED
    except USER_ERRORS as error:
        print(f"mlgarden: {error}", file=sys.stderr)
        return EXIT_FAILED


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that flushing it at exit raises no second BrokenPipeError."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _names_a_graph(argument: str) -> bool:
    """`mlgarden X` opens X when it is a graph file or a shipped example, not a command."""
    if argument.startswith("-") or argument in COMMANDS:
        return False
    return argument.lower().endswith(GRAPH_SUFFIXES) or shipped.example_named_by(argument) is not None


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="mlgarden", description="Build and train neural networks from scalar nodes.")
    parser.add_argument("--version", action="version", version=f"mlgarden {_version()}")
    parser.set_defaults(run=_run_open, file=None)  # no command: open the app
    subparsers = parser.add_subparsers(metavar="COMMAND")
    _add_open_parser(subparsers)
    _add_examples_parser(subparsers)
    _add_check_parser(subparsers)
    _add_eval_parser(subparsers)
    _add_train_parser(subparsers)
    _add_render_parser(subparsers)
    _add_gradcheck_parser(subparsers)
    _add_export_parser(subparsers)
    return parser


def _version() -> str:
    try:
        return metadata.version("mlgarden")
    except metadata.PackageNotFoundError:  # the source tree, not installed
        return "(not installed)"


def _load(file: str):
    """The graph a FILE argument names: a graph file, or a shipped example by its name."""
    path = shipped.resolve(file)
    if not Path(path).exists() and not Path(path).suffix and "/" not in path:
        raise CommandError(f"{file}: no such file, and no example of that name "
                           "(mlgarden examples lists them)")
    return fileformat.load(path)


# --- open --------------------------------------------------------------------------------------


def _add_open_parser(subparsers) -> None:
    parser = subparsers.add_parser("open", help="open the app, with a graph file if given")
    parser.add_argument("file", nargs="?", help="a graph file (.yaml) or an example's name")
    parser.set_defaults(run=_run_open)


def _run_open(args) -> int:
    try:
        from mlgarden.gui.app import run_app
    except ImportError as error:
        print(f"mlgarden: cannot start the app ({error})", file=sys.stderr)
        return EXIT_FAILED
    return run_app(args.file)


# --- examples ----------------------------------------------------------------------------------


def _add_examples_parser(subparsers) -> None:
    parser = subparsers.add_parser("examples", help="list the shipped examples",
                                   description="List the example graphs mlgarden ships in the "
                                               "write-up's order (as the Examples menu does), each "
                                               "with one line about it. Give a name wherever a "
                                               "command takes a FILE.")
    parser.set_defaults(run=_run_examples)


def _run_examples(args) -> int:
    rows = [(example.name, example.line or shipped.one_line(fileformat.load(example.path).description))
            for example in story_examples(shipped.example_files())]
    if not rows:
        raise CommandError("no examples were found: is mlgarden installed (pip install .)?")
    width = max(len(name) for name, _ in rows)
    for name, line in rows:
        print(f"{name.ljust(width)}  {line}".rstrip())
    return EXIT_OK


# --- check -------------------------------------------------------------------------------------


def _add_check_parser(subparsers) -> None:
    parser = subparsers.add_parser("check", help="read a graph file and print a one-line summary")
    parser.add_argument("file", help="a graph file (.yaml) or an example's name")
    parser.set_defaults(run=_run_check)


def _run_check(args) -> int:
    document = _load(args.file)
    print(f"{args.file}: {summary(document)}")
    return EXIT_OK


def summary(document: Document) -> str:
    """One line about a graph: `5 nodes (5 expanded, 3 params), 4 links, result r, loss r`: the
    nodes on the canvas, and how many there would be with every function call expanded. Params
    inside function instances count too (each instance has its own), and `2 functions (3 calls)`
    follows the nodes when the graph has functions."""
    program = document.program()
    params = [node for node in map(document.flat_node, program.leaf_ids) if node.op == "param"]
    frozen = sum(1 for node in params if not node.trainable)
    counts = _count(len(params), "param") + (f", {frozen} frozen" if frozen else "")
    expanded = expanded_node_count(document.functions, document.nodes)
    parts = [f"{_count(len(document.nodes), 'node')} ({expanded} expanded, {counts})",
             _count(len(document.links()), "link"),
             f"result {document.result or 'none'}", f"loss {document.loss or 'none'}"]
    if document.functions:
        calls = sum(1 for node in document.nodes.values() if node.op == "call")
        parts.insert(1, f"{_count(len(document.functions), 'function')} ({_count(calls, 'call')})")
    incomplete = {flat_id.split("/")[0] for flat_id in program.incomplete}  # a call counts once
    if incomplete:
        parts.append(f"{_count(len(incomplete), 'node')} not computed (an input is not connected)")
    return ", ".join(parts)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


# --- eval --------------------------------------------------------------------------------------


def _add_eval_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "eval", help="one forward and backward pass at one data point",
        description="Print every node's value and its gradient at one data point: d loss / d node, or "
                    "with no loss, d result / d node.")
    parser.add_argument("file", help="a graph file (.yaml) or an example's name")
    parser.add_argument("--x", type=float, default=0.0, help="the point's x (default 0)")
    parser.add_argument("--y", type=float, default=0.0, help="the point's y (default 0)")
    parser.add_argument("--label", type=float, default=1.0, help="the point's label (default 1)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(run=_run_eval)


def _run_eval(args) -> int:
    document = _load(args.file)
    program = document.program()
    evaluation = program.evaluate_point(document.leaf_values(program), args.x, args.y, args.label)
    if args.json:
        print(json.dumps(evaluation_json(program, evaluation), allow_nan=False))
    else:
        print(_evaluation_table(document, program, evaluation))
    first_bad = program.first_non_finite([evaluation.values[node_id] for node_id in program.order])
    if first_bad is not None:
        loss_note = f"; the loss is {evaluation.loss}" if evaluation.loss is not None else ""
        print(f"mlgarden: warning: node {first_bad!r} ({document.flat_node(first_bad).op}) is the first "
              f"to give a non-finite value ({evaluation.values[first_bad]}){loss_note}", file=sys.stderr)
    return EXIT_OK


def _evaluation_table(document: Document, program, evaluation) -> str:
    has_gradients = program.backprop_from is not None
    rows = [("node", "op", "value", "gradient")]
    for node_id in program.order:
        gradient = _number(evaluation.grads[node_id]) if has_gradients else "-"
        rows.append((node_id, document.flat_node(node_id).op, _number(evaluation.values[node_id]), gradient))
    for node_id in program.incomplete:
        rows.append((node_id, document.flat_node(node_id).op, "not computed", "(an input is not connected)"))
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
    if program.backprop_from is None:
        parts.append("no gradients without a computed loss or result")
    elif program.loss is None:
        parts.append("gradients are of the result (no loss)")
    return ", ".join(parts)


def _number(number: float) -> str:
    return plain(number, ".6g")


# --- shared by train and render: the dataset a command runs on -----------------------------------


def _add_dataset_arguments(parser) -> None:
    data = parser.add_argument_group("data (default: the settings stored in the file)")
    data.add_argument("--dataset", metavar="NAME|PATH.csv", help="a dataset name or a CSV file")
    data.add_argument("--points", type=_whole_in(1), help="how many points to generate")
    data.add_argument("--noise", type=_number_in(0.0, 1.0), help="jitter, from 0 to 1")
    data.add_argument("--seed", type=_whole_in(0), help="the dataset's seed (its points and the "
                                                      "train/test split)")


def _whole_in(low: int, high: int | None = None):
    """An argparse type: a whole number in [low, high]."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < low or (high is not None and value > high):
            limits = f"at least {low}" if high is None else f"from {low} to {high}"
            raise argparse.ArgumentTypeError(f"expected a whole number {limits}, got {value}")
        return value
    return parse


def _number_in(low: float, high: float, low_open: bool = False):
    """An argparse type: a finite number in [low, high], or (low, high] when `low_open`."""
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        if not (math.isfinite(value) and low <= value <= high) or (low_open and value == low):
            raise argparse.ArgumentTypeError(f"expected a number in {'(' if low_open else '['}"
                                             f"{low:g}, {high:g}], got {text}")
        return value
    return parse


def _dataset_for(document: Document, args):
    """Apply --dataset/--points/--noise/--seed to the document; return (all points, train, test).
    A CSV named in the file is found from the file's folder, one named by --dataset from here."""
    dataset = args.dataset
    if dataset is not None and dataset.lower().endswith(".csv"):  # typed here: from this folder
        dataset = str(Path(dataset).resolve())
    changes = {"name": dataset, "points": args.points, "noise": args.noise, "seed": args.seed}
    document.set_dataset(**{name: value for name, value in changes.items() if value is not None})
    settings = document.dataset
    full = document_dataset(document, graph_folder=Path(shipped.resolve(args.file)).parent)
    train, test = full.split(settings.test_fraction, settings.seed)
    return full, train, test


# --- train -------------------------------------------------------------------------------------


def _add_train_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "train", help="train a graph's params headless, with the settings stored in the file",
        description="Train a graph's params on its dataset, with the settings stored in the file "
                    "unless given here, and report the loss and accuracy on the training and test "
                    "points. The file itself is not changed; --save writes the trained graph.")
    parser.add_argument("file", help="a graph file (.yaml) or an example's name")
    _add_dataset_arguments(parser)
    training = parser.add_argument_group("training (default: the settings stored in the file)")
    length = training.add_mutually_exclusive_group()
    length.add_argument("--steps", type=_whole_in(1), help="how many steps (batches) to train")
    length.add_argument("--epochs", type=_whole_in(1), help="train this many passes over the training points")
    training.add_argument("--batch-size", type=_whole_in(1), help="points per step")
    training.add_argument("--lr", type=_number_in(0.0, 100.0, low_open=True), help="the learning rate")
    training.add_argument("--optimizer", choices=OPTIMIZERS, help="how to follow the gradient")
    parser.add_argument("--save", metavar="OUT.yaml", help="write the trained graph, with the settings used")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a summary")
    parser.set_defaults(run=_run_train)


def _run_train(args) -> int:
    document = _load(args.file)
    _, train, test = _dataset_for(document, args)
    changes = {"batch_size": args.batch_size, "learning_rate": args.lr, "optimizer": args.optimizer,
               "steps": args.steps}
    document.set_training(**{name: value for name, value in changes.items() if value is not None})
    if args.epochs is not None:
        steps_per_epoch = math.ceil(len(train) / document.training.batch_size)
        document.set_training(steps=args.epochs * steps_per_epoch)
    trainer = Trainer(document, train.points, train.labels, test.points, test.labels)
    started = time.perf_counter()
    try:
        _train_with_progress(trainer, document.training.steps, show=sys.stderr.isatty())
    except TrainingError as error:  # the document holds the last finite params: keep them
        if not args.save:
            raise
        fileformat.save(document, args.save)
        raise CommandError(f"{error}, in {args.save}") from None
    seconds = time.perf_counter() - started
    report = _training_report(trainer, train, test, seconds)
    if args.save:
        fileformat.save(document, args.save)
    if args.json:
        print(json.dumps(report, allow_nan=False))
    else:
        print(_training_summary(args.file, document, report, len(train), len(test)))
        if args.save:
            print(f"saved the trained graph to {args.save}")
    return EXIT_OK


def _train_with_progress(trainer: Trainer, steps: int, show: bool) -> None:
    """Run `steps` steps; on a terminal, redraw a one-line progress bar on stderr about 10 times
    a second (the chunk of steps between redraws adapts to the speed)."""
    if not show:
        trainer.run_steps(steps)
        return
    done, chunk = 0, 1
    try:
        while done < steps:
            began = time.perf_counter()
            count = min(chunk, steps - done)
            trainer.run_steps(count)
            done += count
            chunk = max(1, int(count * 0.1 / max(time.perf_counter() - began, 1e-6)))
            filled = 30 * done // steps
            print(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{steps} steps, "
                  f"loss {trainer.metrics.train_loss:.4g}", end="", file=sys.stderr, flush=True)
    finally:
        print(file=sys.stderr)


def _training_report(trainer: Trainer, train, test, seconds: float) -> dict:
    """The final params' loss and accuracy on both sets, and how the run went."""
    report = {}
    for name, points in (("train", train), ("test", test)):
        loss = accuracy = None
        if len(points):
            loss, accuracy = trainer.evaluate(points.points[:, 0], points.points[:, 1], points.labels)
        report[f"{name}_loss"] = finite_or_none(loss)
        report[f"{name}_accuracy"] = accuracy
    metrics = trainer.metrics
    report.update(steps=metrics.steps, epochs=metrics.epochs, learning_rate=metrics.learning_rate,
                  samples_per_second=round(metrics.samples_per_second, 1), seconds=round(seconds, 3))
    return report


def _training_summary(file: str, document: Document, report: dict, train_count: int,
                      test_count: int) -> str:
    settings = document.training
    lines = [f"trained {file}: {report['steps']} steps ({report['epochs']} epochs) of "
             f"{settings.optimizer}, learning rate {settings.learning_rate:g}, batch {settings.batch_size}, "
             f"on {document.dataset.name} ({train_count} training / {test_count} test points) "
             f"in {report['seconds']:.2f} s, {report['samples_per_second']:.0f} samples/s"]
    for name in ("train", "test"):
        loss, accuracy = report[f"{name}_loss"], report[f"{name}_accuracy"]
        if loss is None and accuracy is None:
            continue
        loss_text = "not finite" if loss is None else plain(loss, ".4g")
        accuracy_text = "" if accuracy is None else f", accuracy {100 * accuracy:.1f}%"
        lines.append(f"  {name + ':':6} loss {loss_text}{accuracy_text}")
    return "\n".join(lines)


# --- export ------------------------------------------------------------------------------------


def _add_export_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "export", help="write the graph as a standalone Python or PyTorch script",
        description="Write a script that computes every node's value and gradient without mlgarden: "
                    "`python` needs only the standard library (and can train with SGD on a CSV file), "
                    "`torch` defines a torch.nn.Module. `python OUT.py --json` prints what "
                    "`mlgarden eval FILE --json` prints.")
    parser.add_argument("file", help="a graph file (.yaml)")
    parser.add_argument("--to", required=True, choices=EXPORT_KINDS, help="the kind of script")
    parser.add_argument("-o", "--out", metavar="OUT.py", help="the script to write (default: print it)")
    parser.set_defaults(run=_run_export)


def _run_export(args) -> int:
    document = _load(args.file)
    text = export_script(document, args.to, Path(args.file).stem)
    if args.out is None:
        sys.stdout.write(text)
        return EXIT_OK
    try:
        Path(args.out).write_text(text, encoding="utf-8")
    except OSError as error:
        raise CommandError(f"{args.out}: could not write the script ({error.strerror or error})") from None
    print(f"wrote {args.out}")
    return EXIT_OK


# --- render ------------------------------------------------------------------------------------


def _add_render_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "render", help="draw the decision surface and the data points as a PNG",
        description="Draw the result node over the dataset's area (blue at -1, white at 0, red at "
                    "+1) with the data points on it: training points filled, test points with a "
                    "white centre.")
    parser.add_argument("file", help="a graph file (.yaml) or an example's name")
    _add_dataset_arguments(parser)
    parser.add_argument("--out", required=True, metavar="PNG", help="the picture to write")
    parser.add_argument("--size", type=_whole_in(8, MAX_RENDER_SIZE), default=256,
                        help="width and height in pixels (default 256)")
    parser.set_defaults(run=_run_render)


def _run_render(args) -> int:
    if _same_file(args.out, shipped.resolve(args.file)):
        raise CommandError(f"{args.out}: is the graph being drawn; the picture needs another name "
                           f"(--out surface.png)")
    document = _load(args.file)
    full, train, test = _dataset_for(document, args)
    program = document.program()
    bounds = full.bounds(SURFACE_MARGIN)
    values = decision_values(program, document.leaf_values(program), bounds, args.size)
    if values is None:
        raise GraphError("the graph has no result node that can be computed, so there is no surface to draw")
    image = png.as_bytes(colours(values))[..., :3].copy()
    png.draw_points(image, bounds, train.points, train.labels)
    png.draw_points(image, bounds, test.points, test.labels, hollow=True)
    try:
        png.write(args.out, image)
    except OSError as error:
        raise CommandError(f"{args.out}: could not write the picture ({error.strerror or error})") from None
    print(f"wrote {args.out}")  # as export says: a silent success left the user unsure
    return EXIT_OK


# --- gradcheck ---------------------------------------------------------------------------------


def _add_gradcheck_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "gradcheck", help="compare every param's gradient with a finite difference",
        description="Check the engine's gradient of the loss for every param against a central "
                    "finite difference, at one data point and, with --batch, on the first points "
                    "of the file's dataset. Params whose nudges cross a kink (relu or abs at 0, "
                    "...) are reported as kinks, not as failures.")
    parser.add_argument("file", help="a graph file (.yaml)")
    parser.add_argument("--x", type=float, default=0.0, help="the point's x (default 0)")
    parser.add_argument("--y", type=float, default=0.0, help="the point's y (default 0)")
    parser.add_argument("--label", type=float, default=1.0, help="the point's label (default 1)")
    parser.add_argument("--batch", type=_whole_in(1), metavar="N",
                        help="also check the mean loss over the first N points of the dataset")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a summary")
    parser.set_defaults(run=_run_gradcheck)


def _run_gradcheck(args) -> int:
    document = _load(args.file)
    checks = [gradcheck.check_at_point(document, args.x, args.y, args.label)]
    if args.batch:
        full, _, _ = _dataset_for(document, argparse.Namespace(file=args.file, dataset=None,
                                                                points=None, noise=None, seed=None))
        count = min(args.batch, len(full.labels))
        checks.append(gradcheck.check_on_batch(document, full.points[:count, 0], full.points[:count, 1],
                                               full.labels[:count]))
    if args.json:
        report = checks[0].as_json()
        if len(checks) > 1:
            report["batch"] = checks[1].as_json()
        print(json.dumps(report, allow_nan=False))
    else:
        print("\n".join(line for check in checks for line in check.summary_lines()))
    return EXIT_OK if all(check.passed for check in checks) else EXIT_CHECK_FAILED


def _same_file(first: str, second: str) -> bool:
    """Whether two paths name one file (through links, and however they are spelled)."""
    try:
        return os.path.samefile(first, second)
    except OSError:  # one of them does not exist yet
        return os.path.realpath(first) == os.path.realpath(second)
