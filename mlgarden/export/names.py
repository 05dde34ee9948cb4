"""Python identifiers for node ids, unique within one generated script.

A node id may hold `.`, `-`, and a flat id `/` and `::` (`f1/w1`, `perceptron::b`); ids may also
be Python keywords or the names of builtins and of the script's own helpers. `identifier` keeps
the letters, digits and underscores and replaces everything else by `_`; `NameTable` adds a
suffix until the name is free, so two ids never share a name and no id shadows a helper.
"""

from __future__ import annotations

import builtins
import keyword
import re

_NOT_IDENTIFIER = re.compile(r"[^A-Za-z0-9_]")
PYTHON_RESERVED = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset(dir(builtins))


def identifier(text: str) -> str:
    """`text` with every character outside [A-Za-z0-9_] replaced by `_`, never starting with a digit."""
    name = _NOT_IDENTIFIER.sub("_", text) or "_"
    return f"n_{name}" if name[0].isdigit() else name


class NameTable:
    """Hands out unique identifiers, none of them reserved."""

    def __init__(self, reserved=()):
        self._taken = set(PYTHON_RESERVED) | set(reserved)

    def take(self, text: str, prefix: str = "") -> str:
        base = prefix + identifier(text)
        name, count = base, 1
        while name in self._taken:
            count += 1
            name = f"{base}_{count}"
        self._taken.add(name)
        return name
