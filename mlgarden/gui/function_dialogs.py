"""Functions in the app: collapse and expand, Insert function, editing a definition, sharing.

- Collapse (ctrl+G, Edit menu, a node's menu): the selected nodes become a new function and one
  instance of it. A small modal asks the function's name and shows the names its input pins and
  outputs will get (function_edits.collapse_pins gives the defaults), each editable; OK runs the
  core's collapse as one undo step. A refused collapse says why in the status line.
- Expand (ctrl+shift+G, a call's menu): the selected call (or the one right-clicked) becomes its
  body's plain nodes again.
- Edit > Insert function lists the functions the graph defines and the built-in templates
  (perceptron with N inputs and an activation, sine feature, distance). A template asks its
  options in a small modal, is defined unless an identical function of that name exists, and an
  instance with its own freshly drawn params is put in the middle of the canvas: one undo step.
- A call's menu "Edit definition" shows the function's body on the canvas (Canvas.open_function);
  a param's menu there has "Shared by all instances" (the `set_shared` edit).

Keys in the Collapse and Insert function dialogs, as in any desktop dialog: Enter presses the
default button (Collapse, Insert), from any of their fields, with what the fields hold; Esc closes
them as Cancel does, changing nothing. The app hands the open dialog every key (`key_pressed`), so
no shortcut or canvas key acts behind it.

While the canvas shows a body, collapse, expand and insert act inside that body, through the
Session's scope (`Session.edit_shown`, `Session.insert_function_shown`), so every instance follows.
"""

from __future__ import annotations

import dearpygui.dearpygui as dpg

from mlgarden.document.function_edits import collapse_pins
from mlgarden.document.function_templates import ACTIVATIONS, MAX_INPUTS, build
from mlgarden.document.graph import GraphError
from mlgarden.gui import ids, menus, theme

TEMPLATE_TITLES = {"perceptron": "Perceptron…", "sine_feature": "Sine feature…",
                   "distance": "Distance to a learned point…"}
FIELD_WIDTH = 200
DIALOG_TOP = 140


class FunctionActions:
    """The app's function commands; `app` gives the session, the canvas and the status line."""

    def __init__(self, app) -> None:
        self.app = app
        self._collapse_nodes: list[str] = []
        self._template = ""
        self._shown_functions: tuple | None = None

    @property
    def session(self):
        return self.app.session

    @property
    def canvas(self):
        return self.app.canvas

    # --- building ------------------------------------------------------------------------------

    def build(self) -> None:
        with dpg.window(tag=ids.COLLAPSE_DIALOG, label="Collapse into function", modal=True,
                        show=False, no_resize=True, autosize=True, no_close=True):
            dpg.add_input_text(tag=ids.COLLAPSE_NAME, label="function name", width=FIELD_WIDTH)
            dpg.add_text("Pin names (edit to rename):")
            dpg.add_group(tag=ids.COLLAPSE_PINS)
            with dpg.group(horizontal=True):
                dpg.add_button(label="Collapse", tag=ids.COLLAPSE_OK, width=90,
                               callback=lambda: self.answer_collapse())
                dpg.add_button(label="Cancel", width=90,
                               callback=lambda: dpg.configure_item(ids.COLLAPSE_DIALOG, show=False))
        with dpg.window(tag=ids.TEMPLATE_DIALOG, label="Insert function", modal=True, show=False,
                        no_resize=True, autosize=True, no_close=True):
            dpg.add_text("", tag=ids.TEMPLATE_TEXT, wrap=360)
            dpg.add_input_text(tag=ids.TEMPLATE_NAME, label="function name", width=FIELD_WIDTH)
            dpg.add_input_int(tag=ids.TEMPLATE_INPUTS, label="inputs", default_value=2, min_value=1,
                              max_value=MAX_INPUTS, min_clamped=True, max_clamped=True, width=120)
            dpg.add_combo(ACTIVATIONS, tag=ids.TEMPLATE_ACTIVATION, label="activation",
                          default_value="tanh", width=120)
            with dpg.group(horizontal=True):
                dpg.add_button(label="Insert", tag=ids.TEMPLATE_OK, width=90,
                               callback=lambda: self.answer_template())
                dpg.add_button(label="Cancel", width=90,
                               callback=lambda: dpg.configure_item(ids.TEMPLATE_DIALOG, show=False))
        for default in (ids.COLLAPSE_OK, ids.TEMPLATE_OK):
            theme.mark_default_button(default)

    def is_open(self) -> bool:
        return dpg.is_item_shown(ids.COLLAPSE_DIALOG) or dpg.is_item_shown(ids.TEMPLATE_DIALOG)

    def key_pressed(self, key: int) -> None:
        """A key while a dialog is open: Enter is its default button, Esc its Cancel."""
        window, answer = ((ids.COLLAPSE_DIALOG, self.answer_collapse)
                          if dpg.is_item_shown(ids.COLLAPSE_DIALOG)
                          else (ids.TEMPLATE_DIALOG, self.answer_template))
        if key in menus.ENTER_KEYS:
            answer()
        elif key == dpg.mvKey_Escape:
            dpg.configure_item(window, show=False)

    def update(self) -> None:
        """Once a frame: refill Edit > Insert function when the defined functions changed."""
        functions = tuple(self.session.document.functions)
        if functions != self._shown_functions:
            self._shown_functions = functions
            self.fill_insert_menu(functions)

    def fill_insert_menu(self, functions) -> None:
        dpg.delete_item(ids.INSERT_FUNCTION_MENU, children_only=True)
        for name in functions:
            dpg.add_menu_item(label=name, parent=ids.INSERT_FUNCTION_MENU, user_data=name,
                              tag=ids.insert_function_item(name),
                              callback=lambda sender, data, chosen: self.insert(chosen))
        if functions:
            dpg.add_separator(parent=ids.INSERT_FUNCTION_MENU)
        for template, title in TEMPLATE_TITLES.items():
            dpg.add_menu_item(label=f"New {title[0].lower()}{title[1:]}", user_data=template,
                              parent=ids.INSERT_FUNCTION_MENU,
                              tag=ids.insert_function_item(f"new:{template}"),
                              callback=lambda sender, data, chosen: self.ask_template(chosen))

    @staticmethod
    def _show(window: str, focus: str) -> None:
        width = dpg.get_viewport_client_width()
        dpg.configure_item(window, show=True, pos=(max(0, width // 2 - 200), DIALOG_TOP))
        dpg.focus_item(focus)

    # --- collapse and expand -----------------------------------------------------------------------

    def ask_collapse(self, node_ids: list[str] | None = None) -> None:
        """Open the collapse dialog for the selected nodes (or `node_ids`)."""
        chosen = list(node_ids) if node_ids else self.canvas.selected_nodes()
        if not chosen:
            self.session.status = "select the nodes to collapse first (drag a box around them)"
            return
        try:
            inputs, outputs = collapse_pins(self.canvas.document, chosen)
        except GraphError as error:
            self.session.status = str(error)
            return
        self._collapse_nodes = chosen
        dpg.set_value(ids.COLLAPSE_NAME, self._fresh_name("function"))
        dpg.delete_item(ids.COLLAPSE_PINS, children_only=True)
        for kind, names in (("in", inputs), ("out", outputs)):
            for index, name in enumerate(names):
                dpg.add_input_text(tag=ids.collapse_pin_field(kind, index), parent=ids.COLLAPSE_PINS,
                                   label=f"{'input' if kind == 'in' else 'output'} {index + 1}",
                                   default_value=name, width=FIELD_WIDTH)
        if not outputs:
            dpg.add_text("(nothing leaves the selection)", parent=ids.COLLAPSE_PINS)
        self._show(ids.COLLAPSE_DIALOG, ids.COLLAPSE_NAME)

    def answer_collapse(self) -> None:
        dpg.configure_item(ids.COLLAPSE_DIALOG, show=False)
        name = dpg.get_value(ids.COLLAPSE_NAME).strip()
        names = {kind: [dpg.get_value(item).strip() for item in self._pin_fields(kind)]
                 for kind in ("in", "out")}
        self.collapse(self._collapse_nodes, name, names["in"], names["out"])

    @staticmethod
    def _pin_fields(kind: str) -> list[str]:
        found, index = [], 0
        while dpg.does_item_exist(ids.collapse_pin_field(kind, index)):
            found.append(ids.collapse_pin_field(kind, index))
            index += 1
        return found

    def collapse(self, node_ids, name: str, input_names=None, output_names=None) -> str | None:
        instance = self.session.edit_shown("collapse", list(node_ids), name, input_names or None,
                                           output_names or None)
        if instance:
            self.session.status = f"collapsed {len(node_ids)} node(s) into function {name} ({instance})"
            self.canvas.clear_selection()
            self.canvas.make_room_for([instance])
        return instance or None

    def expand(self, node_id: str | None = None) -> list[str] | None:
        """Expand the call `node_id`, or the one selected call."""
        document = self.canvas.document
        if node_id is None:
            calls = [n for n in self.canvas.selected_nodes() if document.nodes[n].op == "call"]
            if len(calls) != 1:
                self.session.status = "select one function call to expand"
                return None
            node_id = calls[0]
        added = self.session.edit_shown("expand", node_id)
        if added:
            self.session.status = f"expanded {node_id} into {len(added)} node(s)"
            self.canvas.clear_selection()
            self.canvas.make_room_for(added)
        return added or None

    # --- inserting ---------------------------------------------------------------------------------

    def insert(self, name: str, template: str | None = None, **options) -> str | None:
        """An instance of `name` in the middle of the canvas (defining template `template` first
        when it is given), as one undo step; inside a body, into the body."""
        instance = self.session.insert_function_shown(name, self.canvas.visible_centre(), template,
                                                      **options)
        if instance:
            self.canvas.make_room_for([instance])
        return instance

    def ask_template(self, template: str) -> None:
        self._template = template
        dpg.set_value(ids.TEMPLATE_TEXT, f"Insert a {TEMPLATE_TITLES[template].rstrip('…').lower()} "
                                         f"(defined once; each instance has its own params)")
        default = build(template)
        existing = self.session.document.functions.get(default.name)
        name = default.name if existing is None or existing == default else self._fresh_name(default.name)
        dpg.set_value(ids.TEMPLATE_NAME, name)
        for item in (ids.TEMPLATE_INPUTS, ids.TEMPLATE_ACTIVATION):
            dpg.configure_item(item, show=template == "perceptron")
        self._show(ids.TEMPLATE_DIALOG, ids.TEMPLATE_NAME)

    def answer_template(self) -> str | None:
        dpg.configure_item(ids.TEMPLATE_DIALOG, show=False)
        options = {}
        if self._template == "perceptron":
            activation = dpg.get_value(ids.TEMPLATE_ACTIVATION)
            options = {"inputs": int(dpg.get_value(ids.TEMPLATE_INPUTS)),
                       "activation": None if activation == "none" else activation}
        return self.insert(dpg.get_value(ids.TEMPLATE_NAME).strip(), self._template, **options)

    def _fresh_name(self, prefix: str) -> str:
        functions = self.session.document.functions
        if prefix not in functions:
            return prefix
        number = 2
        while f"{prefix}{number}" in functions:
            number += 1
        return f"{prefix}{number}"

    # --- a call's and a body param's menu ------------------------------------------------------------

    def node_menu_action(self, action: str, node_id: str) -> None:
        node = self.canvas.document.nodes[node_id]
        if action == "expand":
            self.expand(node_id)
        elif action == "edit_definition" and node.op == "call":
            self.canvas.open_function(node.function, node_id)
        elif action == "collapse":
            selected = self.canvas.selected_nodes()
            self.ask_collapse(selected if node_id in selected else [node_id])
        elif action == "shared" and node.op == "param" and self.canvas.scope is not None:
            if self.session.edit("set_shared", self.canvas.scope, node_id, not node.shared):
                state = "shared by all instances" if not node.shared else "each instance's own"
                self.session.status = f"{node.title} is now {state}"
