"""The canvas's drawing items: one Dear PyGui draw node per node, one curve (and one line) per link.

The drawlist holds a *world* draw node whose transform is the view (pan and zoom, one
`apply_transform`); inside it a layer of links under a layer of nodes. Each node is a draw node
of its own, translated to the node's position, so moving a node is one call and hiding it (out of
view) skips all of its items. Items are made once and then configured: a value change sets a
text, a zoom change resizes the texts of the nodes in view, a structure change rebuilds only the
nodes whose shape changed.

What a node shows depends on the zoom (geometry.level_of_detail):
- full: a title bar, a row per input pin with its name, the value row (op symbol, value, output
  pin), a pow's exponent, the gradient in orange; texts scale with the zoom (a transform moves
  text but does not resize it, so each text's size is set to FONT_SIZE * zoom);
- compact: a box in the node's colour with its title and value at a fixed readable size, and a
  thin bar at the bottom whose length is the gradient's size (log scale) and colour its sign;
- block: the box alone.
The detail items are made the first time a node is drawn in full, so a big graph seen from afar
costs one box per node.
"""

from __future__ import annotations

import functools
import math

import dearpygui.dearpygui as dpg

from mlgarden.gui import geometry, ids, node_view, theme
from mlgarden.gui.geometry import NodeBox
from mlgarden.number_text import plain, typed_number

BODY_COLOUR = (38, 40, 46, 240)
OUTLINE_COLOUR = (90, 92, 100, 255)
SELECTED_COLOUR = (255, 220, 90, 255)
HIGHLIGHT_COLOUR = (120, 255, 160, 255)
TEXT_COLOUR = (230, 230, 230, 255)
MUTED_TEXT = (175, 175, 185, 255)
FIELD_COLOUR = (60, 64, 74, 255)
PIN_COLOUR = (150, 200, 255, 255)
LINK_COLOUR = (200, 200, 200, 200)
COMPACT_TEXT_SIZE = 11
COMPACT_INSET_PIXELS = 3.0  # a compact box's texts sit this far in from its edges
MIN_TEXT_SIZE = 8
TITLE_INSET = 6.0  # a full node's title starts this far in from its left edge (and ends as far in)
ELLIPSIS = "…"  # the end of a title too long for its node
FRACTION_STEPS = 16  # how finely a gradient's size is shown in a link's or a bar's colour


def translation(x: float, y: float):
    return dpg.create_translation_matrix([x, y])


def view_matrix(view: geometry.ViewTransform):
    """Document -> drawlist pixels: (p - origin) * zoom."""
    zoom = view.zoom
    return (dpg.create_translation_matrix([-view.origin[0] * zoom, -view.origin[1] * zoom])
            * dpg.create_scale_matrix([zoom, zoom, 1.0]))


class NodeDrawing:
    """One node's items. `texts` keeps what each text shows, by the tag a test asks about."""

    def __init__(self, node_id: str, layer: int | str):
        self.node_id = node_id
        self.root = dpg.add_draw_node(parent=layer, tag=ids.node(node_id))
        self.body = dpg.draw_rectangle((0, 0), (1, 1), parent=self.root, color=OUTLINE_COLOUR,
                                       fill=BODY_COLOUR, rounding=4)
        self.box: NodeBox | None = None
        self.kind_colour = (90, 90, 90)
        self.compact: int | None = None
        self.detail: int | None = None
        self.detail_texts: dict[str, int] = {}  # tag -> draw_text item, full level of detail
        self.compact_items: dict[str, int] = {}
        self._compact_room = math.inf  # pixels a compact box has for a line of text, at its zoom
        self.texts: dict[str, str] = {}  # what each number and label reads, by tag
        self.shown_lod: str | None = None
        self.shown_zoom: float | None = None
        self.shown_pos: tuple[float, float] | None = None
        self.visible = True
        self.outline = (OUTLINE_COLOUR, 1.0)
        self.gradient_fraction = 0.0  # the compact bar: -1..1, log size with the sign
        self.lines: dict[str, tuple] = {}  # what the detail rows hold, filled by `describe`
        self.numbers_stale = True  # the evaluation changed while the node was out of view

    def delete(self) -> None:
        dpg.delete_item(self.root)

    # --- what the node is ---------------------------------------------------------------------

    def describe(self, box: NodeBox, kind_colour, title: str, rows: dict) -> None:
        """Set the box and what its rows say; rebuilds the level-of-detail items."""
        self.box = box
        self.kind_colour = tuple(kind_colour[:3])
        self.lines = rows
        self.texts["title"] = title
        for group in (self.compact, self.detail):
            if group is not None:
                dpg.delete_item(group)
        self.compact = self.detail = None
        self.detail_texts, self.compact_items = {}, {}
        dpg.configure_item(self.body, pmax=(box.width, box.height))
        dpg.configure_item(self.root, label=title)
        self.shown_lod = self.shown_zoom = None

    def place(self, pos: tuple[float, float]) -> None:
        if pos != self.shown_pos:
            dpg.apply_transform(self.root, translation(*pos))
            self.shown_pos = pos

    def set_visible(self, visible: bool) -> None:
        if visible != self.visible:
            dpg.configure_item(self.root, show=visible)
            self.visible = visible

    def set_outline(self, colour, thickness: float) -> None:
        if (colour, thickness) != self.outline:
            self.outline = (colour, thickness)
            self._draw_outline()

    def _draw_outline(self) -> None:
        """A block's plain outline is not drawn (ImGui skips a clear colour): half its cost."""
        colour, thickness = self.outline
        if self.shown_lod == "block" and colour == OUTLINE_COLOUR:
            colour = (0, 0, 0, 0)
        dpg.configure_item(self.body, color=colour, thickness=thickness)

    def set_title(self, title: str) -> None:
        if self.texts.get("title") != title:
            self.texts["title"] = title
            dpg.configure_item(self.root, label=title)
            self._set_item_text("title", title)

    def set_text(self, tag: str, text: str) -> None:
        """A number or label of the node (ids.value_text, ids.gradient_text, ...)."""
        if self.texts.get(tag) == text:
            return
        self.texts[tag] = text
        self._set_item_text(tag, text)

    def _set_item_text(self, tag: str, text: str) -> None:
        item = self.detail_texts.get(tag)
        if item is not None:
            dpg.configure_item(item, text=self._decorated(tag, text))
        item = self.compact_items.get(tag)
        if item is not None:
            dpg.configure_item(item, text=compact_text(tag, text, self._compact_room))

    def set_gradient_bar(self, fraction: float) -> None:
        """-1..1: the compact bar's length (log size of the gradient) and colour (its sign)."""
        if fraction == self.gradient_fraction:
            return
        self.gradient_fraction = fraction
        if self.compact is not None:
            self._place_bar()

    # --- level of detail -------------------------------------------------------------------------

    def show_detail(self, lod: str, zoom: float) -> None:
        """Show the items of this level of detail, sized for this zoom."""
        if lod == self.shown_lod and zoom == self.shown_zoom:
            return
        if lod != self.shown_lod:
            fill = BODY_COLOUR if lod == "full" else self.kind_colour + (255,)
            # square corners when small: a rounded box costs many more triangles to draw
            dpg.configure_item(self.body, fill=fill, rounding=4 if lod == "full" else 0)
            self.shown_lod = lod
            self._draw_outline()
            if lod == "full" and self.detail is None:
                self._build_detail()
            if lod == "compact" and self.compact is None:
                self._build_compact()
            for group, wanted in ((self.detail, "full"), (self.compact, "compact")):
                if group is not None:
                    dpg.configure_item(group, show=lod == wanted)
        if lod == "full":
            size = max(MIN_TEXT_SIZE, theme.FONT_SIZE * zoom)
            for item in self.detail_texts.values():
                dpg.configure_item(item, size=size)
        elif lod == "compact":
            self._place_compact(zoom)
        self.shown_lod, self.shown_zoom = lod, zoom

    def _build_detail(self) -> None:
        box = self.box
        self.detail = dpg.add_draw_node(parent=self.root)
        group = self.detail
        dpg.draw_rectangle((0, 0), (box.width, geometry.TITLE_HEIGHT), parent=group,
                           fill=self.kind_colour + (255,), color=self.kind_colour + (255,),
                           rounding=4)
        self._text("title", (6, 4), group)
        for tag, (x, y), colour, field in self.lines.get("texts", ()):
            if field:
                dpg.draw_rectangle((x - 3, y - 8), (box.width - 10, y + 8), parent=group,
                                   fill=FIELD_COLOUR, color=FIELD_COLOUR, rounding=3)
            self._text(tag, (x, y - 8), group, colour)
        for _, y in box.outputs:
            dpg.draw_circle((box.width, y), geometry.PIN_RADIUS, parent=group, color=PIN_COLOUR,
                            fill=PIN_COLOUR)
        for y in box.input_rows:
            dpg.draw_circle((0, y), geometry.PIN_RADIUS, parent=group, color=PIN_COLOUR,
                            fill=PIN_COLOUR)

    def _text(self, tag: str, pos, group, colour=TEXT_COLOUR) -> None:
        text = self._decorated(tag, self.texts.get(tag, ""))
        self.detail_texts[tag] = dpg.draw_text(pos, text, parent=group, color=colour,
                                               size=theme.FONT_SIZE)

    def _decorated(self, tag: str, text: str) -> str:
        """A gradient text reads 'grad 0.12'; a title is cut to its title bar; the rest as they are."""
        if tag == "title":
            return fitted_title(text, self.box.width - 2 * TITLE_INSET, theme.FONT_SIZE)
        return f"grad {text}" if tag.startswith("grad:") else text

    def refit_title(self) -> None:
        """Cut the title again: before the first frame Dear PyGui cannot measure text."""
        self._set_item_text("title", self.texts.get("title", ""))

    def _build_compact(self) -> None:
        self.compact = dpg.add_draw_node(parent=self.root)
        value_tag = self.lines.get("compact_value")
        self.compact_items = {
            "title": dpg.draw_text((0, 0), compact_text("title", self.texts.get("title", "")),
                                   parent=self.compact, color=TEXT_COLOUR, size=COMPACT_TEXT_SIZE)}
        if value_tag is not None:
            self.compact_items[value_tag] = dpg.draw_text(
                (0, 0), self.texts.get(value_tag, ""), parent=self.compact, color=TEXT_COLOUR,
                size=COMPACT_TEXT_SIZE)
        self.compact_items["bar"] = dpg.draw_rectangle((0, 0), (1, 1), parent=self.compact,
                                                       color=(0, 0, 0, 0), fill=(0, 0, 0, 0))

    def _place_compact(self, zoom: float) -> None:
        inset, line = compact_inset(zoom), compact_line(zoom)
        tall = self.box.height * zoom  # pixels: a line of text shows only where it fits
        self._compact_room = self.box.width * zoom - 2 * COMPACT_INSET_PIXELS
        dpg.configure_item(self.compact_items["title"], pos=(inset, inset),
                           show=tall >= COMPACT_TEXT_SIZE + 4,
                           text=compact_text("title", self.texts.get("title", ""), self._compact_room))
        for tag, item in self.compact_items.items():
            if tag not in ("title", "bar"):
                dpg.configure_item(item, pos=(inset, inset + line),
                                   show=tall >= 2 * (COMPACT_TEXT_SIZE + 2) + 2,
                                   text=compact_text(tag, self.texts.get(tag, ""), self._compact_room))
        self._bar_height = 4.0 / zoom
        self._place_bar()

    def _place_bar(self) -> None:
        box, fraction = self.box, self.gradient_fraction
        height = getattr(self, "_bar_height", 4.0)
        colour = link_colour(fraction) if fraction else (0, 0, 0, 0)
        dpg.configure_item(self.compact_items["bar"], pmin=(0, box.height - height),
                           pmax=(max(1.0, box.width * abs(fraction)), box.height),
                           fill=colour, color=colour)


class LinkDrawing:
    """A link: a curve at full detail, a straight line when zoomed out."""

    def __init__(self, key: tuple[str, str, int], layer):
        self.key = key
        self.curve = dpg.draw_bezier_cubic((0, 0), (0, 0), (0, 0), (0, 0), parent=layer,
                                           tag=ids.link(*key), color=LINK_COLOUR, thickness=2,
                                           segments=16)
        self.line = dpg.draw_line((0, 0), (0, 0), parent=layer, color=LINK_COLOUR, thickness=1,
                                  show=False)
        self.ends = None
        self.mode = "curve"  # or "line" or "hidden"
        self.style = (LINK_COLOUR, 2.0)
        self.style_stale = True  # the gradients changed while the link was out of view

    def delete(self) -> None:
        dpg.delete_item(self.curve)
        dpg.delete_item(self.line)

    def place(self, start, end) -> None:
        if (start, end) == self.ends:
            return
        self.ends = (start, end)
        control1, control2 = geometry.bezier_controls(start, end)
        dpg.configure_item(self.curve, p1=start, p2=control1, p3=control2, p4=end)
        dpg.configure_item(self.line, p1=start, p2=end)

    def show_as(self, mode: str) -> None:
        if mode != self.mode:
            dpg.configure_item(self.curve, show=mode == "curve")
            dpg.configure_item(self.line, show=mode == "line")
            self.mode = mode

    def set_style(self, colour, thickness: float) -> None:
        if (colour, thickness) != self.style:
            dpg.configure_item(self.curve, color=colour, thickness=thickness)
            dpg.configure_item(self.line, color=colour, thickness=max(1, round(thickness * 0.6)))
            self.style = (colour, thickness)


def compact_text(tag: str, text: str, room: float = math.inf) -> str:
    """What a compact box writes: the title without its role marks (the outline shows them), cut
    to `room` pixels; a number with fewer digits when its four do not fit in `room` (a box is 52
    wide at 35%)."""
    if tag == "title":
        name = text.split(node_view.TITLE_SEPARATOR)[0]
        return name if room == math.inf else fitted_title(name, room, COMPACT_TEXT_SIZE)
    value = typed_number(text)
    if value is None or room == math.inf or compact_width(text) <= room:
        return text
    for digits in (3, 2, 1):
        shorter = plain(value, f".{digits}g")
        if compact_width(shorter) <= room:
            break
    return shorter


def text_width(text: str, size: float) -> float | None:
    """How wide `text` is drawn at text `size` in the app's font, in pixels; None before the app's
    first frame, when Dear PyGui cannot measure text yet."""
    measured = dpg.get_text_size(text)
    return measured[0] * size / theme.FONT_SIZE if measured else None


def fitted_title(title: str, room: float, size: float) -> str:
    """A node's title cut at the end, with an ellipsis, to be drawn within `room` pixels at text
    `size`: the name is cut and its role marks (node_view.title_text) kept. Whole when it fits,
    or when text cannot be measured yet (the canvas fits it again after the first frame)."""
    width = text_width(title, size)
    if width is None or width <= room:
        return title
    name, separator, marks = title.partition(node_view.TITLE_SEPARATOR)
    tail = ELLIPSIS + separator + marks
    room_for_name = room - text_width(tail, size)
    low, high = 0, len(name)  # the longest start of the name that fits beside the tail
    while low < high:
        middle = (low + high + 1) // 2
        if text_width(name[:middle], size) <= room_for_name:
            low = middle
        else:
            high = middle - 1
    return name[:low].rstrip() + tail


def compact_width(text: str) -> float:
    """How wide a compact box's text is drawn, in pixels (estimated before text can be measured)."""
    width = text_width(text, COMPACT_TEXT_SIZE)
    return 0.6 * COMPACT_TEXT_SIZE * len(text) if width is None else width


def compact_inset(zoom: float) -> float:
    """How far a compact box's texts sit in from its corner, in document units."""
    return COMPACT_INSET_PIXELS / zoom


def compact_line(zoom: float) -> float:
    """The height of one line of a compact box's text, in document units."""
    return (COMPACT_TEXT_SIZE + 2) / zoom


def compact_value_top(zoom: float) -> float:
    """Where a compact box's value line starts, below its title (document units)."""
    return compact_inset(zoom) + compact_line(zoom)


@functools.lru_cache(maxsize=64)
def link_colour(fraction: float) -> tuple[int, int, int, int]:
    """The Dataset window's scale: blue for -1, white for 0, red for +1 (learning/surface.py)."""
    from mlgarden.learning.surface import BLUE, RED, WHITE

    towards = RED if fraction > 0 else BLUE
    amount = min(1.0, abs(fraction))
    return tuple(int(round(255 * (float(w) + (float(t) - float(w)) * amount)))
                 for w, t in zip(WHITE, towards)) + (255,)


def signed_log_fraction(gradient: float | None, largest: float) -> float:
    """-1..1: the sign of the gradient times its size on a log scale over four decades below
    the largest one in view (0 for none, a zero or a non-finite one)."""
    if gradient is None or not math.isfinite(gradient) or gradient == 0 or largest <= 0:
        return 0.0
    size = max(0.0, min(1.0, (4.0 + math.log10(abs(gradient) / largest)) / 4.0))
    steps = FRACTION_STEPS  # in steps, so small changes while training redraw nothing
    return math.copysign(max(round(size * steps) / steps, 0.125), gradient)
