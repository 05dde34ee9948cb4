"""Backpropagation, step by step: the engine's arithmetic told one link at a time, with numbers.

The engine computes every gradient in one go. A step-through retells the same computation as the
micrograd lecture does, one sentence per step, so a learner can follow it on the canvas:

- **backward** (`backward_steps`): the loss (with no loss, the result) starts with gradient 1.
  Then each node, in reverse topological order, passes its (by then complete) gradient to each
  of its inputs along one link:
  `grad(h1) += grad(t) * d t/d h1 = 0.31 * (1 - 0.62²) = 0.19`. A node used twice (by two nodes,
  or as both inputs of one `mul`) receives two shares, and its gradient accumulates with `+=`, as
  in micrograd. After the last step every gradient equals the engine's (the tests check this on
  random graphs).
- **forward** (`forward_steps`): each node in topological order, its value from its inputs':
  `h1 = tanh(s1) = tanh(0.72) = 0.62`.

The steps work on the program the engine runs, so **function calls are entered**: a call's body
nodes are steps of their own under flat ids (`f1/h1`, see document/functions.py), and the sentence
names them that way. On the graph's canvas a step inside a call lights up the call node; inside
the function's body (Edit definition) it lights up the body node itself.

The local derivative of each step is computed from the op table's own derivative template over
Python floats (the same text the engine compiles, built only from templates and variable names),
and shown with the numbers filled into a readable formula (`LOCAL_TEXT`). A `Walk` holds the steps
and the position a learner is at, and says which gradients (or values) are known so far.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from mlgarden.document.functions import SHARED_MARK
from mlgarden.document.graph import Document
from mlgarden.engine.ops import OPS, SCALAR_FUNCTIONS
from mlgarden.engine.program import Evaluation, Program

BACKWARD, FORWARD = "backward", "forward"

# How each op's local derivative d out/d input reads, per pin (one entry serves every pin); {a},
# {b}, {out} and {n} (pow's exponent) are replaced by numbers. Ops without an entry show the number.
LOCAL_TEXT: dict[str, tuple[str, ...]] = {
    "add": ("1", "1"), "sub": ("1", "-1"), "mul": ("{b}", "{a}"),
    "div": ("1 / {b}", "-{out} / {b}"), "neg": ("-1",), "pow": ("{n} * {a}^({n} - 1)",),
    "sum": ("1",), "square": ("2 * {a}",), "sqrt": ("1 / (2 * {out})",), "abs": ("sign({a})",),
    "exp": ("{out}",), "log": ("1 / {a}",), "sin": ("cos({a})",), "cos": ("-sin({a})",),
    "tanh": ("(1 - {out}²)",), "sigmoid": ("{out} * (1 - {out})",),
    "squared_error": ("2 * ({a} - {b})", "-2 * ({a} - {b})"), "output": ("1",),
    "bce": ("-{b} * σ(-{b} * {a})", "-{a} * σ(-{b} * {a})"),
}
# How each op's value reads from its inputs; `sum` joins its inputs with " + ".
FORWARD_TEXT: dict[str, str] = {
    "add": "{a} + {b}", "sub": "{a} - {b}", "mul": "{a} * {b}", "div": "{a} / {b}", "neg": "-{a}",
    "pow": "{a}^{n}", "square": "{a}²", "sqrt": "√{a}", "abs": "|{a}|", "exp": "exp({a})",
    "log": "ln({a})", "sin": "sin({a})", "cos": "cos({a})", "min": "min({a}, {b})",
    "max": "max({a}, {b})", "tanh": "tanh({a})", "relu": "relu({a})", "sigmoid": "σ({a})",
    "squared_error": "({a} - {b})²", "hinge": "max(0, 1 - {b} * {a})",
    "bce": "ln(1 + exp(-{b} * {a}))", "output": "{a}",
}
LEAF_TEXT = {"param": "a param", "const": "a const", "x": "the data point's x",
             "y": "the data point's y", "label": "the data point's label"}


class StepError(ValueError):
    """A step-through cannot start (no loss to start from); the message says why."""


@dataclass(frozen=True)
class Step:
    """One step. `node` is the node visited (backward: the one passing its gradient on; forward:
    the one computed); `link` the (source, target) flat ids followed, or None; `receiver` the node
    whose number this step sets; `amount` what it adds (its share of the gradient, or the value)
    and `total` the receiver's number after the step."""

    node: str
    link: tuple[str, str] | None
    receiver: str
    amount: float
    total: float
    sentence: str


def number_text(value: float) -> str:
    """A number as a sentence shows it: three significant digits, negatives in parentheses
    when they stand inside a formula (done by `_filled`)."""
    text = f"{value:.3g}"
    return "0" if text == "-0" else text


def _filled(template: str, **numbers: float) -> str:
    """A formula with numbers in place of its names; a negative number gets parentheses."""
    texts = {}
    for name, value in numbers.items():
        text = number_text(value)
        texts[name] = f"({text})" if text.startswith("-") else text
    return template.format(**texts)


def _local_derivatives() -> dict[tuple[str, int], Callable]:
    """(op, pin) -> a function (a, b, out, exponent) -> d out/d pin, from the op table's templates."""
    functions = {}
    for op in OPS.values():
        for pin, template in enumerate(op.derivatives):
            source = template.format(a="a", b="b", out="out", exponent="exponent")
            functions[(op.name, pin)] = eval(f"lambda a, b, out, exponent: {source}", dict(SCALAR_FUNCTIONS))
    return functions


_LOCAL = _local_derivatives()


def local_derivative(op: str, pin: int, a: float, b: float, out: float, exponent: float) -> float:
    """d out/d input `pin` of one node at these numbers (a variadic op's pins share one rule)."""
    rule = _LOCAL.get((op, pin)) or _LOCAL[(op, 0)]
    return rule(a, b, out, exponent)


def _local_text(op: str, pin: int, a: float, b: float, out: float, exponent: float, local: float) -> str:
    templates = LOCAL_TEXT.get(op)
    if templates is None:
        return number_text(local)
    template = templates[pin] if pin < len(templates) else templates[0]
    return _filled(template, a=a, b=b, out=out, n=exponent)


def backward_steps(program: Program, evaluation: Evaluation,
                   name: Callable[[str], str] = str) -> list[Step]:
    """The steps of backpropagation from the loss (with no loss, from the result, as the engine
    does); `name` turns a flat id into what a sentence calls the node."""
    if program.backprop_from is None:
        raise StepError("the graph has no computable loss (nor result) to start backpropagation from")
    start = program.computed_id(program.backprop_from)
    where = "the loss" if program.loss is not None else "the result (the graph has no loss)"
    values = evaluation.values
    gradients: dict[str, float] = {start: 1.0}
    steps = [Step(start, None, start, 1.0, 1.0,
                  f"grad({name(start)}) = 1: backpropagation starts at {where}")]
    for node_id in reversed(program.order):
        spec = program.specs[node_id]
        if node_id not in program.gradient_path or not spec.inputs:
            continue
        gradient = gradients.get(node_id, 0.0)
        operands = [values[source] for source in spec.inputs]
        a, b = operands[0], operands[1] if len(operands) > 1 else 0.0
        out = values[node_id]
        for pin, source in enumerate(spec.inputs):
            pin_a, pin_b = (operands[pin], 0.0) if OPS[spec.op].is_variadic else (a, b)
            local = local_derivative(spec.op, pin, pin_a, pin_b, out, spec.exponent)
            share = gradient * local
            total = gradients.get(source, 0.0) + share
            gradients[source] = total
            formula = _local_text(spec.op, pin, pin_a, pin_b, out, spec.exponent, local)
            formula = f"({formula})" if formula.startswith("-") else formula
            sentence = (f"grad({name(source)}) += grad({name(node_id)}) * d {name(node_id)}/d "
                        f"{name(source)} = {number_text(gradient)} * {formula} = {number_text(share)}")
            if total != share:
                sentence += f"; grad({name(source)}) is now {number_text(total)}"
            steps.append(Step(node_id, (source, node_id), source, share, total, sentence))
    return steps


def forward_steps(program: Program, evaluation: Evaluation,
                  name: Callable[[str], str] = str) -> list[Step]:
    """The forward pass, one node per step in topological order."""
    values = evaluation.values
    steps = []
    for node_id in program.order:
        spec = program.specs[node_id]
        value = values[node_id]
        if not spec.inputs:
            sentence = f"{name(node_id)} = {number_text(value)} ({LEAF_TEXT.get(spec.op, spec.op)})"
        else:
            sentence = " = ".join([name(node_id), _forward_formula(spec, [name(s) for s in spec.inputs]),
                                   _forward_formula(spec, [values[s] for s in spec.inputs]),
                                   number_text(value)])
        steps.append(Step(node_id, None, node_id, value, value, sentence))
    return steps


def _forward_formula(spec, operands: list) -> str:
    def shown(operand):
        if isinstance(operand, str):
            return operand
        return _filled("{v}", v=operand)

    texts = [shown(operand) for operand in operands]
    if spec.op == "sum":
        return " + ".join(texts)
    return FORWARD_TEXT[spec.op].format(a=texts[0], b=texts[1] if len(texts) > 1 else "",
                                        n=number_text(spec.exponent))


def flat_name(document: Document, flat_id: str) -> str:
    """What a sentence calls a node: its title, under its calls' ids inside a function
    ('f1/h1'), a shared param by 'function::param'."""
    if SHARED_MARK in flat_id:
        return flat_id
    *calls, _ = flat_id.split("/")
    return "/".join(calls + [document.flat_node(flat_id).title])


@dataclass
class Walk:
    """A step-through a learner is taking: its steps and where they are (0 is the first step)."""

    kind: str
    steps: list[Step]
    evaluation: Evaluation
    position: int = 0
    _known: dict[int, dict[str, float]] = field(default_factory=dict, repr=False)

    @property
    def current(self) -> Step:
        return self.steps[self.position]

    def next(self) -> bool:
        """Move on one step; False at the last."""
        if self.position + 1 >= len(self.steps):
            return False
        self.position += 1
        return True

    def back(self) -> bool:
        """Go back one step; False at the first."""
        if self.position == 0:
            return False
        self.position -= 1
        return True

    def known(self) -> Mapping[str, float]:
        """The numbers this walk has set so far: gradients (backward) or values (forward)."""
        if self.position not in self._known:
            numbers: dict[str, float] = {}
            for step in self.steps[:self.position + 1]:
                numbers[step.receiver] = step.total
            self._known[self.position] = numbers
        return self._known[self.position]

    def shown_values(self) -> Mapping[str, float]:
        """The values to show: all of them while backpropagating, those computed so far forward."""
        return self.evaluation.values if self.kind == BACKWARD else self.known()

    def shown_gradients(self) -> Mapping[str, float]:
        """The gradients to show: those accumulated so far backward, none forward."""
        return self.known() if self.kind == BACKWARD else {}

    def progress(self) -> str:
        return f"step {self.position + 1} of {len(self.steps)}"


def start_walk(kind: str, program: Program, evaluation: Evaluation,
               name: Callable[[str], str] = str) -> Walk:
    """A walk of `kind` (BACKWARD or FORWARD) at its first step."""
    make = backward_steps if kind == BACKWARD else forward_steps
    steps = make(program, evaluation, name)
    if not steps:
        raise StepError("the graph has no node that can be computed yet")
    return Walk(kind, steps, evaluation)

