"""How deeply lists and mappings nest in a YAML text, measured on the text before YAML reads it.

A graph file needs about 6 levels; fileformat refuses more than MAX_NESTING (100) with its own
message. The YAML libraries have limits of their own that they reach first on a deep enough
text: libyaml refuses 1000 levels with "exceeded maximum nesting depth", and the pure-Python
parser recurses until Python's RecursionError. So the nesting is measured here, on the raw
text, in one cheap pass, and the user always reads mlgarden's words.

Quoted scalars ('...' or "..." on one line, opened where a scalar may start) and comments are
text, not structure: they are set aside first. Then, at each point of the text, the measure adds
- flow levels: `[` and `{` open one, `]` and `}` close one;
- block levels, on each line outside flow brackets: one per indentation step above the line
  (the stack of shallower indents leading to it), plus the line's own level (unless it opens a
  flow collection), or one per compact `- ` or `? ` entry that starts it (`- - - x` nests
  three sequences). The content of a literal or folded block scalar (`|`, `>`) is skipped.

It is a close estimate, never a parse: a sequence written at its key's own indentation adds a
level YAML sees and this measure does not. Whatever it misses, the check of the composed tree in
fileformat still catches; what it must catch is the depth the libraries refuse (hundreds).
A quick bound comes first (every indentation width, one compact entry and the deepest brackets,
added up); only a text whose bound passes the limit is measured line by line,
and a line is walked bracket by bracket only when it could pass it.
"""

from __future__ import annotations

import math
import re

import numpy as np

# A quote opens a quoted scalar only where a scalar may begin: after a space, a bracket, a
# comma or a colon, or at the start of the text.
# (Each branch starts with its own character, so the search skips ahead quickly.)
_TEXT = re.compile(r"""
      '(?<![^\s\[{,:]')(?:[^'\n]|'')*'      # a single-quoted scalar ('' is a quote inside it)
    | "(?<![^\s\[{,:]")(?:[^"\\\n]|\\.)*"   # a double-quoted scalar
    | \#(?<!\S\#)[^\n]*                       # a comment
""", re.VERBOSE)
_TWO_ENTRIES = re.compile(r"[-?][ ]+[-?][ ]")  # `- - x`: the quick bound leaves such texts alone
_COMPACT_ENTRIES = re.compile(r"[ ]*((?:[-?][ ]+)*)")
_BLOCK_SCALAR_HEADER = re.compile(r"[|>][-+0-9]*[ ]*$")


def first_too_deep(text: str, limit: int) -> int | None:
    """The 1-based line where lists and mappings first nest more than `limit` deep, or None."""
    structure = _TEXT.sub("", text)
    if _at_most(structure) <= limit:
        return None
    indents: list[int] = []
    flow_depth = 0
    scalar_indent: int | None = None  # inside a block scalar: its header line's indentation
    for number, line in enumerate(structure.split("\n"), start=1):
        content = line.strip()
        if not content:
            continue
        indent = len(line) - len(line.lstrip(" "))
        if scalar_indent is not None:
            if indent > scalar_indent:
                continue
            scalar_indent = None
        block_depth = 0
        if flow_depth <= 0:
            block_depth = _block_depth(line, indent, indents)
        opens = line.count("[") + line.count("{")
        if block_depth + flow_depth + opens > limit and _passes(line, block_depth + flow_depth, limit):
            return number
        flow_depth += opens - line.count("]") - line.count("}")
        if flow_depth <= 0 and _BLOCK_SCALAR_HEADER.search(line):
            scalar_indent = indent
    return None


def _at_most(structure: str) -> float:
    """A bound on the measure, quick to take: every indentation width, one compact entry and the
    deepest brackets, added up (an ordinary file stops here)."""
    if _TWO_ENTRIES.search(structure):
        return math.inf
    indent_widths = {len(line) - len(line.lstrip(" ")) for line in structure.split("\n")}
    code = np.frombuffer(structure.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    steps = ((code == ord("[")) | (code == ord("{"))).astype(np.int32)
    steps -= (code == ord("]")) | (code == ord("}"))
    flow = int(np.cumsum(steps).max(initial=0))
    return len(indent_widths) + 1 + flow


def _block_depth(line: str, indent: int, indents: list[int]) -> int:
    """The block level of a line outside flow brackets; `indents` is the stack leading to it."""
    while indents and indents[-1] >= indent:
        indents.pop()
    indents.append(indent)
    start = _COMPACT_ENTRIES.match(line)
    compact = start.group(1).count("-") + start.group(1).count("?")
    opens_flow = line[start.end():start.end() + 1] in ("[", "{")
    return len(indents) - 1 + (compact if opens_flow else max(compact, 1))


def _passes(line: str, depth: int, limit: int) -> bool:
    """Whether walking the line's brackets from `depth` ever goes past `limit`."""
    if depth > limit:
        return True
    for character in line:
        if character in "[{":
            depth += 1
            if depth > limit:
                return True
        elif character in "]}":
            depth -= 1
    return False
