"""Tests for mlgarden.engine.ops through the engine: every op's derivatives, kinks and numeric edges.

Each op runs in a tiny graph (params or data inputs feeding the op, the op as the loss) in both
routes: `evaluate_point` over Python floats and `evaluate_batch` / `batch_grads` over numpy arrays.
The oracle is a finite difference of the route's own forward pass, never its backward code.
"""

import ast
import itertools
import math
import string
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import (
    batch_node_grads,
    batch_of_one,
    batch_value,
    close,
    five_point_derivative,
    op_program,
    replaced,
    same_number,
    step_for,
)
from mlgarden.engine.program import NodeSpec, compile_graph
from mlgarden.engine.ops import (
    ARRAY_FUNCTIONS,
    CATEGORIES,
    FUNCTION_CATEGORIES,
    OPS,
    SCALAR_FUNCTIONS,
    ops_in_category,
)

FAST = settings(max_examples=30, deadline=None)


def span(low, high):
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


def signed(low, high):
    """A number whose magnitude is in [low, high], of either sign: away from a kink at 0."""
    return st.tuples(st.sampled_from((-1.0, 1.0)), span(low, high)).map(lambda pair: pair[0] * pair[1])


WIDE = span(-10.0, 10.0)
POSITIVE = span(0.05, 20.0)
NONZERO = signed(0.2, 10.0)
NEGATIVE_BASE = st.tuples(span(-5.0, -0.2))


def apart(strategy_of_offset):
    """Two inputs at least 0.05 apart (min and max have a kink where they tie)."""
    return st.tuples(WIDE, strategy_of_offset).map(lambda pair: (pair[0], pair[0] + pair[1]))


@dataclass(frozen=True)
class Case:
    op: str
    inputs: st.SearchStrategy  # tuples of floats, one per input pin, in a smooth domain
    exponent: float = 2.0
    arity: int | None = None  # for `sum`; others take their op's arity

    @property
    def pins(self) -> int:
        return self.arity or OPS[self.op].arity

    def __str__(self):
        if self.op == "pow":
            return f"pow{self.exponent:g}" + ("" if self.inputs is not NEGATIVE_BASE else "-negative-base")
        return self.op if self.op != "sum" else f"sum{self.arity}"


def _tuples(*strategies):
    return st.tuples(*strategies)


CASES = [
    Case("add", _tuples(WIDE, WIDE)),
    Case("sub", _tuples(WIDE, WIDE)),
    Case("mul", _tuples(WIDE, WIDE)),
    Case("div", _tuples(WIDE, NONZERO)),
    Case("neg", _tuples(WIDE)),
    Case("square", _tuples(WIDE)),
    Case("sqrt", _tuples(POSITIVE)),
    Case("abs", _tuples(signed(0.05, 10.0))),
    Case("exp", _tuples(WIDE)),
    Case("log", _tuples(POSITIVE)),
    Case("sin", _tuples(WIDE)),
    Case("cos", _tuples(WIDE)),
    Case("min", apart(signed(0.05, 5.0))),
    Case("max", apart(signed(0.05, 5.0))),
    Case("tanh", _tuples(WIDE)),
    Case("relu", _tuples(signed(0.05, 10.0))),
    Case("sigmoid", _tuples(WIDE)),
    Case("squared_error", _tuples(WIDE, WIDE)),
    Case("hinge", _tuples(WIDE, WIDE).filter(lambda pt: abs(1.0 - pt[0] * pt[1]) > 0.05)),
    Case("bce", _tuples(span(-20.0, 20.0), span(-2.0, 2.0))),
    Case("output", _tuples(WIDE)),
    *[Case("pow", _tuples(span(0.2, 5.0)), exponent)
      for exponent in (2.0, 3.0, 0.5, -1.0, 0.0, 1.0, 1.5, -2.5)],
    *[Case("pow", NEGATIVE_BASE, exponent) for exponent in (2.0, 3.0, -1.0)],
    *[Case("sum", _tuples(*[WIDE] * arity), arity=arity) for arity in (1, 2, 3, 5)],
]


COMPUTED_OPS = sorted(op.name for op in OPS.values() if not op.is_leaf and not op.expanded)


def test_cases_cover_every_op_that_computes():
    assert {case.op for case in CASES} == set(COMPUTED_OPS)


@lru_cache(maxsize=None)
def param_program(op, arity, exponent):
    return op_program(op, ("param",) * arity, exponent)


@lru_cache(maxsize=None)
def data_program(op, arity, exponent):
    return op_program(op, ("x", "y", "label")[:arity], exponent)


def tolerance_check(actual, expected, what):
    assert close(actual, expected), f"{what}: backprop {actual!r}, finite difference {expected!r}"


@pytest.mark.parametrize("case", CASES, ids=str)
@FAST
@given(data=st.data())
def test_derivatives_match_finite_differences_in_point_and_batch_routes(case, data):
    inputs = list(data.draw(case.inputs))
    program = param_program(case.op, len(inputs), case.exponent)
    point = program.evaluate_point(inputs)
    batch = batch_of_one(program, inputs)
    node_grads = batch_node_grads(program, inputs)
    assert same_number(batch.loss, point.loss, 1e-13, 1e-300)
    for k, value in enumerate(inputs):
        node = f"in{k}"
        point_fd = five_point_derivative(lambda v: program.evaluate_point(replaced(inputs, k, v)).loss, value)
        batch_fd = five_point_derivative(lambda v: batch_of_one(program, replaced(inputs, k, v)).loss, value)
        tolerance_check(point.grads[node], point_fd, f"{case} point route, input {k} at {inputs}")
        tolerance_check(batch.leaf_grads[program.leaf_index[node]], batch_fd,
                        f"{case} batch route, input {k} at {inputs}")
        tolerance_check(node_grads[node], batch_fd, f"{case} batch_grads, input {k} at {inputs}")
    assert point.grads["out"] == 1.0 and node_grads["out"] == 1.0


DATA_CASES = [case for case in CASES if case.pins <= 3]


@pytest.mark.parametrize("case", DATA_CASES, ids=str)
@FAST
@given(data=st.data())
def test_batch_route_over_data_inputs_gives_the_mean_of_the_point_derivatives(case, data):
    """The op reads x, y, label over a batch; d(mean loss)/d(point i's input) is found by moving
    only point i, so their sum is the mean over the batch of the per-point derivatives."""
    points = data.draw(st.lists(case.inputs, min_size=1, max_size=6))
    arity = len(points[0])
    program = data_program(case.op, arity, case.exponent)
    columns = [np.array([p[k] for p in points]) for k in range(arity)]
    columns += [np.zeros(len(points))] * (3 - arity)
    grads = program.batch_grads(np.array([]), *columns)
    evaluation = program.evaluate_batch(np.array([]), *columns)
    point_losses = [program.evaluate_point([], *(c[i] for c in columns)).loss for i in range(len(points))]
    assert close(evaluation.loss, float(np.mean(point_losses)), rel=1e-12, abs_=1e-12)

    def mean_loss_moving(k, i, value):
        moved = [column.copy() for column in columns]
        moved[k][i] = value
        return program.evaluate_batch(np.array([]), *moved).loss

    for k in range(arity):
        per_point = [
            five_point_derivative(lambda v: mean_loss_moving(k, i, v), columns[k][i], step_for(columns[k][i]))
            for i in range(len(points))
        ]
        expected = math.fsum(per_point)
        scale = math.fsum(abs(d) for d in per_point)
        assert math.isclose(grads[f"in{k}"], expected, rel_tol=0, abs_tol=1e-6 * scale + 1e-7), (
            f"{case} input {k}: batch gradient {grads[f'in{k}']!r}, finite differences {per_point}")


# --- kinks follow PyTorch -----------------------------------------------------------------------


def both_routes(op, inputs, exponent=2.0):
    """(value, grads) from the point route and from the batch route, asserted to agree.

    numpy and Python's math may differ in the last bit (np.tanh vs math.tanh), and 1 - tanh² of a
    saturated tanh magnifies that bit; hence a tiny tolerance, not exact equality.
    """
    program = param_program(op, len(inputs), exponent)
    point = program.evaluate_point(inputs)
    batch = batch_of_one(program, inputs)
    node_grads = batch_node_grads(program, inputs)
    surface = program.surface(inputs, np.zeros(1), np.zeros(1))
    point_grads = [point.grads[f"in{k}"] for k in range(len(inputs))]
    batch_grads = [float(batch.leaf_grads[k]) for k in range(len(inputs))]
    for value in (batch.loss, batch_value(batch, program, "out"), surface[0]):
        assert same_number(value, point.loss, 1e-13, 1e-300), f"{op}{inputs}: {value!r} != {point.loss!r}"
    for k, point_grad in enumerate(point_grads):
        for other in (batch_grads[k], node_grads[f"in{k}"]):
            assert same_number(other, point_grad, 1e-12, 1e-15), \
                f"{op}{inputs} d/d in{k}: {other!r} != {point_grad!r}"
    return point.loss, point_grads


@pytest.mark.parametrize("op, inputs, value, grads", [
    ("relu", [0.0], 0.0, [0.0]),
    ("relu", [-0.0], 0.0, [0.0]),
    ("abs", [0.0], 0.0, [0.0]),
    ("abs", [-0.0], 0.0, [0.0]),
    ("min", [1.5, 1.5], 1.5, [0.5, 0.5]),
    ("max", [-2.0, -2.0], -2.0, [0.5, 0.5]),
    ("min", [0.0, 0.0], 0.0, [0.5, 0.5]),
    ("sqrt", [0.0], 0.0, [math.inf]),
    ("hinge", [1.0, 1.0], 0.0, [0.0, 0.0]),
    ("hinge", [-0.5, -2.0], 0.0, [0.0, 0.0]),
    ("hinge", [0.25, 4.0], 0.0, [0.0, 0.0]),
])
def test_kinks_follow_pytorch_conventions(op, inputs, value, grads):
    actual_value, actual_grads = both_routes(op, inputs)
    assert actual_value == value
    assert actual_grads == grads


@pytest.mark.parametrize("op", ["min", "max"])
def test_min_max_of_one_node_with_itself_passes_the_whole_gradient(op):
    program = compile_graph([NodeSpec("a", "param"), NodeSpec("m", op, ("a", "a"))], loss="m")
    assert program.evaluate_point([3.0]).grads["a"] == 1.0
    assert batch_of_one(program, [3.0]).leaf_grads[0] == 1.0


def test_kink_derivatives_just_beside_the_kink():
    assert both_routes("relu", [1e-300])[1] == [1.0]
    assert both_routes("relu", [-1e-300])[1] == [0.0]
    assert both_routes("abs", [-1e-300])[1] == [-1.0]
    assert both_routes("max", [1.0, math.nextafter(1.0, 2.0)])[1] == [0.0, 1.0]
    assert both_routes("hinge", [math.nextafter(1.0, 0.0), 1.0])[1] == [-1.0, -math.nextafter(1.0, 0.0)]


# --- numeric edges: inf and NaN, never an exception ------------------------------------------------


@pytest.mark.parametrize("op, inputs, exponent, expected", [
    ("log", [0.0], 2.0, -math.inf),
    ("log", [-1.0], 2.0, math.nan),
    ("log", [math.inf], 2.0, math.inf),
    ("sqrt", [-1.0], 2.0, math.nan),
    ("div", [1.0, 0.0], 2.0, math.inf),
    ("div", [-1.0, 0.0], 2.0, -math.inf),
    ("div", [1.0, -0.0], 2.0, -math.inf),
    ("div", [0.0, 0.0], 2.0, math.nan),
    ("div", [1e308, 1e-10], 2.0, math.inf),
    ("exp", [1000.0], 2.0, math.inf),
    ("exp", [-1000.0], 2.0, 0.0),
    ("pow", [-8.0], 0.5, math.nan),
    ("pow", [-1e-10], -40.5, math.nan),
    ("pow", [-10.0], 400.5, math.nan),
    ("pow", [0.0], -1.0, math.inf),
    ("pow", [-0.0], -1.0, -math.inf),
    ("pow", [0.0], -2.0, math.inf),
    ("pow", [10.0], 400.0, math.inf),
    ("pow", [-10.0], 401.0, -math.inf),
    ("pow", [-8.0], 3.0, -512.0),
    ("pow", [-math.inf], 0.5, math.nan),
    ("pow", [-math.inf], 1.5, math.nan),
    ("pow", [-math.inf], 2.0, math.inf),
    ("square", [1e200], 2.0, math.inf),
    ("mul", [1e200, -1e200], 2.0, -math.inf),
    ("sin", [math.inf], 2.0, math.nan),
    ("cos", [-math.inf], 2.0, math.nan),
    ("sin", [math.nan], 2.0, math.nan),
    ("tanh", [math.nan], 2.0, math.nan),
    ("relu", [math.nan], 2.0, math.nan),
    ("max", [math.nan, 1.0], 2.0, math.nan),
    ("min", [1.0, math.nan], 2.0, math.nan),
    ("bce", [math.nan, 1.0], 2.0, math.nan),
    ("bce", [math.inf, 1.0], 2.0, 0.0),
    ("bce", [-math.inf, 1.0], 2.0, math.inf),
])
def test_numeric_edges_give_inf_or_nan_alike_in_both_routes(op, inputs, exponent, expected):
    value, _ = both_routes(op, inputs, exponent)
    assert same_number(value, expected)


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_tanh_saturates_exactly_with_a_zero_finite_gradient(sign):
    value, grads = both_routes("tanh", [sign * 1000.0])
    assert value == sign and grads == [0.0]


@pytest.mark.parametrize("logit", [1000.0, -1000.0, 40.0, -40.0])
def test_sigmoid_of_a_large_input_is_finite_within_zero_and_one(logit):
    value, grads = both_routes("sigmoid", [logit])
    assert 0.0 <= value <= 1.0 and math.isfinite(grads[0]) and grads[0] >= 0.0
    assert value == pytest.approx(0.5 + math.copysign(0.5, logit), abs=1e-17)


@pytest.mark.parametrize("logit", [-9.25, -40.0, -700.0])
def test_sigmoid_keeps_its_relative_precision_far_below_zero(logit):
    """1 / (1 + e^40) is 4.25e-18, not the 0 that 0.5 + 0.5 tanh(-20) rounds to; log of it is finite."""
    value, (grad,) = both_routes("sigmoid", [logit])
    exact = math.exp(logit) / (1.0 + math.exp(logit))
    assert value == pytest.approx(exact, rel=1e-14) and grad == pytest.approx(exact * (1 - exact), rel=1e-12)
    specs = [NodeSpec("z", "param"), NodeSpec("s", "sigmoid", ("z",)), NodeSpec("l", "log", ("s",))]
    program = compile_graph(specs, loss="l")
    point = program.evaluate_point([logit])
    assert point.loss == pytest.approx(logit - math.log1p(math.exp(logit)), rel=1e-14)
    assert point.grads["z"] == pytest.approx(1.0 - exact, rel=1e-12)
    assert batch_of_one(program, [logit]).leaf_grads[0] == pytest.approx(1.0 - exact, rel=1e-12)


def test_bce_with_huge_logits_is_finite_and_right():
    value, (d_logit, d_target) = both_routes("bce", [1000.0, 1.0])
    assert value == pytest.approx(0.0, abs=1e-300) and d_logit == pytest.approx(0.0, abs=1e-300)
    assert d_target == pytest.approx(0.0, abs=1e-300)
    value, (d_logit, d_target) = both_routes("bce", [-1000.0, 1.0])
    assert value == pytest.approx(1000.0, rel=1e-15) and d_logit == pytest.approx(-1.0, rel=1e-15)
    assert d_target == pytest.approx(1000.0, rel=1e-15)
    value, (d_logit, _) = both_routes("bce", [-1000.0, -1.0])
    assert value == pytest.approx(0.0, abs=1e-300) and d_logit == pytest.approx(0.0, abs=1e-300)
    value, (d_logit, _) = both_routes("bce", [0.0, 1.0])
    assert value == pytest.approx(math.log(2.0), rel=1e-15) and d_logit == -0.5


@pytest.mark.parametrize("op, inputs, exponent, grads", [
    ("log", [0.0], 2.0, [math.inf]),
    ("sqrt", [-1.0], 2.0, [math.nan]),
    ("div", [0.0, 0.0], 2.0, [math.inf, math.nan]),
    ("pow", [0.0], -1.0, [-math.inf]),
    ("pow", [0.0], 0.5, [math.inf]),
    ("exp", [1000.0], 2.0, [math.inf]),
    ("sin", [math.inf], 2.0, [math.nan]),
])
def test_gradients_at_numeric_edges_agree_in_both_routes(op, inputs, exponent, grads):
    _, actual = both_routes(op, inputs, exponent)
    assert all(same_number(a, e) for a, e in zip(actual, grads)), actual


SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 3.0, 1e-320, -1e-320, 1e308, -1e308, 709.0, 710.0,
           -745.5, 1000.0, -1000.0, math.inf, -math.inf, math.nan]
EXPONENTS = [2.0, 3.0, 0.5, -1.0, 0.0, -2.5, 1.0, 401.0, 1000.0, -1000.0]


@settings(max_examples=400, deadline=None)
@given(op=st.sampled_from(COMPUTED_OPS),
       inputs=st.lists(st.sampled_from(SPECIAL) | st.floats(), min_size=3, max_size=3),
       exponent=st.sampled_from(EXPONENTS))
def test_no_input_makes_a_route_raise_and_the_routes_agree(op, inputs, exponent):
    arity = OPS[op].arity or 3
    both_routes(op, inputs[:arity], exponent)


@pytest.mark.parametrize("name", sorted(SCALAR_FUNCTIONS))
def test_scalar_and_array_functions_agree_on_special_values(name):
    array_function = ARRAY_FUNCTIONS[name]
    arity = 2 if name in ("div", "power", "minimum", "maximum", "share_of_min", "share_of_max") else 1
    with np.errstate(all="ignore"):
        for args in itertools.product(SPECIAL + EXPONENTS, repeat=arity):
            scalar = SCALAR_FUNCTIONS[name](*args)
            arrays = [np.array([a]) for a in args]
            if name == "power":
                arrays[1] = args[1]  # the engine passes the exponent as a number in the code
            array = array_function(*arrays)[0]
            assert isinstance(scalar, float), f"{name}{args} gave {scalar!r}"
            assert same_number(scalar, array, 1e-15), f"{name}{args}: {scalar!r} != {array!r}"


# --- first_non_finite ----------------------------------------------------------------------------


def test_first_non_finite_names_the_first_bad_node_in_topological_order():
    specs = [
        NodeSpec("late", "sin", ("big",)),  # listed first, computed after `big`
        NodeSpec("w", "param"),
        NodeSpec("big", "exp", ("w",)),
        NodeSpec("fine", "tanh", ("w",)),
        NodeSpec("loss", "add", ("late", "fine")),
    ]
    program = compile_graph(specs, loss="loss")
    point = program.evaluate_point([1000.0])
    assert program.first_non_finite(list(point.values.values())) == "big"
    batch = program.evaluate_batch(np.array([1000.0]), np.zeros(3), np.zeros(3), np.ones(3))
    assert program.first_non_finite(batch.values) == "big"
    assert program.first_non_finite(list(program.evaluate_point([1.0]).values.values())) is None
    assert program.first_non_finite(program.evaluate_batch(np.array([1.0]), np.zeros(2), np.zeros(2),
                                                           np.ones(2)).values) is None


def test_first_non_finite_finds_one_bad_point_of_a_batch():
    program = compile_graph([NodeSpec("x", "x"), NodeSpec("l", "log", ("x",)), NodeSpec("s", "sin", ("l",))],
                            loss="s")
    batch = program.evaluate_batch(np.array([]), np.array([1.0, 2.0, 0.0, 3.0]), np.zeros(4), np.ones(4))
    assert program.first_non_finite(batch.values) == "l"
    assert math.isnan(batch.loss)


# --- the table itself --------------------------------------------------------------------------------


def _template_names(template):
    names = {n.id for n in ast.walk(ast.parse(template.format(a="a", b="b", out="out", exponent="n")))
             if isinstance(n, ast.Name)}
    fields = {f for _, f, _, _ in string.Formatter().parse(template) if f}
    return names - {"a", "b", "out", "n"}, fields


@pytest.mark.parametrize("op", list(OPS.values()), ids=lambda op: op.name)
def test_every_op_entry_is_complete_and_its_templates_call_only_shared_functions(op):
    assert op.category in CATEGORIES + FUNCTION_CATEGORIES and op in ops_in_category(op.category)
    assert op.symbol and op.formula and op.derivative_text
    assert set(SCALAR_FUNCTIONS) == set(ARRAY_FUNCTIONS)
    if op.expanded:  # input and call: the document replaces them, the engine never sees them
        assert not op.forward and not op.derivatives and op.category in FUNCTION_CATEGORIES
        return
    if op.is_leaf:
        assert not op.forward and not op.derivatives
        return
    expected = 1 if op.is_variadic else op.arity
    assert len(op.derivatives) == expected
    if not op.is_variadic:
        assert len(op.pin_names) == op.arity
        assert [op.pin_name(k) for k in range(op.arity)] == list(op.pin_names)
    else:
        assert op.pin_name(0) == "in1"
    for template in (op.forward, *op.derivatives):
        called, fields = _template_names(template)
        unknown = called - set(SCALAR_FUNCTIONS)
        assert not unknown, f"{op.name}: {template!r} calls {unknown}"
        assert fields <= {"a", "b", "out", "exponent"}
        if op.name != "pow":
            assert "exponent" not in fields


def test_loss_ops_name_their_pins_pred_and_target():
    losses = ops_in_category("losses")
    assert {op.name for op in losses} == {"squared_error", "hinge", "bce"}
    assert all(op.is_loss and op.pin_names[1] == "target" for op in losses)
