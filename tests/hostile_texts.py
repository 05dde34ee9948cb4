"""Texts of hostile graph files, shared by the reader's tests and the app's (tests/gui)."""

from __future__ import annotations


def node_with_value(value: str) -> str:
    """A graph whose param's value (line 4) is `value`, written as is."""
    return f"mlgarden: 1\nnodes:\n  - id: w\n    value: {value}\n    op: param\n"


def _function(name: str, body: list[str]) -> list[str]:
    return [f"  {name}:", "    nodes:", "      - {id: i, op: input}", *body]


def nested_functions(depth: int) -> str:
    """f0 passes its input through; f_k calls f_(k-1) once: calls nested `depth` deep."""
    lines = ["mlgarden: 2", "functions:"]
    lines += _function("f0", ["      - {id: o, op: output, inputs: [i]}"])
    for k in range(1, depth):
        lines += _function(f"f{k}", [f"      - {{id: c, op: call, function: f{k - 1}, inputs: [i]}}",
                                     "      - {id: o, op: output, inputs: [c]}"])
    lines += ["nodes:", "  - {id: x, op: x}",
              f"  - {{id: top, op: call, function: f{depth - 1}, inputs: [x]}}", "result: top"]
    return "\n".join(lines) + "\n"


def doubling_functions(depth: int, instances: int = 1) -> str:
    """f_k calls f_(k-1) twice: a few KB that expand to 2**depth nodes."""
    lines = ["mlgarden: 2", "functions:"]
    lines += _function("f0", ["      - {id: o, op: output, inputs: [i]}"])
    for k in range(1, depth):
        lines += _function(f"f{k}", [f"      - {{id: a, op: call, function: f{k - 1}, inputs: [i]}}",
                                     f"      - {{id: b, op: call, function: f{k - 1}, inputs: [a]}}",
                                     "      - {id: o, op: output, inputs: [b]}"])
    lines += ["nodes:", "  - {id: x, op: x}"]
    lines += [f"  - {{id: top{n}, op: call, function: f{depth - 1}, inputs: [x]}}"
              for n in range(instances)]
    return "\n".join(lines) + "\n"


def big_sum(inputs: int, distinct: int = 100) -> str:
    """s = the sum of `inputs` params (p0 ... p99 again and again, each 0.5); loss (s - label)²."""
    lines = ["mlgarden: 1", "nodes:", "  - {id: l, op: label}"]
    lines += [f"  - {{id: p{k}, op: param, value: 0.5}}" for k in range(distinct)]
    summed = ", ".join(f"p{k % distinct}" for k in range(inputs))
    lines.append("  - {id: s, op: sum, inputs: [" + summed + "]}")
    lines += ["  - {id: e, op: squared_error, inputs: [s, l]}", "result: s", "loss: e"]
    return "\n".join(lines) + "\n"


def compact_nodes(size: int | None, count: int | None = None) -> str:
    """Node entries of a few bytes each (`- {id: n7, op: x}`, from line 3), up to `size` bytes
    or `count` nodes."""
    lines, total = ["mlgarden: 1", "nodes:"], 20
    while (size is None or total < size - 40) and (count is None or len(lines) - 2 < count):
        line = f"- {{id: n{len(lines) - 2}, op: x}}"
        lines.append(line)
        total += len(line) + 1
    return "\n".join(lines) + "\n"


def scalar_flood(count: int) -> str:
    """A view holding lists of a thousand numbers, `count` numbers in all, on line 3."""
    lists = ["[" + ", ".join(["1"] * 1000) + "]"] * (count // 1000)
    lists += ["[" + ", ".join(["1"] * (count % 1000)) + "]"] if count % 1000 else []
    return "mlgarden: 1\nnodes: []\nview: {a: [" + ", ".join(lists) + "]}\n"
