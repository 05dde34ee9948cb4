"""How big a graph becomes when its functions are expanded, measured before anything expands.

The engine computes the flat graph in which every call is replaced by its function's body
(functions.flat_specs). A few kilobytes of functions can stand for an enormous flat graph: twenty
functions that each call the one before twice expand to a million nodes, and a thousand functions
nested one in the next make every recursive walk over them fail. So the limits apply to the
*expanded* graph, and they are measured on the definitions alone, one pass over each body with
the callees' measures reused (never by expanding):

- the size of a function is the flat nodes one instance of it becomes: its body's nodes, an input
  pin counting nothing and a call counting its callee's size; its links likewise, the inputs its
  body's nodes read (a sum of 5000 inputs, 5000 links);
- its depth is 1 for a body without calls, else 1 + the deepest function it calls.

The graph may expand to at most MAX_EXPANDED_NODES nodes (the file format's node limit, so a file
cannot hide more nodes in functions than it could list) and MAX_EXPANDED_LINKS links (compiling
costs about 80 µs a link: a 1.4 MB sum of 300000 inputs took 25 s and 1 GB), and nest calls at
most MAX_CALL_DEPTH deep. The measures assume no function uses itself (functions.find_recursion
is checked first).
"""

from __future__ import annotations

from mlgarden.document.nodes import Node

MAX_EXPANDED_NODES = 20_000
MAX_EXPANDED_LINKS = 100_000  # inputs read; a sum of thousands of inputs still fits
MAX_CALL_DEPTH = 32

Problem = tuple[str | None, str | None, str]  # (function at fault or None, node id or None, message)


def expansion_problem(functions: dict, nodes: dict[str, Node]) -> Problem | None:
    """The first limit the graph (`nodes`, with `functions`) breaks when expanded, or None."""
    order = _callees_first(functions)
    depth = _depths(functions, order)
    for name in order:  # the innermost function at fault first: the one to fix
        if depth[name] > MAX_CALL_DEPTH:
            return name, None, (f"function {name!r} nests functions {depth[name]} deep; mlgarden "
                                f"expands at most {MAX_CALL_DEPTH} levels of functions in functions")
    for noun, own, limit in (("nodes", _own_node, MAX_EXPANDED_NODES),
                             ("links", _own_links, MAX_EXPANDED_LINKS)):
        measure = _measure(functions, order, own)
        for name in order:
            if measure[name] > limit:
                return name, None, (f"function {name!r} expands to {measure[name]} {noun}; a graph "
                                    f"may expand to at most {limit}")
        parts = {node.id: _of(node, functions, measure, own) for node in nodes.values()}
        total = sum(parts.values())
        if total > limit:
            biggest = max(parts, key=parts.get)
            counted = "expands to" if functions else "has"
            return None, biggest, (f"the graph {counted} {total} {noun}"
                                   f"{' with its functions' if functions else ''}; a graph may "
                                   f"{'expand to' if functions else 'have'} at most {limit}")
    return None


def _calls(node: Node, functions: dict) -> bool:
    return node.op == "call" and isinstance(node.function, str) and node.function in functions


def _own_node(node: Node) -> int:
    return 0 if node.op == "input" else 1


def _own_links(node: Node) -> int:
    return len(node.inputs) if isinstance(node.inputs, list) else 0


def _of(node: Node, functions: dict, measure: dict[str, int], own) -> int:
    """A node's share of the expanded graph: a call's is its function's, any other its own."""
    return measure[node.function] if _calls(node, functions) else own(node)


def _measure(functions: dict, order: list[str], own) -> dict[str, int]:
    measure: dict[str, int] = {}
    for name in order:
        measure[name] = sum(_of(node, functions, measure, own) for node in functions[name].nodes.values())
    return measure


def _depths(functions: dict, order: list[str]) -> dict[str, int]:
    depth: dict[str, int] = {}
    for name in order:
        body = functions[name].nodes.values()
        depth[name] = 1 + max((depth[node.function] for node in body if _calls(node, functions)),
                              default=0)
    return depth


def _callees_first(functions: dict) -> list[str]:
    """Every function after all the functions it calls (an iterative depth-first walk)."""
    order: list[str] = []
    placed: set[str] = set()
    for root in functions:
        if root in placed:
            continue
        stack = [(root, iter(_callees(functions, root)))]
        placed.add(root)
        while stack:
            name, callees = stack[-1]
            for callee in callees:
                if callee not in placed:
                    placed.add(callee)
                    stack.append((callee, iter(_callees(functions, callee))))
                    break
            else:
                stack.pop()
                order.append(name)
    return order


def _callees(functions: dict, name: str) -> list[str]:
    return [node.function for node in functions[name].nodes.values() if _calls(node, functions)]
