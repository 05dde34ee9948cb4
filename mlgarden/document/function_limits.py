"""How big a graph becomes when its functions are expanded, measured before anything expands.

The engine computes the flat graph in which every call is replaced by its function's body
(functions.flat_specs). A few kilobytes of functions can stand for an enormous flat graph: twenty
functions that each call the one before twice expand to a million nodes, and a thousand functions
nested one in the next make every recursive walk over them fail. So the limits apply to the
*expanded* graph, and they are measured on the definitions alone, one pass over each body with
the callees' measures reused (never by expanding):

- the size of a function is the flat nodes one instance of it becomes: its body's nodes, an input
  pin counting nothing and a call counting its callee's size;
- its depth is 1 for a body without calls, else 1 + the deepest function it calls.

The graph may expand to at most MAX_EXPANDED_NODES nodes (the file format's node limit, so a file
cannot hide more nodes in functions than it could list) and nest calls at most MAX_CALL_DEPTH
deep. The measures assume no function uses itself (functions.find_recursion is checked first).
"""

from __future__ import annotations

from mlgarden.document.graph import Node

MAX_EXPANDED_NODES = 20_000
MAX_CALL_DEPTH = 32

Problem = tuple[str | None, str | None, str]  # (function at fault or None, call node id or None, message)


def expansion_problem(functions: dict, nodes: dict[str, Node]) -> Problem | None:
    """The first limit the graph (`nodes`, with `functions`) breaks when expanded, or None."""
    order = _callees_first(functions)
    size, depth = _measures(functions, order)
    for name in order:  # the innermost function at fault first: the one to fix
        if depth[name] > MAX_CALL_DEPTH:
            return name, None, (f"function {name!r} nests functions {depth[name]} deep; mlgarden "
                                f"expands at most {MAX_CALL_DEPTH} levels of functions in functions")
    for name in order:
        if size[name] > MAX_EXPANDED_NODES:
            return name, None, (f"function {name!r} expands to {size[name]} nodes; a graph may "
                                f"expand to at most {MAX_EXPANDED_NODES}")
    total = sum(_size_of(node, functions, size) for node in nodes.values())
    if total > MAX_EXPANDED_NODES:
        calls = [node for node in nodes.values() if _calls(node, functions)]
        biggest = max(calls, key=lambda node: size[node.function]).id if calls else None
        return None, biggest, (f"the graph expands to {total} nodes with its functions; a graph may "
                               f"expand to at most {MAX_EXPANDED_NODES}")
    return None


def _calls(node: Node, functions: dict) -> bool:
    return node.op == "call" and isinstance(node.function, str) and node.function in functions


def _size_of(node: Node, functions: dict, size: dict[str, int]) -> int:
    if node.op == "input":
        return 0
    return size[node.function] if _calls(node, functions) else 1


def _measures(functions: dict, order: list[str]) -> tuple[dict[str, int], dict[str, int]]:
    size: dict[str, int] = {}
    depth: dict[str, int] = {}
    for name in order:
        body = functions[name].nodes.values()
        size[name] = sum(_size_of(node, functions, size) for node in body)
        depth[name] = 1 + max((depth[node.function] for node in body if _calls(node, functions)),
                              default=0)
    return size, depth


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
