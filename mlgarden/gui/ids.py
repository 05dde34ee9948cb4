"""Every Dear PyGui tag the app's own windows use, made in one place.

Tags are strings so that a test or a debugger can name an item. A node's tags carry its
document id, which never contains ':' (nodes.ID_PATTERN), so a tag can be read back into the
node and pin it stands for. The panels (training, dataset, help) make their own tags, each
with its own prefix.
"""

from __future__ import annotations

# --- windows and fixed widgets -----------------------------------------------------------------
CANVAS_WINDOW = "canvas.window"
EDITOR = "canvas.drawlist"  # the drawlist the canvas draws on
STATUS_WINDOW = "status.window"
STATUS_TEXT = "status.text"
MENU_BAR = "menu.bar"
EXAMPLES_MENU = "menu.examples"
RECENT_MENU = "menu.recent"
HELP_MENU = "menu.help"
ABOUT_ITEM = "menu.help.about"
ABOUT_WINDOW = "about_window"
ABOUT_TITLE = "about_window.title"
ABOUT_TEXT = "about_window.text"
UNDO_ITEM = "menu.edit.undo"
ARRANGE_ITEM = "menu.edit.arrange"
INSERT_LAYER_ITEM = "menu.edit.insert_layer"
REDO_ITEM = "menu.edit.redo"
GLOBAL_HANDLERS = "handlers.global"
FONT_REGISTRY = "theme.fonts"
FONT = "theme.font"
DEFAULT_BUTTON_THEME = "theme.default_button"

# --- context menus and dialogs -------------------------------------------------------------------
CANVAS_MENU = "menu.canvas"
NODE_MENU = "menu.node"
NODE_MENU_TITLE = "menu.node.title"
LINK_MENU = "menu.link"
LINK_MENU_TITLE = "menu.link.title"
LINK_MENU_DISCONNECT = "menu.link.disconnect"
PALETTE = "dialog.palette"
PALETTE_FILTER = "dialog.palette.filter"
PALETTE_LIST = "dialog.palette.list"
RENAME = "dialog.rename"
RENAME_INPUT = "dialog.rename.input"
RENAME_OK = "dialog.rename.ok"
CONFIRM = "dialog.confirm"
CONFIRM_TEXT = "dialog.confirm.text"
CONFIRM_BUTTONS = "dialog.confirm.buttons"
ERROR = "dialog.error"
ERROR_TEXT = "dialog.error.text"
ERROR_OK = "dialog.error.ok"
EXPORT_DATA_ITEM = "menu.file.export_data"
INSERT_LAYER = "dialog.layer"
INSERT_LAYER_TEXT = "dialog.layer.text"
INSERT_LAYER_WIDTH = "dialog.layer.width"
INSERT_LAYER_ACTIVATION = "dialog.layer.activation"
INSERT_LAYER_FLAT = "dialog.layer.flat"
INSERT_LAYER_OK = "dialog.layer.ok"
INSERT_LAYER_CANCEL = "dialog.layer.cancel"
CANVAS_MENU_INSERT_LAYER = "menu.canvas.insert_layer"
EDIT_MENU = "menu.edit"
FILE_MENU = "menu.file"
TOOLS_MENU = "menu.tools"
EXPORT_PYTHON_ITEM = "menu.file.export_python"
CHECK_GRADIENTS_ITEM = "menu.tools.check_gradients"
GRADCHECK_WINDOW = "window.gradcheck"
GRADCHECK_TEXT = "window.gradcheck.text"


def example_item(name: str) -> str:
    return f"menu.examples.{name}"


def canvas_menu_category(category: str) -> str:
    return f"menu.canvas.category:{category}"


def canvas_menu_op(op: str) -> str:
    return f"menu.canvas.op:{op}"


def node_menu_item(action: str) -> str:
    return f"menu.node.item:{action}"


def palette_entry(op: str) -> str:
    return f"dialog.palette.op:{op}"


# --- one node's items ------------------------------------------------------------------------------


def node(node_id: str) -> str:
    return f"node:{node_id}"


def output_pin(reference: str) -> str:
    """An output pin: 'out:n', or 'out:f1:2' for output 2 of call f1 (a reference, graph.py)."""
    return f"out:{reference}"


def input_pin(node_id: str, pin: int) -> str:
    return f"in:{node_id}:{pin}"


def value_text(node_id: str) -> str:
    return f"value:{node_id}"


def value_field(node_id: str) -> str:
    """The value of a param (drag it) or a const (click it to type), as a place on the canvas."""
    return f"field:{node_id}"


def exponent_field(node_id: str) -> str:
    return f"exponent:{node_id}"


def gradient_text(node_id: str) -> str:
    return f"grad:{node_id}"


def link(source: str, target: str, pin: int) -> str:
    return f"link:{source}:{target}:{pin}"


# --- reading tags back -------------------------------------------------------------------------------


def node_of(tag: str) -> str | None:
    """The document id a node tag stands for, or None for any other tag (the origin node)."""
    kind, _, rest = str(tag).partition(":")
    return rest if kind == "node" and rest else None


def pin_of(tag: str) -> tuple[str, int | None] | None:
    """(node id, pin index) for an input pin tag, (reference, None) for an output pin tag (the
    reference is the node id for output 0, 'f1:2' for output 2 of a call)."""
    parts = str(tag).split(":")
    if parts[0] == "out" and len(parts) == 2:
        return parts[1], None
    if parts[0] == "out" and len(parts) == 3 and parts[2].isdigit():
        return f"{parts[1]}:{parts[2]}", None
    if parts[0] == "in" and len(parts) == 3 and parts[2].isdigit():
        return parts[1], int(parts[2])
    return None


def link_of(tag: str) -> tuple[str, str, int] | None:
    """(source reference, target, pin) for a link tag ('link:f1:2:h1:0' reads from 'f1:2')."""
    parts = str(tag).split(":")
    if parts[0] == "link" and len(parts) in (4, 5) and parts[-1].isdigit():
        return ":".join(parts[1:-2]), parts[-2], int(parts[-1])
    return None


# --- functions (gui/function_view.py, gui/function_dialogs.py) ------------------------------------
FUNCTION_HEADING = "canvas.function.heading"
FUNCTION_HEADING_TEXT = "canvas.function.heading.text"
FUNCTION_BACK = "canvas.function.back"
INSERT_FUNCTION_MENU = "menu.edit.insert_function"
COLLAPSE_ITEM = "menu.edit.collapse"
EXPAND_ITEM = "menu.edit.expand"
COLLAPSE_DIALOG = "dialog.collapse"
COLLAPSE_NAME = "dialog.collapse.name"
COLLAPSE_PINS = "dialog.collapse.pins"
COLLAPSE_OK = "dialog.collapse.ok"
TEMPLATE_DIALOG = "dialog.template"
TEMPLATE_TEXT = "dialog.template.text"
TEMPLATE_NAME = "dialog.template.name"
TEMPLATE_INPUTS = "dialog.template.inputs"
TEMPLATE_ACTIVATION = "dialog.template.activation"
TEMPLATE_OK = "dialog.template.ok"


def collapse_pin_field(kind: str, index: int) -> str:
    """The name field of input (kind 'in') or output ('out') `index` in the collapse dialog."""
    return f"dialog.collapse.{kind}:{index}"


def insert_function_item(name: str) -> str:
    return f"menu.edit.insert_function:{name}"


def call_function_text(node_id: str) -> str:
    """The row of a call node that names its function (hover it for the description)."""
    return f"function:{node_id}"


# --- the canvas's drawing (gui/canvas.py) -----------------------------------------------------------
WORLD = "canvas.world"  # the draw node whose transform is the view
LINK_LAYER = "canvas.links"
NODE_LAYER = "canvas.nodes"
OVERLAY_LAYER = "canvas.overlay"  # the wire or box a gesture draws
SCREEN_LAYER = "canvas.screen"  # drawn in canvas pixels: the minimap
CANVAS_TOOLTIP = "canvas.tooltip"
CANVAS_TOOLTIP_TEXT = "canvas.tooltip.text"
CANVAS_HANDLERS = "canvas.handlers"
VALUE_EDITOR = "canvas.value_editor"
VALUE_EDITOR_FIELD = "canvas.value_editor.field"
MINIMAP = "canvas.minimap"
MINIMAP_TEXTURE = "canvas.minimap.texture"
MINIMAP_VIEW = "canvas.minimap.view"
TEXTURES = "canvas.textures"
ZOOM_TEXT = "status.zoom"
GRADIENT_LINKS_ITEM = "menu.view.gradient_links"
THUMBNAILS_ITEM = "menu.view.thumbnails"
VIEW_MENU = "menu.view"
THUMBNAIL_TEXTURES = "canvas.thumbnails.textures"
