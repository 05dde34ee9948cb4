"""Copy, cut, paste and duplicate: a selection of nodes with the links among them.

A *fragment* is a deep copy of some nodes. Links from inside the selection to inside it are kept;
links that came from outside are cut (the pin becomes free, or, for a `sum`, the pin goes away),
because the pasted copy cannot know what should feed it. Pasting gives every node a fresh id made
from its old one (`w3` may become `w7`) and shifts the group so its top-left node lands where the
user pastes. The result and loss roles are not copied.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

from mlgarden.graph import Document, GraphError, Node
from mlgarden.layout import topological_order
from mlgarden.ops import OPS


@dataclass(frozen=True)
class Fragment:
    nodes: tuple[Node, ...]

    def __bool__(self) -> bool:
        return bool(self.nodes)


def copy_fragment(document: Document, node_ids) -> Fragment:
    """The chosen nodes, in dependency order, with links from outside the selection cut."""
    chosen = set(node_ids)
    for node_id in chosen:
        document.node(node_id)
    nodes = []
    for node_id in topological_order(document, chosen):
        node = copy.deepcopy(document.nodes[node_id])
        if OPS[node.op].is_variadic:
            node.inputs = [s for s in node.inputs if s in chosen]
        else:
            node.inputs = [s if s in chosen else None for s in node.inputs]
        nodes.append(node)
    return Fragment(tuple(nodes))


def paste_fragment(document: Document, fragment: Fragment, at: tuple[float, float]) -> list[str]:
    """Add a copy of the fragment with fresh ids, its top-left corner at `at`; return the new ids."""
    if not fragment:
        raise GraphError("there is nothing to paste")
    left = min(node.pos[0] for node in fragment.nodes)
    top = min(node.pos[1] for node in fragment.nodes)
    new_ids: dict[str, str] = {}
    for node in fragment.nodes:
        new_id = document.fresh_id(re.sub(r"\d+$", "", node.id) or node.op)
        new_ids[node.id] = new_id
        document.add_node(
            node.op, new_id, pos=(at[0] + node.pos[0] - left, at[1] + node.pos[1] - top),
            value=node.value, label=node.label, trainable=node.trainable, exponent=node.exponent,
            inputs=[new_ids[s] if s is not None else None for s in node.inputs],
        )
    return list(new_ids.values())
