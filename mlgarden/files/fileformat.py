"""Graph files: a Document <-> a plain dict <-> YAML text, with a format version.

A graph file is YAML that a person can read and a diff can follow (docs/graph-format.md is the
full description). Its top level holds the format version (`mlgarden: 1`, or `2` when the graph
has functions), an optional description, the functions (each a description and a list of body
nodes), the list of nodes, the result and loss references, the training and dataset settings, and
free-form view state (the app writes the canvas's `origin` and `zoom` there and reads them back
leniently: gui/view.py). Each node is one short mapping whose keys come in a fixed order (NODE_KEYS)
and which holds only the fields that say something: a param's value, a frozen param's
`trainable: false`, a pow's exponent, a call's function and its own param values, the inputs of an
op that has pins, a position other than [0, 0]. Lists are written on one line (`inputs: [a, b]`),
floats with `repr`, so every float reads back to the same bits.

Reading is the careful half, because a file may come from anywhere:

- Only this module imports yaml, and it only ever uses the safe loader: a file can hold text,
  numbers, true/false, null, lists and mappings, nothing that runs code. YAML's other tags,
  anchors and aliases (the stuff of "billion laughs" bombs) and a key given twice are refused.
- Files over 5 MB are refused before parsing, graphs over 20000 nodes before building.
- The file is first *composed* into YAML's node tree, which knows the line of every key and list
  entry; the data is then checked field by field and the graph by the rules of `graph.py`. The
  first problem raises one FileFormatError, a single line naming the file, the line where known,
  the node and the problem: `x.yaml, line 12: node 'h3' reads 'w9', which does not exist`.
- Loading builds a fresh Document and returns it only when all of it is valid: nothing is ever
  half-loaded, and a caller's open document is never touched.

Saving is atomic (mlgarden/atomic.py): the text goes to a temporary file in the target's folder, is
flushed to disk, and only then replaces the target, so a failed save leaves the previous file as it
was; a symlink is written through, permissions are kept, a read-only file is refused.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import os
from typing import NoReturn

import yaml

from mlgarden.document.custom_points import MAX_CUSTOM_POINTS, checked_point, point_problem
from mlgarden.files.nesting import first_too_deep
from mlgarden import atomic
from mlgarden.files import bounded_yaml
from mlgarden.files.function_file import first_problem, free_pins, function_to_dict, node_to_dict
from mlgarden.document.function_limits import MAX_EXPANDED_LINKS
from mlgarden.document.functions import FunctionDefinition, an
from mlgarden.document.graph import Document, check_node_fields
from mlgarden.document.nodes import (
    ID_PATTERN,
    ID_RULE,
    GraphError,
    Node,
    make_reference,
    split_reference,
)
from mlgarden.engine.ops import LEAF_VALUE_OPS, OPS
from mlgarden.engine.program import CompileError

FORMAT_VERSION = 3  # 2 added functions, 3 custom points; a file says the lowest format it needs
FUNCTIONS_FORMAT = 2
CUSTOM_POINTS_FORMAT = 3
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_NODES = 20_000
MAX_NESTING = 100  # lists and mappings inside each other; a graph file needs about 6
_TOO_DEEP = f"lists and mappings are nested more than {MAX_NESTING} deep"
# values in the file: a node entry needs 5 to 13 of them, a custom point 4
MAX_YAML_ITEMS = 16 * MAX_NODES + 4 * MAX_CUSTOM_POINTS
MAX_LIST = max(MAX_CUSTOM_POINTS, MAX_EXPANDED_LINKS)  # the longest list a graph file needs
TOP_LEVEL_KEYS = ("mlgarden", "description", "functions", "nodes", "result", "loss", "training",
                  "dataset", "custom_points", "view")
FUNCTION_KEYS = ("description", "nodes")
NODE_KEYS = ("id", "op", "function", "label", "value", "trainable", "shared", "exponent", "values",
             "inputs", "pos")
FIELD_OPS = {"value": LEAF_VALUE_OPS, "trainable": ("param",), "shared": ("param",),
             "exponent": ("pow",), "function": ("call",), "values": ("call",)}

# libyaml's safe loader when installed (about 4x faster on big files), else the pure-Python one:
# both are SafeLoader, building only plain Python data.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_PLAIN_TAGS = {f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "seq", "map")}


class FileFormatError(ValueError):
    """A graph file that cannot be read or written; the message is one line naming the file."""


# --- writing ----------------------------------------------------------------------------------


def document_to_dict(document: Document) -> dict:
    """The document as plain data, shaped exactly like the file (defaults left out)."""
    version = (CUSTOM_POINTS_FORMAT if document.custom_points
               else FUNCTIONS_FORMAT if document.functions else 1)
    data: dict = {"mlgarden": version}
    if document.description:
        data["description"] = document.description
    if document.functions:
        data["functions"] = {name: function_to_dict(definition)
                             for name, definition in document.functions.items()}
    data["nodes"] = [node_to_dict(node) for node in document.nodes.values()]
    if document.result is not None:
        data["result"] = document.result
    if document.loss is not None:
        data["loss"] = document.loss
    # Settings are written in full, so a file keeps its meaning if a later default changes.
    data["training"] = dataclasses.asdict(document.training)
    data["dataset"] = dataclasses.asdict(document.dataset)
    if document.custom_points:
        data["custom_points"] = [[x, y, int(label)] for x, y, label in document.custom_points]
    if document.view:
        try:
            data["view"] = _plain_copy(document.view, "view")
        except _NotPlain as problem:
            raise FileFormatError(f"the view cannot be saved: {problem}") from None
    return data


class _FlowList(list):
    """A list the file shows on one line: `inputs: [a, b]`."""


class _FlowMap(dict):
    """A mapping the file shows on one line: `values: {w1: 0.5, b: -0.1}`."""


class _LiteralText(str):
    """A text the file shows as a YAML literal block (`|`): lines as typed, never folded."""


class _Dumper(yaml.SafeDumper):
    """The safe dumper, with list entries indented under their key as in the format's examples."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


# YAML treats these as line breaks too; PyYAML writes them raw in plain, quoted and block text,
# where they read back as a space or a newline, so text holding them is written double-quoted
# (they become \N, \L, \P).
_UNICODE_LINE_BREAKS = ("\x85", "\u2028", "\u2029")


def _represent_text(dumper: _Dumper, text: str, style: str | None = None) -> yaml.ScalarNode:
    if any(character in text for character in _UNICODE_LINE_BREAKS):
        style = '"'
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_text)
_Dumper.add_representer(_LiteralText, lambda dumper, text: _represent_text(dumper, text, style="|"))
_Dumper.add_representer(
    _FlowList, lambda dumper, data: dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)
)
_Dumper.add_representer(
    _FlowMap, lambda dumper, data: dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True)
)


def _styled(data: dict) -> dict:
    """The plain data with the hints that make the YAML look like the documented layout."""
    styled = dict(data)
    if "description" in styled:
        styled["description"] = _LiteralText(styled["description"])
    if "functions" in styled:
        styled["functions"] = {name: _styled_function(entry) for name, entry in data["functions"].items()}
    styled["nodes"] = [_styled_node(entry) for entry in data["nodes"]]
    if "custom_points" in styled:
        styled["custom_points"] = [_FlowList(point) for point in data["custom_points"]]
    return styled


def _styled_function(entry: dict) -> dict:
    styled = dict(entry)
    if "description" in styled:
        styled["description"] = _LiteralText(styled["description"])
    styled["nodes"] = [_styled_node(node) for node in entry["nodes"]]
    return styled


def _styled_node(entry: dict) -> dict:
    flow = {"inputs": _FlowList, "pos": _FlowList, "values": _FlowMap}
    return {key: flow[key](value) if key in flow else value for key, value in entry.items()}


def dumps(document: Document) -> str:
    """The document as the text of a graph file."""
    return yaml.dump(_styled(document_to_dict(document)), Dumper=_Dumper, sort_keys=False,
                     allow_unicode=True, width=100)


def save(document: Document, path) -> None:
    """Write the document to `path` atomically; on failure the previous file is left intact."""
    path = os.fspath(path)
    try:
        atomic.write_atomically(path, dumps(document).encode("utf-8"))
    except Exception as error:  # whatever went wrong, the user learns that this save failed
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        raise FileFormatError(f"{path}: could not save: {reason}") from error


# --- reading ----------------------------------------------------------------------------------


def load(path) -> Document:
    """Read a graph file; raises FileFormatError naming the file and the problem."""
    source = os.fspath(path)
    try:
        with open(source, "rb") as handle:
            content = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise FileFormatError(f"{source}: no such file") from None
    except IsADirectoryError:
        raise FileFormatError(f"{source}: is a folder, not a graph file") from None
    except OSError as error:
        raise FileFormatError(f"{source}: cannot be read ({error.strerror or error})") from None
    if len(content) > MAX_FILE_BYTES:
        raise FileFormatError(_too_large(source))
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        line = content.count(b"\n", 0, error.start) + 1
        problem = f"the file is not UTF-8 text (byte 0x{content[error.start]:02x} cannot be read)"
        raise FileFormatError(_message(source, line, problem)) from None
    return loads(text, source)


def loads(text: str, source: str = "<text>") -> Document:
    """Read a graph from the text of a graph file; `source` names it in error messages."""
    if len(text) > MAX_FILE_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        raise FileFormatError(_too_large(source))
    data, tree = _parse(text, source)
    return _Reader(source, tree).document(data)


def document_from_dict(data, source: str = "<data>") -> Document:
    """Build a document from plain data shaped like a graph file, with the same checks."""
    return _Reader(source, None).document(data)


def _too_large(source: str) -> str:
    return f"{source}: the file is larger than {MAX_FILE_BYTES // 2**20} MB, the most a graph file may be"


def _message(source: str, line: int | None, problem: str) -> str:
    return f"{source}, line {line}: {problem}" if line else f"{source}: {problem}"


def _parse(text: str, source: str):
    """The data in a YAML text and its composed node tree (None, None for an empty text)."""
    too_deep = first_too_deep(text, MAX_NESTING)  # before the YAML libraries refuse it in their words
    if too_deep is not None:
        raise FileFormatError(_message(source, too_deep, _TOO_DEEP))
    loader = None
    try:
        loader = _SafeLoader(text)
        tree = bounded_yaml.compose(loader, MAX_YAML_ITEMS, MAX_NESTING, MAX_NODES, MAX_LIST, text)
        if tree is None:
            return None, None
        _check_plain_tree(tree, source)
        return loader.construct_document(tree), tree
    except bounded_yaml.Refused as refusal:
        raise FileFormatError(_message(source, refusal.line, refusal.problem)) from None
    except yaml.YAMLError as error:
        raise FileFormatError(_yaml_problem(error, text, source)) from None
    except RecursionError:  # the pure-Python composer recurses; libyaml's does not
        raise FileFormatError(f"{source}: the YAML is nested too deeply") from None
    finally:
        if loader is not None:
            loader.dispose()


def _yaml_problem(error: yaml.YAMLError, text: str, source: str) -> str:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    if mark is not None:
        problem = error.problem or error.context
        if error.context and error.problem:
            problem += f" ({error.context})"
        return _message(source, mark.line + 1, f"not valid YAML: {' '.join(problem.split())}")
    if isinstance(error, yaml.reader.ReaderError):
        line = text.count("\n", 0, error.position) + 1
        code = error.character if isinstance(error.character, int) else ord(error.character)
        return _message(source, line, f"the character U+{code:04X} is not allowed in YAML")
    return _message(source, None, f"not valid YAML: {' '.join(str(error).split())}")


def _check_plain_tree(tree: yaml.Node, source: str) -> None:
    """Refuse what a graph never needs: tags other than plain data, keys that are lists or
    mappings, a key given twice in one mapping. (Aliases and deep nesting never get this far:
    bounded_yaml refuses them while composing.)"""
    stack = [tree]
    while stack:
        node = stack.pop()
        if node.tag not in _PLAIN_TAGS:
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            problem = (f"{tag} values are not allowed: a graph file holds only text, numbers, "
                       "true/false, null, lists and mappings (quote a value to keep it as text)")
            raise FileFormatError(_message(source, node.start_mark.line + 1, problem))
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            stack.extend(_mapping_children(node, source))


def _mapping_children(node: yaml.MappingNode, source: str) -> list[yaml.Node]:
    children, keys = [], set()
    for key, value in node.value:
        line = key.start_mark.line + 1
        if not isinstance(key, yaml.ScalarNode):
            problem = "a key must be a plain name, not a list or mapping"
            raise FileFormatError(_message(source, line, problem))
        if key.value in keys:
            raise FileFormatError(_message(source, line, f"the key {key.value!r} appears twice"))
        keys.add(key.value)
        children += [key, value]
    return children


class _NotPlain(Exception):
    """A value that is not plain data (raised inside _plain_copy, reported by its callers)."""


def _plain_copy(value, where: str, depth: int = 0):
    """A copy of `value` made only of text-keyed mappings, lists, text, finite numbers,
    true/false and null (tuples become lists); raises _NotPlain naming where the problem is."""
    if depth > MAX_NESTING:
        raise _NotPlain(f"{where} is nested more than {MAX_NESTING} deep")
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _NotPlain(f"{where} is {value!r}; numbers must be finite")
        return float(value)
    if isinstance(value, (list, tuple)):
        return [_plain_copy(item, f"{where}[{index}]", depth + 1) for index, item in enumerate(value)]
    if isinstance(value, dict):
        copy = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise _NotPlain(f"{where} has the key {key!r}; keys must be text")
            copy[str(key)] = _plain_copy(item, f"{where}.{key}", depth + 1)
        return copy
    raise _NotPlain(f"{where} holds a {type(value).__name__}; only text, numbers, true/false, "
                    "null, lists and mappings can be stored")


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _as_float(value):
    """YAML reads `5` as a whole number; a float field takes it as 5.0 (an enormous one as inf).
    Anything that is not a whole number is returned unchanged for the graph's own checks."""
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value) if abs(value) < 1e308 else (math.inf if value > 0 else -math.inf)
    return value


def _number_hint(value) -> str:
    """A hint for a number that YAML read as text: YAML 1.1 wants a dot and a signed exponent
    (`1.0e-3`), so `1e-3` is text, as is anything quoted."""
    if not isinstance(value, str):
        return ""
    try:
        number = float(value)
    except ValueError:
        return ""
    if not math.isfinite(number):
        return ""
    written = yaml.dump(number, Dumper=_Dumper).splitlines()[0]
    return f" (YAML reads {value!r} as text; write {written})"


def _describe(value) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


_FIELD_TYPES = {
    "label": (lambda value: isinstance(value, str), "text"),
    "value": (_is_number, "a number"),
    "trainable": (lambda value: isinstance(value, bool), "true or false"),
    "exponent": (_is_number, "a number"),
    "function": (lambda value: isinstance(value, str), "the name of a function"),
    "shared": (lambda value: isinstance(value, bool), "true or false"),
    "values": (lambda value: isinstance(value, dict) and all(isinstance(k, str) and _is_number(v)
                                                             for k, v in value.items()),
               "a mapping of param paths to numbers ({w1: 0.5, b: -0.1})"),
    "inputs": (lambda value: isinstance(value, list) and all(s is None or isinstance(s, str) for s in value),
               "a list of node ids (f1:2 for output 2 of a call), null for a free pin"),
    "pos": (lambda value: isinstance(value, list) and len(value) == 2 and all(map(_is_number, value)),
            "two numbers [x, y]"),
}


class _Reader:
    """Turns the plain data of one file into a Document, or fails on the first problem with
    the line the composed YAML tree gives for it (no tree, no line)."""

    def __init__(self, source: str, tree: yaml.Node | None):
        self.source = source
        self.tree = tree
        self.paths: dict[tuple, tuple] = {}  # (function name or None, node id) -> its entry's path
        self.calls_without_inputs: list[tuple[str | None, str]] = []  # all pins free
        self.version = FORMAT_VERSION

    def fail(self, problem: str, *path) -> NoReturn:
        raise FileFormatError(_message(self.source, self.line_of(*path), problem))

    def line_of(self, *path) -> int | None:
        """The line of a key or list entry, found by its path: ("nodes", 3, "pos")."""
        node, line = self.tree, None
        for step in path:
            if isinstance(node, yaml.MappingNode):
                match = [(key, value) for key, value in node.value if key.value == str(step)]
                if not match:
                    break
                line, node = match[0][0].start_mark.line + 1, match[0][1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
                node = node.value[step]
                line = node.start_mark.line + 1
            else:
                break
        return line

    def node_path(self, node_id: str, function: str | None = None) -> tuple:
        return self.paths[(function, node_id)]

    def document(self, data) -> Document:
        if data is None:
            self.fail("the file is empty; a graph file starts with `mlgarden: 1`")
        if not isinstance(data, dict):
            self.fail(f"the top level must be a mapping (mlgarden: 1, nodes: ...), found {_describe(data)}")
        self.check_version(data)
        if self.version < FUNCTIONS_FORMAT and "functions" in data:
            known = ", ".join(key for key in TOP_LEVEL_KEYS if key != "functions")
            self.fail(f"unknown key 'functions' at the top level (functions need format "
                      f"{FUNCTIONS_FORMAT}: write `mlgarden: {FUNCTIONS_FORMAT}`); known keys: {known}",
                      "functions")
        if self.version < CUSTOM_POINTS_FORMAT and "custom_points" in data:
            self.fail(f"custom points need format {CUSTOM_POINTS_FORMAT}: write `mlgarden: "
                      f"{CUSTOM_POINTS_FORMAT}`", "custom_points")
        self.check_keys(data, TOP_LEVEL_KEYS, "at the top level", ())
        document = Document()  # filled directly: a file may list a node before the nodes it reads
        document.functions = self.read_functions(data)
        document.nodes = self.read_nodes(data)
        self.check_functions_and_links(document)
        document.description = self.read_description(data)
        document.result = self.read_role(data, "result", document)
        document.loss = self.read_role(data, "loss", document)
        document.custom_points = self.read_custom_points(data)
        self.read_settings(data, "training", document.training, document.set_training)
        self.read_settings(data, "dataset", document.dataset, document.set_dataset)
        document.view = self.read_view(data)
        try:
            document.check()  # the graph's own whole-document rules have the last word
        except GraphError as error:
            self.fail(str(error))
        self.check_compiles(document)
        return document

    def check_compiles(self, document: Document) -> None:
        """A graph that loads also compiles: the app must never meet the error later, mid-frame."""
        try:
            document.program()
        except CompileError as error:
            self.fail(str(error))

    def check_version(self, data: dict) -> None:
        if "mlgarden" not in data:
            self.fail("not an mlgarden graph: the format version `mlgarden: 1` is missing")
        version = data["mlgarden"]
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            self.fail(f"the format version must be a whole number like 1, found {_describe(version)}",
                      "mlgarden")
        if version > FORMAT_VERSION:
            self.fail(f"made by a newer mlgarden (format {version}); this mlgarden reads formats up "
                      f"to {FORMAT_VERSION}", "mlgarden")
        self.version = version

    def check_keys(self, mapping: dict, known: tuple, owner: str, path: tuple) -> None:
        unknown = [key for key in mapping if key not in known]
        if unknown:
            plural = "s" if len(unknown) > 1 else ""
            names = ", ".join(repr(key) for key in unknown)
            self.fail(f"unknown key{plural} {names} {owner}; known keys: {', '.join(known)}",
                      *path, unknown[0])

    def read_functions(self, data: dict) -> dict[str, FunctionDefinition]:
        entries = data.get("functions", {})
        if not isinstance(entries, dict):
            self.fail(f"functions must be a mapping of names to functions, found {_describe(entries)}",
                      "functions")
        functions = {}
        for name, entry in entries.items():
            path = ("functions", name)
            if not isinstance(name, str) or not ID_PATTERN.fullmatch(name):
                self.fail(f"function name {name!r} {ID_RULE}", *path)
            if not isinstance(entry, dict):
                self.fail(f"function {name!r} must be a mapping (description, nodes), found "
                          f"{_describe(entry)}", *path)
            self.check_keys(entry, FUNCTION_KEYS, f"in function {name!r}", path)
            description = entry.get("description", "")
            if not isinstance(description, str):
                self.fail(f"the description of function {name!r} must be text, found "
                          f"{_describe(description)}", *path, "description")
            if "nodes" not in entry:
                self.fail(f"function {name!r} has no nodes", *path)
            nodes = self.read_node_list(entry["nodes"], path + ("nodes",), name)
            functions[name] = FunctionDefinition(name, nodes, description)
        return functions

    def read_nodes(self, data: dict) -> dict[str, Node]:
        if "nodes" not in data:
            self.fail("the key 'nodes' is missing (an empty graph has `nodes: []`)")
        return self.read_node_list(data["nodes"], ("nodes",), None)

    def read_node_list(self, entries, path: tuple, function: str | None) -> dict[str, Node]:
        where = f" in function {function!r}" if function else ""
        if not isinstance(entries, list):
            what = f"the nodes of function {function!r}" if function else "nodes"
            self.fail(f"{what} must be a list of node entries, found {_describe(entries)}", *path)
        if len(self.paths) + len(entries) > MAX_NODES:
            self.fail(f"the graph has {len(self.paths) + len(entries)} nodes; mlgarden reads at most "
                      f"{MAX_NODES}", *path)
        nodes: dict[str, Node] = {}
        for index, entry in enumerate(entries):
            node = self.read_node(entry, path + (index,))
            if node.id in nodes:
                first = self.line_of(*self.node_path(node.id, function))
                at = f" (first on line {first})" if first else ""
                self.fail(f"node id {node.id!r} is used twice{where}{at}", *path, index)
            nodes[node.id] = node
            self.paths[(function, node.id)] = path + (index,)
            if node.op == "call" and "inputs" not in entry:
                self.calls_without_inputs.append((function, node.id))
        return nodes

    def read_node(self, entry, path: tuple) -> Node:
        index = path[-1]
        if not isinstance(entry, dict):
            self.fail(f"node entry {index + 1} must be a mapping (id: ..., op: ...), "
                      f"found {_describe(entry)}", *path)
        node_id = self.read_id(entry, path)
        self.check_keys(entry, NODE_KEYS, f"in node {node_id!r}", path)
        op = self.read_op(entry, node_id, path)
        fields = {key: self.read_field(entry, key, node_id, path) for key in _FIELD_TYPES if key in entry}
        for key, ops in FIELD_OPS.items():
            if key in fields and op not in ops:
                self.fail(f"node {node_id!r} is {an(op)} node, which has no {key}", *path, key)
        if op == "call" and "function" not in fields:
            self.fail(f"node {node_id!r} is a call, which needs `function: NAME`", *path)
        node = Node(node_id, op, fields.get("inputs", [None] * (OPS[op].arity or 0)),
                    fields.get("value", 0.0), fields.get("label", ""),
                    tuple(fields.get("pos", (0.0, 0.0))), fields.get("trainable", True),
                    fields.get("exponent", 2.0), fields.get("function", ""),
                    fields.get("values", {}), fields.get("shared", False))
        try:
            check_node_fields(node)
        except GraphError as error:
            self.fail(str(error), *path)
        return node

    def read_id(self, entry: dict, path: tuple) -> str:
        index = path[-1]
        if "id" not in entry:
            self.fail(f"node entry {index + 1} has no id", *path)
        node_id = entry["id"]
        if not isinstance(node_id, str):
            self.fail(f"node entry {index + 1}: the id must be text, found {_describe(node_id)}", *path, "id")
        if not ID_PATTERN.fullmatch(node_id):
            self.fail(f"node id {node_id!r} {ID_RULE}", *path, "id")
        return node_id

    def read_op(self, entry: dict, node_id: str, path: tuple) -> str:
        if "op" not in entry:
            self.fail(f"node {node_id!r} has no op", *path)
        op = entry["op"]
        if not isinstance(op, str) or op not in OPS:
            guess = difflib.get_close_matches(str(op), OPS, n=1)
            hint = f"did you mean {guess[0]!r}? " if guess else ""
            self.fail(f"node {node_id!r} has an unknown op {_describe(op)}; {hint}known ops: "
                      f"{', '.join(OPS)}", *path, "op")
        return op

    def read_field(self, entry: dict, key: str, node_id: str, path: tuple):
        value = entry[key]
        accepts, expected = _FIELD_TYPES[key]
        if not accepts(value):
            hint = _number_hint(value) if key in ("value", "exponent") else ""
            self.fail(f"node {node_id!r}: {key} must be {expected}, found {_describe(value)}{hint}",
                      *path, key)
        if key in ("inputs", "pos"):  # a copy: the caller's data never becomes part of the document
            return [_as_float(item) for item in value]
        if key == "values":
            return {path: _as_float(number) for path, number in value.items()}
        return _as_float(value)

    def check_functions_and_links(self, document: Document) -> None:
        free_pins(document, self.calls_without_inputs)
        problem = first_problem(document)
        if problem is not None:
            function, node_id, key, message = problem
            if node_id is None:
                self.fail(message, "functions", function)
            self.fail(message, *self.node_path(node_id, function), *([key] if key else []))

    def read_description(self, data: dict) -> str:
        description = data.get("description", "")
        if not isinstance(description, str):
            self.fail(f"the description must be text, found {_describe(description)}", "description")
        return description

    def read_role(self, data: dict, role: str, document: Document) -> str | None:
        reference = data.get(role)
        if reference is None:
            return None
        if not isinstance(reference, str):
            self.fail(f"{role} must be a node id, found {_describe(reference)}", role)
        try:
            document.check_reference(reference, reader=f"the {role} is node")
        except GraphError as error:
            self.fail(str(error), role)
        return make_reference(*split_reference(reference))

    def read_settings(self, data: dict, key: str, settings, apply) -> None:
        """Apply each setting in turn through the document's checked edit, so the first one
        refused is the one at fault (every default is valid)."""
        if key not in data:
            return
        values = data[key]
        if not isinstance(values, dict):
            self.fail(f"{key} must be a mapping of settings, found {_describe(values)}", key)
        known = tuple(field.name for field in dataclasses.fields(settings))
        self.check_keys(values, known, f"in {key}", (key,))
        for name, value in values.items():
            holds_float = isinstance(getattr(settings, name), float)
            if holds_float:
                value = _as_float(value)
            try:
                apply(**{name: value})
            except GraphError as error:
                hint = _number_hint(value) if holds_float else ""
                self.fail(f"{key}: {error}{hint}", key, name)

    def read_custom_points(self, data: dict) -> tuple:
        """The graph's own points, each `[x, y, label]` with a label of -1 or 1."""
        if "custom_points" not in data:
            return ()
        entries = data["custom_points"]
        if not isinstance(entries, list) or not entries:
            self.fail(f"custom_points must be a list of [x, y, label] entries (at least one), found "
                      f"{_describe(entries)}", "custom_points")
        if len(entries) > MAX_CUSTOM_POINTS:
            self.fail(f"the graph has {len(entries)} custom points; mlgarden reads at most "
                      f"{MAX_CUSTOM_POINTS}", "custom_points")
        points = []
        for index, entry in enumerate(entries):
            problem = point_problem(entry) if isinstance(entry, list) else "a point must be [x, y, label]"
            if problem is not None:
                hints = [_number_hint(value) for value in entry] if isinstance(entry, list) else []
                hint = next((text for text in hints if text), "")
                self.fail(f"custom point {index + 1}: {problem}{hint}", "custom_points", index)
            points.append(checked_point(entry))
        return tuple(points)

    def read_view(self, data: dict) -> dict:
        view = data.get("view", {})
        if not isinstance(view, dict):
            self.fail(f"view must be a mapping, found {_describe(view)}", "view")
        try:
            return _plain_copy(view, "view")
        except _NotPlain as problem:
            self.fail(str(problem), "view")
