"""Between what the canvas shows and the program's flat ids.

The canvas shows either the graph or one function's body (a *scope*: None, or the function's
name). The engine numbers nodes by flat ids (`f1/w1`, see functions.py). Two questions cross
between them, and both live here so the canvas, the Dataset window and the step-through agree:

- `flat_id_shown(document, scope, reference, instance)`: which number of the program does a node
  shown in this scope stand for? A graph node is itself; a call node is its first output, and
  `call:k` its output k; in a body, a node stands for the same node inside the instance whose
  numbers the canvas shows (call `instance`, by default the graph's first instance of the
  function), an input pin for whatever feeds that pin of the instance, and a shared param for
  its one flat id `function::param`. None when there is no such number (a body whose function
  has no instance in the graph, or an unfed pin).
- `shown_node(document, scope, flat_id, instance)`: which node of the scope draws a flat id? In the graph,
  a node inside a call is drawn by the call; in a body, the shown instance's nodes are drawn by
  the body's nodes and what feeds its pins by the input nodes. None when the scope does not show it.
"""

from __future__ import annotations

from mlgarden.document.functions import SHARED_MARK
from mlgarden.document.graph import Document, split_reference


def shown_instance(document: Document, scope: str, instance: str | None) -> str | None:
    """The call of the graph whose numbers the body of function `scope` shows: `instance` while
    it is an instance of the function, else the graph's first instance; None when it has none."""
    call = document.nodes.get(instance) if instance is not None else None
    if call is not None and call.op == "call" and call.function == scope:
        return call.id  # the common case, asked for every number shown: no search
    instances = document.instances(scope)
    return instances[0] if instances else None


def _instance(document: Document, scope: str, instance: str | None):
    call = shown_instance(document, scope, instance)
    return document.nodes[call] if call is not None else None


def flat_id_shown(document: Document, scope: str | None, reference: str,
                  instance: str | None = None) -> str | None:
    """The flat id of the number that a node of the scope shows (a call: its first output), or
    that output `reference` ('f1:2') of a call shows; None when there is none. In a body the
    numbers are call `instance`'s (by default the first instance's)."""
    node_id, output = split_reference(reference)
    if scope is None:
        if node_id not in document.nodes or output >= document.output_count(node_id):
            return None
        return document.flat_id(reference)
    definition = document.definition(scope)
    node = definition.nodes.get(node_id)
    call = _instance(document, scope, instance)
    if node is None:
        return None
    if node.op == "param" and node.shared:
        return f"{scope}{SHARED_MARK}{node_id}"
    if call is None:
        return None
    if node.op == "input":
        source = dict(zip(definition.input_ids(), call.inputs)).get(node_id)
        return document.flat_id(source) if source is not None else None
    if node.op == "call":
        outputs = document.definition(node.function).output_ids()
        return f"{call.id}/{node_id}/{outputs[output]}" if output < len(outputs) else None
    return f"{call.id}/{node_id}"


def shown_node(document: Document, scope: str | None, flat_id: str,
               instance: str | None = None) -> str | None:
    """The node of the scope that draws `flat_id` (in a body showing call `instance`), or None."""
    if SHARED_MARK in flat_id:
        function, _, param = flat_id.partition(SHARED_MARK)
        return param if function == scope else None
    if scope is None:
        head = flat_id.partition("/")[0]
        return head if head in document.nodes else None
    call = _instance(document, scope, instance)
    if call is None:
        return None
    definition = document.definition(scope)
    prefix = f"{call.id}/"
    if flat_id.startswith(prefix):
        head = flat_id[len(prefix):].partition("/")[0]
        return head if head in definition.nodes else None
    for pin_id, source in zip(definition.input_ids(), call.inputs):
        if source is not None and document.flat_id(source) == flat_id:
            return pin_id
    return None
