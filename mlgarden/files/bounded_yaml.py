"""Composing a YAML text into its node tree with bounds, so a hostile file is refused while it is
read, not after.

PyYAML's own composer builds the whole tree before anything can look at it: a 5 MB file of tiny
mappings took 45 s and 600 MB before the graph reader could say it has too many nodes, and an
explicit tag with bad content (`!!float "abc"`, `!!int "0b2"`, `!!bool "maybe"`) or an integer
longer than Python's digit limit escaped the safe loader as a bare ValueError or KeyError.

`compose(loader, ...)` builds the same tree from the safe loader's event stream, one event at a
time and without recursion, and stops at the first of:

- more than `max_entries` mappings inside lists (in a graph file, node entries: the node limit);
- a list of more than `max_list` entries;
- more than `max_items` values (scalars, lists and mappings) in the file: the graph reader's node
  limit times the few values a node entry needs, so a graph under the limit always fits;
- lists and mappings nested more than `max_nesting` deep (checked before the parser goes deeper);
- an alias (`*name`): a graph never reuses a value, and aliases are the stuff of "billion laughs";
- a number, true/false or null that cannot be read as one (the scalar is constructed here, by the
  safe loader, which keeps it for `construct_document`).

Each raises `Refused(line, problem)`; the caller turns it into its own one-line message.

Making Python objects of libyaml's events costs about 2 µs each, so a flood of values just past
`max_items` took 3 to 6 s to refuse. Once the builder has met FLOOD_CHECK_AFTER values (more than
most files hold, so they never pay for it), `refuse_a_flood(text, max_items)` counts the events in C
(libyaml's `raw_parse`, about 0.3 s for 720000 values, no objects) and refuses a text that surely
holds too many values: every event is a value (scalar, alias, list or mapping start) except a
collection's end, the stream's two and a document's two; each list or mapping starts at a mark of
its own (`[`, `{`, `-`, `:` or `?`) and each document after the first at a `---` or `...`, so

    values >= events - 2 - 2 * (1 + count("---") + count("...")) - count of [ { - : ?

(characters counted anywhere, even in text or comments, only make the bound smaller). The count
says nothing of where the limit is crossed, so the message names the text's last line ("by this
line"); a flood of one long line, as in the benchmark, is named exactly.
"""

from __future__ import annotations

import gc
import sys

try:
    from yaml._yaml import CParser as _EventCounter  # libyaml: parses, builds nothing
except ImportError:  # pure-Python PyYAML: the builder's own count is all there is
    _EventCounter = None

import yaml

_CHECKED_SCALARS = {f"tag:yaml.org,2002:{name}": what for name, what in
                    (("int", "a whole number"), ("float", "a number"), ("bool", "true or false"),
                     ("null", "null"))}

FLOOD_CHECK_AFTER = 120_000  # values read before the whole text is counted in C (0.1 to 0.7 s)
_SHORT_NUMBER = 640  # no whole number this short reaches Python's digit limit (at least 640)


class Refused(Exception):
    """The text breaks a bound; `line` is 1-based (None when unknown), `problem` one sentence."""

    def __init__(self, line: int | None, problem: str):
        super().__init__(problem)
        self.line = line
        self.problem = problem


def refuse_a_flood(text: str, max_items: int) -> None:
    """Raise Refused when the text surely holds more than `max_items` values (see above), naming
    its last line (the count says only that the limit is crossed by then); a text that is not
    valid YAML is left to the loader, which says where."""
    if _EventCounter is None:
        return
    fewest = fewest_values(text)
    if fewest is not None and fewest > max_items:
        raise Refused(text.count("\n", 0, len(text) - 1) + 1, _too_many_values(max_items))


def fewest_values(text: str) -> int | None:
    """A lower bound of the values in the text, counted in C (None when libyaml refuses it)."""
    try:
        events = _EventCounter(text).raw_parse()
    except yaml.YAMLError:
        return None
    documents = 1 + text.count("---") + text.count("...")
    marks = sum(text.count(mark) for mark in "[{-:?")
    return events - 2 - 2 * documents - marks


def _too_many_values(max_items: int) -> str:
    return (f"the file holds more than {max_items} values by this line, more than a graph within "
            f"mlgarden's limits needs")


def compose(loader, max_items: int, max_nesting: int, max_entries: int, max_list: int,
            text: str | None = None) -> yaml.Node | None:
    """The single document of the loader's text as a node tree (None for an empty text); given
    the `text`, a flood of values is refused early (refuse_a_flood)."""
    loader.get_event()  # the stream's start
    if loader.check_event(yaml.StreamEndEvent):
        loader.get_event()
        return None
    document_start = loader.get_event()
    collecting = gc.isenabled()
    gc.disable()  # the tree only grows while it is built: collecting cycles would cost 3/4 of the time
    try:
        root = _Builder(loader, max_items, max_nesting, max_entries, max_list, text).build()
    finally:
        if collecting:
            gc.enable()
    loader.get_event()  # the document's end
    if not loader.check_event(yaml.StreamEndEvent):
        extra = loader.get_event()
        raise yaml.composer.ComposerError("expected a single document in the stream",
                                          document_start.start_mark, "but found another document",
                                          extra.start_mark)
    loader.get_event()
    return root


class _Builder:
    """Builds one document's tree from events with an explicit stack of open collections."""

    def __init__(self, loader, max_items: int, max_nesting: int, max_entries: int, max_list: int,
                 text: str | None):
        self.loader = loader
        self.text = text
        self.max_list = max_list
        self.max_items = max_items
        self.max_nesting = max_nesting
        self.max_entries = max_entries
        self.items = 0
        self.entries = 0  # mappings inside lists: in a graph file, the node entries
        self.plain_tags: dict[str, str] = {}  # a plain scalar's text -> its resolved tag
        self.open: list[yaml.Node] = []  # the lists and mappings being filled, outermost first
        self.keys: list[yaml.Node | None] = []  # for each open mapping, a key waiting for its value
        self.root: yaml.Node | None = None
        self.anchors: dict[str, int] = {}  # anchor name -> the line of the value it names

    def build(self) -> yaml.Node:
        get_event, plain_tags, open_collections = self.loader.get_event, self.plain_tags, self.open
        while True:
            event = get_event()
            kind = type(event)
            if kind is yaml.ScalarEvent and event.tag is None and event.anchor is None and open_collections:
                # the common case, kept short: a plain scalar already seen, in a list or mapping
                tag = plain_tags.get(event.value) if event.implicit[0] else None
                if tag is None or len(event.value) > _SHORT_NUMBER:
                    node = self.start(event)
                else:
                    self.count(event)
                    node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark,
                                           event.style)
                self.attach(node)
            elif kind is yaml.SequenceEndEvent or kind is yaml.MappingEndEvent:
                node = open_collections.pop()
                self.keys.pop()
                node.end_mark = event.end_mark
            else:
                node = self.start(event)
                self.attach(node)
            if not open_collections:
                return self.root

    def count(self, event) -> None:
        """One more value, at the depth of the open collections: refuse one past the bounds."""
        self.items += 1
        if self.items == FLOOD_CHECK_AFTER and self.text is not None:
            refuse_a_flood(self.text, self.max_items)
        if self.items > self.max_items:
            raise Refused(event.start_mark.line + 1, _too_many_values(self.max_items))
        if len(self.open) > self.max_nesting:
            raise Refused(event.start_mark.line + 1,
                          f"lists and mappings are nested more than {self.max_nesting} deep")

    def start(self, event) -> yaml.Node:
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent):  # named at the reused value, where the anchor is
            raise Refused(self.anchors.get(event.anchor, line),
                          "YAML anchors and aliases (&name, *name) are not allowed; this value is reused")
        self.count(event)
        if event.anchor is not None:
            self.anchors[event.anchor] = line
        if isinstance(event, yaml.ScalarEvent):
            return self.scalar(event)
        kind = yaml.SequenceNode if isinstance(event, yaml.SequenceStartEvent) else yaml.MappingNode
        if kind is yaml.MappingNode and self.open and isinstance(self.open[-1], yaml.SequenceNode):
            self.entries += 1
            if self.entries > self.max_entries:
                raise Refused(line, f"the file lists more than {self.max_entries} node entries; "
                                    f"mlgarden reads at most {self.max_entries} nodes")
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.loader.resolve(kind, None, event.implicit)
        node = kind(tag, [], event.start_mark, None, flow_style=event.flow_style)
        return node

    def scalar(self, event) -> yaml.ScalarNode:
        tag = explicit = event.tag
        if tag is None or tag == "!":
            explicit = None
            tag = self.plain_tags.get(event.value) if event.implicit[0] else None
            if tag is None:
                tag = self.loader.resolve(yaml.ScalarNode, event.value, event.implicit)
                if event.implicit[0]:
                    self.plain_tags[event.value] = tag
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style)
        # What YAML itself resolved reads back, except a whole number past Python's digit limit.
        if tag in _CHECKED_SCALARS and (explicit is not None or len(event.value) > _SHORT_NUMBER):
            try:
                self.loader.construct_object(node)
            except (ValueError, KeyError, TypeError, OverflowError, yaml.constructor.ConstructorError):
                raise Refused(event.start_mark.line + 1, _unreadable(event.value, tag)) from None
        return node

    def attach(self, node: yaml.Node) -> None:
        if not self.open:
            self.root = node
        else:
            parent = self.open[-1]
            if isinstance(parent, yaml.SequenceNode):
                if len(parent.value) == self.max_list:
                    raise Refused(node.start_mark.line + 1, f"a list holds more than {self.max_list} "
                                                            f"entries, the most mlgarden reads")
                parent.value.append(node)
            elif self.keys[-1] is None:
                self.keys[-1] = node
            else:
                parent.value.append((self.keys[-1], node))
                self.keys[-1] = None
        if isinstance(node, (yaml.SequenceNode, yaml.MappingNode)):
            self.open.append(node)
            self.keys.append(None)


def _unreadable(text: str, tag: str) -> str:
    digits = sum(character.isdigit() for character in text)
    if tag.endswith(":int") and digits > sys.get_int_max_str_digits() > 0:
        return (f"a whole number of {digits} digits is too long to read (at most "
                f"{sys.get_int_max_str_digits()} digits)")
    shown = text if len(text) <= 40 else text[:37] + "..."
    written = tag.replace("tag:yaml.org,2002:", "!!")
    return f"{written} {shown!r} cannot be read as {_CHECKED_SCALARS[tag]}"
