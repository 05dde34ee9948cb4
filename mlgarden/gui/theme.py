"""How the app looks: the font, one colour per kind of node, and the marks of the result and loss.

The eye should find what can be nudged: params are green, constants grey, data inputs blue,
arithmetic and functions violet, activations magenta, losses red, calls of user functions amber
(their body's pin nodes teal). The result node and the loss
node get a bright outline as well as a mark in their title. Gradients are always orange, as in
the write-up, and every number on the canvas uses one format (`number`).

Node colours must be given with `category=mvThemeCat_Nodes` or imnodes ignores them. The op
symbols (Σ, √, σ, ²) and the marks need a font with those glyphs: the app draws with the DejaVu
Sans it ships (assets/, see mlgarden/shipped.py), never with a font the machine happens to have,
so it looks the same, and is measured the same by the tests, everywhere. Only when the package's
assets are missing is the default font kept, with plain names and ASCII marks. (Dear PyGui 2.3
loads the glyphs a text needs by itself; no character ranges are declared.)
"""

from __future__ import annotations

import math

import dearpygui.dearpygui as dpg

from mlgarden import shipped
from mlgarden.gui import ids
from mlgarden.engine.ops import OPS

FONT_SIZE = 15

GRADIENT_COLOUR = (255, 160, 40, 255)
MISSING = "—"
MISSING_ASCII = "-"

KIND_COLOURS = {
    "param": (46, 125, 70),
    "const": (88, 92, 104),
    "inputs": (40, 100, 160),
    "arithmetic": (96, 74, 140),
    "functions": (110, 82, 150),
    "activations": (150, 56, 120),
    "losses": (160, 50, 50),
    "function calls": (176, 120, 30),  # an instance of a user function: amber, unlike any op
    "function pins": (60, 130, 130),  # a function body's input and output nodes
}
NODE_PADDING = (8, 4)  # imnodes' default is (8, 8); with tight rows a node fits a layout row
ROW_SPACING = 1
ROLE_OUTLINES = {"result": (90, 210, 255, 255), "loss": (255, 90, 90, 255)}
ROLE_MARKS = {"result": ("◆ result", "<> result"), "loss": ("▲ loss", "^ loss")}

_state = {"unicode": False}


def load_font() -> bool:
    """Bind the bundled font, which has the symbols the canvas uses; True if it was found."""
    font = shipped.asset(shipped.FONT_FILE)
    _state["unicode"] = font is not None
    if font is not None:
        with dpg.font_registry(tag=ids.FONT_REGISTRY):
            dpg.add_font(str(font), FONT_SIZE, tag=ids.FONT)
        dpg.bind_font(ids.FONT)
    return font is not None


def unicode_font() -> bool:
    return _state["unicode"]


def number(value: float | None) -> str:
    """The one format for a value or a gradient on the canvas: four significant digits."""
    if value is None:
        return missing()
    if math.isnan(value):
        return "NaN"
    return f"{value:.4g}"


def missing() -> str:
    """What a node shows for a number it cannot compute (an input pin is not connected)."""
    return MISSING if _state["unicode"] else MISSING_ASCII


def symbol(op_name: str) -> str:
    op = OPS[op_name]
    return op.symbol if _state["unicode"] or op.symbol.isascii() else op.name


def role_mark(role: str) -> str:
    fancy, plain = ROLE_MARKS[role]
    return fancy if _state["unicode"] else plain


def kind_of(op_name: str) -> str:
    """The colour group of an op: params and constants apart, the rest by category."""
    if op_name in ("param", "const"):
        return op_name
    category = OPS[op_name].category
    return category if category in KIND_COLOURS else "arithmetic"


def _lighter(colour, amount):
    return tuple(min(255, channel + amount) for channel in colour[:3]) + (255,)


def create_node_themes() -> dict[tuple[str, str | None], int]:
    """One theme per (kind, role): role is None, 'result' or 'loss'."""
    themes = {}
    for kind, colour in KIND_COLOURS.items():
        for role in (None, "result", "loss"):
            with dpg.theme() as theme:
                with dpg.theme_component(dpg.mvAll):
                    nodes = dpg.mvThemeCat_Nodes
                    dpg.add_theme_color(dpg.mvNodeCol_TitleBar, colour + (255,), category=nodes)
                    dpg.add_theme_color(dpg.mvNodeCol_TitleBarHovered, _lighter(colour, 30),
                                        category=nodes)
                    dpg.add_theme_color(dpg.mvNodeCol_TitleBarSelected, _lighter(colour, 60),
                                        category=nodes)
                    if role is not None:
                        dpg.add_theme_color(dpg.mvNodeCol_NodeOutline, ROLE_OUTLINES[role],
                                            category=nodes)
                        dpg.add_theme_style(dpg.mvNodeStyleVar_NodeBorderThickness, 3.0,
                                            category=nodes)
            themes[(kind, role)] = theme
    return themes


def create_editor_theme() -> int:
    """Compact nodes; layout.node_height estimates the heights these settings give."""
    with dpg.theme() as theme:
        with dpg.theme_component(dpg.mvAll):
            dpg.add_theme_style(dpg.mvNodeStyleVar_NodePadding, *NODE_PADDING,
                                category=dpg.mvThemeCat_Nodes)
            dpg.add_theme_style(dpg.mvStyleVar_ItemSpacing, 8, ROW_SPACING)
    return theme


def create_origin_theme() -> int:
    """Makes the hidden origin node invisible: every colour it draws is transparent."""
    clear = (0, 0, 0, 0)
    with dpg.theme() as theme:
        with dpg.theme_component(dpg.mvAll):
            nodes = dpg.mvThemeCat_Nodes
            for colour in (dpg.mvNodeCol_NodeBackground, dpg.mvNodeCol_NodeBackgroundHovered,
                           dpg.mvNodeCol_NodeBackgroundSelected, dpg.mvNodeCol_NodeOutline,
                           dpg.mvNodeCol_TitleBar, dpg.mvNodeCol_TitleBarHovered,
                           dpg.mvNodeCol_TitleBarSelected):
                dpg.add_theme_color(colour, clear, category=nodes)
    return theme
