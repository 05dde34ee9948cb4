"""The op table: every kind of node mlgarden knows, with its forward rule and local derivatives.

Each node of a graph holds one scalar. An op says how a node's value follows from its inputs
(the *forward* rule) and how much the value moves when one input is nudged (the *local
derivative*, one per input). Backpropagation only multiplies local derivatives along the links,
so these two rules, kept side by side here as in micrograd, are the whole of the mathematics.

Rules are written once, as small expression templates over the names `{a}`, `{b}` (the inputs),
`{out}` (the node's own value) and `{exponent}` (the `pow` op's constant field). The engine turns
them into code twice: over numpy arrays (a batch of data points, or a grid of the decision
surface) and over Python floats (one data point, the fast route of a nudge). The functions a
template may call are defined in both namespaces below, with one error policy: a domain error or an
overflow gives inf or NaN, never an exception, so the caller can find the first node that went
non-finite and say so.

Derivatives at kinks follow PyTorch: relu'(0) = 0, abs'(0) = 0, and min/max split the gradient
evenly between two equal inputs.

Three ops belong to user-defined functions (`mlgarden/functions.py`). `output` marks a value that
leaves a function's body; it is an identity op the engine computes like any other. `input` (a pin
of a body) and `call` (an instance of a function, whose pins come from its definition) are
*expanded*: the document replaces them by the nodes they stand for before compiling, so the engine
never sees them. None of the three is in CATEGORIES, the add-node menu's list: pins are offered
only while a function's body is edited, and calls come from "Insert function".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

LEAF_VALUE_OPS = ("param", "const")
DATA_INPUT_OPS = ("x", "y", "label")


@dataclass(frozen=True)
class Op:
    """One kind of node.

    `arity` is the number of input pins, or None for a variadic op (`sum`) that takes one or more.
    `forward` and `derivatives` are templates (see the module docstring); leaves have neither.
    `formula` and `derivative_text` are what the app shows when the user hovers a node.
    """

    name: str
    category: str
    arity: int | None
    symbol: str
    formula: str
    derivative_text: str
    forward: str = ""
    derivatives: tuple[str, ...] = ()
    pin_names: tuple[str, ...] = ()
    expanded: bool = False  # replaced by the document before compiling (input, call)

    @property
    def is_leaf(self) -> bool:
        return self.arity == 0

    @property
    def is_variadic(self) -> bool:
        """Takes any number of pins (`sum`); a call's pins are fixed by its function instead."""
        return self.arity is None and not self.expanded

    @property
    def is_loss(self) -> bool:
        return self.category == "losses"

    def pin_name(self, index: int) -> str:
        """The pin's name; a call's real pin names are its function's (Document.pin_names)."""
        if self.arity is None:
            return f"in{index + 1}"
        return self.pin_names[index]


def _leaf(name, category, symbol, formula):
    return Op(name, category, 0, symbol, formula, "a leaf: its gradient is the end of the chain")


def _unary(name, category, symbol, forward, derivative, formula, derivative_text):
    return Op(name, category, 1, symbol, formula, derivative_text, forward, (derivative,), ("a",))


def _binary(name, category, symbol, forward, derivatives, formula, derivative_text, pins=("a", "b")):
    return Op(name, category, 2, symbol, formula, derivative_text, forward, derivatives, pins)


_OP_LIST = (
    _leaf("param", "values", "w", "a value that training nudges"),
    _leaf("const", "values", "c", "a fixed value"),
    _leaf("x", "inputs", "x", "the x coordinate of the current data point"),
    _leaf("y", "inputs", "y", "the y coordinate of the current data point"),
    _leaf("label", "inputs", "label", "the label (-1 or +1) of the current data point"),
    _binary("add", "arithmetic", "+", "{a} + {b}", ("1.0", "1.0"),
            "out = a + b", "d out/d a = 1, d out/d b = 1"),
    _binary("sub", "arithmetic", "-", "{a} - {b}", ("1.0", "-1.0"),
            "out = a - b", "d out/d a = 1, d out/d b = -1"),
    _binary("mul", "arithmetic", "*", "{a} * {b}", ("{b}", "{a}"),
            "out = a * b", "d out/d a = b, d out/d b = a"),
    _binary("div", "arithmetic", "/", "div({a}, {b})", ("div(1.0, {b})", "-div({out}, {b})"),
            "out = a / b", "d out/d a = 1 / b, d out/d b = -out / b"),
    _unary("neg", "arithmetic", "-", "-{a}", "-1.0", "out = -a", "d out/d a = -1"),
    _unary("pow", "arithmetic", "^", "power({a}, {exponent})",
           "{exponent} * power({a}, {exponent} - 1.0)",
           "out = a ^ n (n is the node's exponent)", "d out/d a = n * a^(n-1)"),
    Op("sum", "arithmetic", None, "Σ", "out = a1 + a2 + ... + an", "d out/d ai = 1",
       "{a} + {b}", ("1.0",)),
    _unary("square", "arithmetic", "²", "{a} * {a}", "2.0 * {a}", "out = a²", "d out/d a = 2a"),
    _unary("sqrt", "arithmetic", "√", "sqrt({a})", "div(0.5, {out})",
           "out = √a", "d out/d a = 1 / (2 √a)"),
    _unary("abs", "arithmetic", "|a|", "absolute({a})", "sign({a})",
           "out = |a|", "d out/d a = sign(a) (0 at a = 0)"),
    _unary("exp", "functions", "exp", "exp({a})", "{out}", "out = e^a", "d out/d a = e^a = out"),
    _unary("log", "functions", "ln", "log({a})", "div(1.0, {a})", "out = ln a", "d out/d a = 1 / a"),
    _unary("sin", "functions", "sin", "sin({a})", "cos({a})", "out = sin a", "d out/d a = cos a"),
    _unary("cos", "functions", "cos", "cos({a})", "-sin({a})", "out = cos a", "d out/d a = -sin a"),
    _binary("min", "functions", "min", "minimum({a}, {b})",
            ("share_of_min({a}, {b})", "share_of_min({b}, {a})"),
            "out = min(a, b)", "d out/d a = 1 if a < b, 0.5 if a = b, else 0"),
    _binary("max", "functions", "max", "maximum({a}, {b})",
            ("share_of_max({a}, {b})", "share_of_max({b}, {a})"),
            "out = max(a, b)", "d out/d a = 1 if a > b, 0.5 if a = b, else 0"),
    _unary("tanh", "activations", "tanh", "tanh({a})", "1.0 - {out} * {out}",
           "out = tanh a", "d out/d a = 1 - out²"),
    _unary("relu", "activations", "relu", "relu({a})", "step({a})",
           "out = max(a, 0)", "d out/d a = 1 if a > 0, else 0"),
    _unary("sigmoid", "activations", "σ", "sigmoid({a})", "{out} * (1.0 - {out})",
           "out = 1 / (1 + e^-a)", "d out/d a = out (1 - out)"),
    _binary("squared_error", "losses", "(p-t)²", "({a} - {b}) * ({a} - {b})",
            ("2.0 * ({a} - {b})", "-2.0 * ({a} - {b})"),
            "out = (pred - target)²", "d out/d pred = 2 (pred - target), d out/d target = -d out/d pred",
            pins=("pred", "target")),
    _binary("hinge", "losses", "hinge", "relu(1.0 - {b} * {a})",
            ("-{b} * step(1.0 - {b} * {a})", "-{a} * step(1.0 - {b} * {a})"),
            "out = max(0, 1 - target * pred)",
            "d out/d pred = -target if target * pred < 1, else 0", pins=("pred", "target")),
    _binary("bce", "losses", "bce", "softplus(-{b} * {a})",
            ("-{b} * sigmoid(-{b} * {a})", "-{a} * sigmoid(-{b} * {a})"),
            "out = ln(1 + e^(-target * logit))",
            "d out/d logit = -target * σ(-target * logit)", pins=("logit", "target")),
    Op("input", "function pins", 0, "in", "a pin of a function: inside its body it stands for "
       "whatever feeds that pin of the instance", "a leaf of the body: its gradient flows on to "
       "the node feeding the instance's pin", expanded=True),
    _unary("output", "function pins", "out", "{a}", "1.0",
           "out = a: the value leaves the function through this pin", "d out/d a = 1"),
    Op("call", "function calls", None, "f", "out = the function's outputs, computed by its body",
       "gradients flow back through the body to the pins", expanded=True),
)

OPS: dict[str, Op] = {op.name: op for op in _OP_LIST}

CATEGORIES = ("inputs", "values", "arithmetic", "functions", "activations", "losses")
FUNCTION_CATEGORIES = ("function pins", "function calls")  # not offered by the add-node menu


def ops_in_category(category: str) -> list[Op]:
    return [op for op in _OP_LIST if op.category == category]


# --- The functions templates call, over numpy arrays --------------------------------------------
# Callers run these under np.errstate(all="ignore"): numpy then returns inf/NaN silently.


def _array_power(a, exponent):
    """a ** exponent, NaN for any negative base with a non-integer exponent (the exponent is a
    number compiled into the code). numpy alone is not consistent there: it computes ** 0.5 as
    sqrt, so (-inf) ** 0.5 is NaN, while (-inf) ** 1.5 is inf."""
    result = np.power(a, exponent)
    if float(exponent).is_integer():
        return result
    return np.where(a < 0.0, np.nan, result)


def _array_share_of_max(a, b):
    return np.where(a > b, 1.0, np.where(a == b, 0.5, 0.0))


def _array_share_of_min(a, b):
    return np.where(a < b, 1.0, np.where(a == b, 0.5, 0.0))


def _array_softplus(u):
    """ln(1 + e^u) without overflow: max(u, 0) + ln(1 + e^-|u|)."""
    return np.maximum(u, 0.0) + np.log1p(np.exp(-np.abs(u)))


def _array_sigmoid(a):
    """1 / (1 + e^-a) from e^-|a|: it never overflows, and it keeps its relative precision for
    negative a, where 0.5 + 0.5 tanh(a / 2) cancels to exactly 0 below about -37."""
    small = np.exp(-np.abs(a))
    return np.where(a >= 0.0, 1.0 / (1.0 + small), small / (1.0 + small))


ARRAY_FUNCTIONS = {
    "div": np.divide,
    "power": _array_power,
    "sqrt": np.sqrt,
    "absolute": np.abs,
    "sign": np.sign,
    "exp": np.exp,
    "log": np.log,
    "sin": np.sin,
    "cos": np.cos,
    "minimum": np.minimum,
    "maximum": np.maximum,
    "share_of_min": _array_share_of_min,
    "share_of_max": _array_share_of_max,
    "tanh": np.tanh,
    "relu": lambda a: np.maximum(a, 0.0),
    "step": lambda a: np.where(a > 0.0, 1.0, 0.0),
    "sigmoid": _array_sigmoid,
    "softplus": _array_softplus,
}


# --- The same functions over Python floats --------------------------------------------------------
# Python raises where numpy warns (ZeroDivisionError, OverflowError, ValueError from math, a complex
# result from a negative base), so each wrapper turns those into numpy's inf/NaN answer.

INF = math.inf
NAN = math.nan


def _scalar_div(a, b):
    try:
        return a / b
    except ZeroDivisionError:
        if a == 0.0 or a != a:
            return NAN
        return math.copysign(INF, a) * math.copysign(1.0, b)


def _scalar_power(a, exponent):
    if a < 0.0 and not float(exponent).is_integer():
        return NAN  # as in the array route; Python gives a complex number, inf, or overflows
    try:
        result = a**exponent
    except ZeroDivisionError:
        return math.copysign(INF, a) if exponent % 2 == 1 else INF
    except OverflowError:
        return INF if a > 0 or exponent % 2 == 0 else -INF
    return result


def _scalar_sqrt(a):
    return math.sqrt(a) if a >= 0.0 else NAN


def _scalar_exp(a):
    try:
        return math.exp(a)
    except OverflowError:
        return INF


def _scalar_log(a):
    if a > 0.0:
        return math.log(a)
    return -INF if a == 0.0 else NAN


def _scalar_sin(a):
    return math.sin(a) if math.isfinite(a) else NAN


def _scalar_cos(a):
    return math.cos(a) if math.isfinite(a) else NAN


def _scalar_sign(a):
    if a > 0.0:
        return 1.0
    if a < 0.0:
        return -1.0
    return a  # keeps 0.0, -0.0 and NaN as numpy's sign does


def _scalar_minimum(a, b):
    if a != a or b != b:
        return NAN
    return a if a <= b else b


def _scalar_maximum(a, b):
    if a != a or b != b:
        return NAN
    return a if a >= b else b


def _scalar_share_of_min(a, b):
    return 1.0 if a < b else (0.5 if a == b else 0.0)


def _scalar_share_of_max(a, b):
    return 1.0 if a > b else (0.5 if a == b else 0.0)


def _scalar_relu(a):
    return 0.0 if a <= 0.0 else a  # NaN stays NaN, as with np.maximum


def _scalar_step(a):
    return 1.0 if a > 0.0 else 0.0


def _scalar_sigmoid(a):
    if a != a:
        return NAN
    small = math.exp(-abs(a))
    return 1.0 / (1.0 + small) if a >= 0.0 else small / (1.0 + small)


def _scalar_softplus(u):
    if u != u:
        return NAN
    return max(u, 0.0) + math.log1p(math.exp(-abs(u)))


SCALAR_FUNCTIONS = {
    "div": _scalar_div,
    "power": _scalar_power,
    "sqrt": _scalar_sqrt,
    "absolute": abs,
    "sign": _scalar_sign,
    "exp": _scalar_exp,
    "log": _scalar_log,
    "sin": _scalar_sin,
    "cos": _scalar_cos,
    "minimum": _scalar_minimum,
    "maximum": _scalar_maximum,
    "share_of_min": _scalar_share_of_min,
    "share_of_max": _scalar_share_of_max,
    "tanh": math.tanh,
    "relu": _scalar_relu,
    "step": _scalar_step,
    "sigmoid": _scalar_sigmoid,
    "softplus": _scalar_softplus,
}
