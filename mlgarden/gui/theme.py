"""How the app looks: the font, one colour per kind of node, and the marks of the result and loss.

The eye should find what can be nudged: params are green, constants grey, data inputs blue,
arithmetic and functions violet, activations magenta, losses red, calls of user functions amber
(their body's pin nodes teal). The result node and the loss
node get a bright outline as well as a mark in their title. Gradients are always orange, as in
the write-up, and every number on the canvas uses one format (`number`).

The canvas draws nodes itself (gui/canvas_draw.py) with these colours. The op
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
from mlgarden.engine.ops import OPS
from mlgarden.gui import ids
from mlgarden.number_text import plain

FONT_SIZE = 15

CANVAS_COLOUR = (28, 29, 33, 255)
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
ROLE_OUTLINES = {"result": (90, 210, 255, 255), "loss": (255, 90, 90, 255)}
DEFAULT_BUTTON_COLOURS = {  # a dialog's default button (what Enter does): brighter than the others
    dpg.mvThemeCol_Button: (45, 105, 180, 255),
    dpg.mvThemeCol_ButtonHovered: (66, 140, 230, 255),
    dpg.mvThemeCol_ButtonActive: (30, 90, 170, 255),
    dpg.mvThemeCol_Border: (150, 190, 255, 255),
}
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
    return plain(value, ".4g")


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


def mark_default_button(button: int | str) -> None:
    """Show `button` as its dialog's default, the one Enter presses: a brighter fill and a border."""
    if not dpg.does_item_exist(ids.DEFAULT_BUTTON_THEME):
        with dpg.theme(tag=ids.DEFAULT_BUTTON_THEME):
            with dpg.theme_component(dpg.mvButton):
                for target, colour in DEFAULT_BUTTON_COLOURS.items():
                    dpg.add_theme_color(target, colour)
                dpg.add_theme_style(dpg.mvStyleVar_FrameBorderSize, 1)
    dpg.bind_item_theme(button, ids.DEFAULT_BUTTON_THEME)
