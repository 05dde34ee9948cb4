"""The app: one viewport, a hand-written frame loop, and the file commands.

Lifecycle: `App(session, panels).build()` makes the context, the viewport and every window;
`run_frame()` runs ONE frame (tests step it); `next_frame()` is one frame as the loop runs it,
guarded and paced (gui/frame_pacing.py: the frames leave a core to training); `run()` loops
until the user quits; `close()` destroys the context. `run_app(path)` is what `mlgarden` and
`mlgarden FILE` call.

One frame, in this order (the app runs Dear PyGui's callbacks itself,
with `configure_app(manual_callback_management=True)`, so edits never race): run
the queued callbacks (gestures become session edits), take what the training worker sent
(`Session.poll_training`: training runs in a process of its own, learning/worker.py, and never
takes a frame's time), bring the canvas and the panels up to date, render.
benchmarks/bench_gui.py measures the frame rates and the samples trained, idle and playing.

Layout at any viewport size: the menu bar on top, the status line at the bottom, the canvas on
the left 60%, and the docked panels stacked in the right column (Training on top, Dataset
below). A resize lays everything out again from the new size, so nothing overlaps. The column is
shared by PANEL_SHARES, except that the upper panel is given at least its `min_height()` (what it
needs to show its content with its plot at its smallest) while the lower keeps its own: the
Training panel grows while the step-through's sentence or an error stands above its loss curve,
and the app lays out again whenever a panel's need changes. The Help
panel and the About this graph panel (gui/about_panel.py: the graph's description, shown when an
example is opened) float above, shown from the Help menu.

Panels follow one protocol: constructed with the Session, `build()` makes the panel's own
window and returns its tag, `update()` runs once a frame after the training poll, and a docked
panel's `min_height()` says the least height that shows all of it, as drawn in the last frame.

Unsaved work is never dropped silently: New, Open, an example and closing the window ask first
("Discard unsaved changes?" Save / Discard / Cancel). A file that fails to load shows its error
in a dialog and leaves the open graph as it was. Saving over a file another program changed since
it was opened asks first (Overwrite / Cancel), and so does Save As onto an existing file (Replace /
Cancel). In every question Esc is Cancel (Not now in the recovery offer) and Enter the default
button, never the one that loses work: Save, Cancel, Cancel, Restore (gui/dialogs.py).

At start (`start`): the error of a file given on the command line, then (once no dialog is open)
the offer to restore the unsaved work of a session that ended without saving, if any instance left
a copy whose process is gone; and on the very first launch the Help panel's getting-started
overlay, shown once no dialog is open, so the question comes first.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

import dearpygui.dearpygui as dpg

from mlgarden import shipped, userstate
from mlgarden.gui import dialogs as dialogs_module
from mlgarden.gui import ids, menus, theme
from mlgarden.gui.about_panel import AboutPanel
from mlgarden.gui.canvas import Canvas
from mlgarden.gui.frame_pacing import FramePacer
from mlgarden.gui.function_dialogs import FunctionActions
from mlgarden.gui.learning_aids import LearningAids
from mlgarden.gui.layer_dialog import LayerDialog
from mlgarden.gui.tools import Tools
from mlgarden.session import DEFAULT_EXAMPLE, Session, graph_path

WIDTH, HEIGHT = 1280, 800
MENU_HEIGHT = 22
STATUS_HEIGHT = 32  # ImGui's smallest window height
CANVAS_SHARE = 0.6
ERROR_LOG = "errors.log"  # in the state folder: the tracebacks of errors the app carried on after
PANEL_SHARES = (0.42, 0.58)  # Training on top, Dataset below


class App:
    def __init__(self, session: Session, panels: Sequence = (), help_panel=None):
        self.session = session
        self.panels = list(panels)
        self.help_panel = help_panel
        self.panel_windows: list[str] = []
        self.canvas = Canvas(session)
        session.current_view = self.canvas.current_view  # saved with the file (gui/view.py)
        self.canvas.ask_for_node = self.open_palette_for  # a wire dropped on empty canvas
        self.dialogs = dialogs_module.Dialogs()
        self.layer_dialog = LayerDialog(session, self.canvas)
        self.about = AboutPanel(session)
        self.functions = FunctionActions(self)
        self.aids = LearningAids(self)  # a node over the plane, the step-through (gui/learning_aids.py)
        self.tools = Tools(session, self.dialogs.files)  # Check gradients, Export as Python
        self.pacer = FramePacer()
        self.menu_node: str | None = None
        self.menu_link: tuple[str, str, int] | None = None
        self.menu_grid_position = (0.0, 0.0)
        self.quitting = False
        self.help_pending = False  # show the getting-started help once no dialog is open
        self.recovery_pending: userstate.RecoveryCopy | None = None  # offered once none is open
        self._no_dialog_last_frame = False
        self._shown_title = ""
        self._shown_status = None
        self._reported_error = ""  # the last internal error said in a dialog: said once
        self._menu_to_enable: str | None = None  # a bar menu drawn disabled for a frame, to close it
        self._panel_needs: tuple[int, ...] = ()  # the docked panels' min_height(), as laid out

    # --- building ------------------------------------------------------------------------------

    def build(self, width: int = WIDTH, height: int = HEIGHT) -> None:
        dpg.create_context()
        dpg.configure_app(manual_callback_management=True)
        small_icon, large_icon = (str(shipped.asset(name) or "") for name in shipped.ICON_FILES)
        dpg.create_viewport(title=self.session.title, width=width, height=height, x_pos=0, y_pos=0,
                            disable_close=True, small_icon=small_icon, large_icon=large_icon)
        self._shown_title = self.session.title
        theme.load_font()
        menus.build_menu_bar(self)
        menus.fill_recent_menu(self, userstate.recent_files())
        # The canvas's colour is the viewport's clear colour: a background painted again over the
        # canvas's area would cost a fifth of a frame under software OpenGL (docs/architecture.md).
        dpg.set_viewport_clear_color(theme.CANVAS_COLOUR)
        with dpg.window(tag=ids.CANVAS_WINDOW, no_title_bar=True, no_move=True, no_resize=True,
                        no_collapse=True, no_close=True, no_scrollbar=True,
                        no_bring_to_front_on_focus=True, no_background=True):
            self.canvas.build(ids.CANVAS_WINDOW)
        with dpg.window(tag=ids.STATUS_WINDOW, no_title_bar=True, no_move=True, no_resize=True,
                        no_collapse=True, no_close=True, no_scrollbar=True, min_size=(100, 10)):
            with dpg.group(horizontal=True, horizontal_spacing=30):
                dpg.add_text("", tag=ids.ZOOM_TEXT, color=(170, 170, 170, 255))
                dpg.add_text("", tag=ids.STATUS_TEXT)
        self.panel_windows = [panel.build() for panel in self.panels]
        for window in self.panel_windows:  # docked: the layout, not the user, places them; on
            # the canvas's colour, as the viewport clears to it (a background costs a frame's 10%)
            dpg.configure_item(window, no_move=True, no_resize=True, no_collapse=True,
                               no_background=True)
        # the windows that float over the canvas, which Esc closes while one has the focus
        self.floating_windows = [ids.ABOUT_WINDOW, ids.GRADCHECK_WINDOW]
        if self.help_panel is not None:
            self.floating_windows.append(self.help_panel.build())
        self.about.build()
        self.dialogs.build()
        self.layer_dialog.build()
        self.functions.build()
        self.tools.build()
        menus.build_context_menus(self)
        self._build_handlers()
        dpg.set_viewport_resize_callback(lambda sender, data: self.layout())
        dpg.set_exit_callback(lambda: self.request_quit())
        dpg.setup_dearpygui()
        dpg.show_viewport()
        self.layout()

    def _build_handlers(self) -> None:
        with dpg.handler_registry(tag=ids.GLOBAL_HANDLERS):
            dpg.add_key_press_handler(callback=lambda sender, key: self.key_pressed(key))
            dpg.add_mouse_click_handler(button=dpg.mvMouseButton_Right,
                                        callback=lambda: self.right_clicked())

    def layout(self) -> None:
        """Place every window from the viewport's size: nothing overlaps at any size."""
        width = max(dpg.get_viewport_client_width(), 400)
        height = max(dpg.get_viewport_client_height(), 300)
        body_height = height - MENU_HEIGHT - STATUS_HEIGHT
        canvas_width = int(width * CANVAS_SHARE) if self.panel_windows else width
        dpg.configure_item(ids.CANVAS_WINDOW, pos=(0, MENU_HEIGHT), width=canvas_width,
                           height=body_height)
        dpg.configure_item(ids.STATUS_WINDOW, pos=(0, height - STATUS_HEIGHT), width=width,
                           height=STATUS_HEIGHT)
        top = MENU_HEIGHT
        docked = self.panel_windows[:len(PANEL_SHARES)]
        for window, panel_height in zip(docked, self._docked_heights(body_height)):
            dpg.configure_item(window, pos=(canvas_width, top), width=width - canvas_width,
                               height=panel_height)
            top += panel_height

    def _docked_heights(self, body_height: int) -> list[int]:
        """The docked panels' heights, top first: by PANEL_SHARES, but the upper one gets its
        need as long as the lower one keeps its own (where both cannot, the upper one scrolls)."""
        count = min(len(self.panel_windows), len(PANEL_SHARES))
        if count < 2:
            return [body_height] * count
        upper = int(body_height * PANEL_SHARES[0])
        if len(self._panel_needs) == 2:
            upper_need, lower_need = self._panel_needs
            upper = max(upper, min(upper_need, body_height - lower_need))
        return [upper, body_height - upper]

    def _follow_panel_needs(self) -> None:
        """Lay out again when a docked panel's need changed (an error shown, a sentence gone)."""
        needs = tuple(panel.min_height() for panel in self.panels[:len(PANEL_SHARES)])
        if needs != self._panel_needs:
            self._panel_needs = needs
            self.layout()

    # --- the frame loop --------------------------------------------------------------------------

    def run_frame(self) -> None:
        if self._menu_to_enable is not None:  # closed by Esc in the frame before
            dpg.configure_item(self._menu_to_enable, enabled=True)
            self._menu_to_enable = None
        dpg.run_callbacks(dpg.get_callback_queue())
        self.session.poll_training()
        self.canvas.update()
        self.aids.update()
        self.dialogs.files.update()
        self.functions.update()
        for panel in self.panels:
            panel.update()
        self._follow_panel_needs()
        self.about.update()
        self.session.autosave()
        self._show_title_and_status()
        no_dialog = not self.dialog_open()
        # After an error, a frame later: a modal opened in the frame another closes closes with it.
        if self.recovery_pending is not None and no_dialog and self._no_dialog_last_frame:
            self.offer_recovery(self.recovery_pending)
            self.recovery_pending = None
        self._no_dialog_last_frame = no_dialog
        if self.help_pending and self.recovery_pending is None and not self.dialog_open():
            self.help_pending = False
            self.show_help()
            userstate.mark_help_seen()
        dpg.render_dearpygui_frame()

    def run(self) -> int:
        while dpg.is_dearpygui_running() and not self.quitting:
            self.next_frame()
        return 0

    def next_frame(self) -> None:
        """One frame of the app's loop: guarded, then paced."""
        self.guarded_frame()
        self.pacer.wait()

    def guarded_frame(self) -> None:
        """One frame, where an error of mlgarden's own does not end the app: it is written to
        ERROR_LOG in the state folder, said once in a dialog, and the frames go on (the graph
        stays open, autosaved for recovery as always). An error of the drawing itself ends it."""
        try:
            self.run_frame()
        except Exception as error:  # the last line of defence: every known failure is handled
            self._report_internal_error(error)
            dpg.render_dearpygui_frame()

    def _report_internal_error(self, error: Exception) -> None:
        log = userstate.state_dir() / ERROR_LOG
        try:
            log.parent.mkdir(parents=True, exist_ok=True)
            with log.open("a", encoding="utf-8") as file:
                file.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')}\n{traceback.format_exc()}\n")
        except OSError:
            log = None  # nowhere to write: the dialog still says what happened
        where = f" The details are in {log}." if log else ""
        message = (f"mlgarden hit an internal error and carried on: {type(error).__name__}: "
                   f"{error}.{where} If anything looks wrong, save your graph under a new name.")
        self.session.status = "internal error: see the message"
        if message != self._reported_error:
            self._reported_error = message
            self.dialogs.show_error(message)

    def close(self) -> None:
        self.session.close()  # ends the training worker: no process outlives the app
        self.canvas.clear()
        dpg.destroy_context()

    def _show_title_and_status(self) -> None:
        title = self.session.title
        if title != self._shown_title:
            dpg.set_viewport_title(title)
            self._shown_title = title
            menus.fill_recent_menu(self, userstate.recent_files())
        if self.session.status != self._shown_status:
            dpg.set_value(ids.STATUS_TEXT, self.session.status)
            self._shown_status = self.session.status

    # --- input -------------------------------------------------------------------------------------

    def dialog_open(self) -> bool:
        """A modal dialog has the keyboard and mouse: shortcuts and canvas menus wait."""
        return self.dialogs.is_open() or self.layer_dialog.is_open() or self.functions.is_open()

    def key_pressed(self, key: int) -> None:
        """A key goes to the open modal dialog, whichever it is (Enter: its default button, Esc: its
        Cancel), else to the learning aids and the shortcuts; never to both."""
        for dialogs in (self.dialogs, self.layer_dialog, self.functions):
            if dialogs.is_open():
                dialogs.key_pressed(key)
                return
        if key == dpg.mvKey_Escape and self._close_what_floats_on_top():
            return
        if menus.typing() or self.aids.key_pressed(key):
            return
        shortcut = menus.shortcut_pressed(key)
        if shortcut is not None and (self.canvas.is_hovered() or not shortcut.on_canvas):
            getattr(self, shortcut.action)()

    def _close_what_floats_on_top(self) -> bool:
        """Esc closes an open menu of the menu bar, else an open right-click menu, else the
        Getting started, About this graph or Gradient check window when it has the focus; True
        when it closed one."""
        menu = menus.open_bar_menu()
        if menu is not None:  # ImGui closes an open menu drawn disabled; enabled again next frame
            dpg.configure_item(menu, enabled=False)
            self._menu_to_enable = menu
            return True
        for popup in menus.POPUP_MENUS:
            if dpg.is_item_shown(popup):
                dpg.hide_item(popup)
                return True
        for window in self.floating_windows:
            if dpg.is_item_shown(window) and dpg.is_item_focused(window):
                dpg.hide_item(window)
                return True
        return False

    def right_clicked(self) -> None:
        """Open the node, link or canvas menu, by what is under the mouse."""
        if self.dialog_open() or not self.canvas.is_hovered():
            return
        mouse = dpg.get_mouse_pos(local=False)
        node_id = self.canvas.hovered_node()
        link = None if node_id else self.canvas.hovered_link()
        if node_id is not None:
            self.menu_node = node_id
            node = self.canvas.document.nodes[node_id]
            dpg.set_value(ids.NODE_MENU_TITLE, f"{node.title} ({node.function or node.op})")
            mark = "[x]" if node.trainable else "[ ]"
            dpg.configure_item(ids.node_menu_item("trainable"), show=node.op == "param",
                               label=f"Trainable {mark}")
            for action in ("expand", "edit_definition"):
                dpg.configure_item(ids.node_menu_item(action), show=node.op == "call")
            in_body = self.canvas.scope is not None
            dpg.configure_item(ids.node_menu_item("shared"), show=in_body and node.op == "param",
                               label=f"Shared by all instances {'[x]' if node.shared else '[ ]'}")
            dpg.configure_item(ids.NODE_MENU, show=True, pos=mouse)
        elif link is not None:
            self.menu_link = link
            dpg.set_value(ids.LINK_MENU_TITLE, f"{link[0]} → {link[1]} pin {link[2] + 1}")
            dpg.configure_item(ids.LINK_MENU, show=True, pos=mouse)
        else:
            self.menu_grid_position = self.canvas.grid_position(*mouse)
            dpg.configure_item(ids.CANVAS_MENU, show=True, pos=self._on_screen(mouse, menus.CANVAS_MENU_SIZE))

    @staticmethod
    def _on_screen(point, size) -> tuple[int, int]:
        """Where a popup of `size` opened at `point` stays inside the viewport."""
        right = dpg.get_viewport_client_width() - size[0]
        bottom = dpg.get_viewport_client_height() - size[1]
        return int(max(0, min(point[0], right))), int(max(0, min(point[1], bottom)))

    # --- edits from menus and keys -------------------------------------------------------------

    @staticmethod
    def _close_menu(menu: str, entry: str) -> None:
        dpg.set_value(entry, False)
        dpg.configure_item(menu, show=False)

    def add_node_from_menu(self, op: str) -> None:
        self._close_menu(ids.CANVAS_MENU, ids.canvas_menu_op(op))
        self.canvas.add_node(op, self.menu_grid_position)

    def open_palette(self) -> None:
        """The node goes where the mouse is over the canvas, else mid-canvas, on free space."""
        at = self.canvas.mouse_grid_position() if self.canvas.is_hovered() else self.canvas.visible_centre()
        self.dialogs.open_palette(lambda op: self.canvas.add_node(op, at, find_space=True))

    def open_palette_for(self, on_pick: Callable[[str], None]) -> None:
        self.dialogs.open_palette(on_pick)

    def node_menu_action(self, action: str) -> None:
        self._close_menu(ids.NODE_MENU, ids.node_menu_item(action))
        node_id = self.menu_node
        if node_id is None or node_id not in self.canvas.document.nodes:
            return
        if action in menus.FUNCTION_MENU_ITEMS:
            self.functions.node_menu_action(action, node_id)
        elif action == "rename":
            node = self.canvas.document.nodes[node_id]
            self.dialogs.ask_text(f"Rename {node_id}", node.label,
                                  lambda label: self.canvas.rename(node_id, label))
        elif action in ("result", "loss"):
            self.canvas.set_role(node_id, action)
        elif action == "trainable":
            self.canvas.toggle_trainable(node_id)
        elif action == "disconnect":
            self.canvas.disconnect_inputs(node_id)
        elif action == "delete":
            self.canvas.delete_node(node_id)

    def disconnect_menu_link(self) -> None:
        self._close_menu(ids.LINK_MENU, ids.LINK_MENU_DISCONNECT)
        if self.menu_link is not None:
            source, target, pin = self.menu_link
            self.canvas.disconnect_link((source, target, pin))

    def delete_selection(self) -> None:
        self.canvas.delete_selection()

    def collapse_selection(self) -> None:
        self.functions.ask_collapse()

    def expand_selection(self) -> None:
        self.functions.expand()

    def copy(self) -> None:
        self.session.copy(self.canvas.selected_nodes())

    def cut(self) -> None:
        self.session.cut(self.canvas.selected_nodes())

    def paste(self) -> None:
        """At the mouse when it is over the canvas, else in the middle of the canvas; the copies
        become the selection."""
        at = self.canvas.mouse_grid_position() if self.canvas.is_hovered() else self.canvas.visible_centre()
        pasted = self.session.paste(self.canvas.free_spot_for_fragment(self.session.clipboard, at))
        self.canvas.select_new(pasted)

    def duplicate(self) -> None:
        self.canvas.select_new(self.session.duplicate(self.canvas.selected_nodes()))

    def arrange(self) -> None:
        """Arrange the selected nodes where they are, or the whole graph and fit it in view."""
        selected = self.canvas.selected_nodes()
        self.session.arrange(selected or None)
        if not selected:
            self.canvas.fit()
        self.session.status = f"arranged {len(selected)} node(s)" if selected else "arranged the graph"

    def insert_layer_dialog(self) -> None:
        self.layer_dialog.ask()

    def insert_layer_here(self) -> None:
        """The canvas menu's Insert layer: the layer's top-left where the menu was opened."""
        self._close_menu(ids.CANVAS_MENU, ids.CANVAS_MENU_INSERT_LAYER)
        self.layer_dialog.ask(at=self.menu_grid_position)

    def fit_view(self) -> None:
        self.canvas.fit()

    def step_through_backprop(self) -> None:
        self.session.start_stepthrough("backward")

    def step_through_forward(self) -> None:
        self.session.start_stepthrough("forward")

    def zoom_in(self) -> None:
        self.canvas.zoom_to(self.canvas.view.zoom * 1.25)

    def zoom_out(self) -> None:
        self.canvas.zoom_to(self.canvas.view.zoom / 1.25)

    def zoom_reset(self) -> None:
        self.canvas.zoom_to(1.0)

    def toggle_gradient_links(self) -> None:
        self.canvas.set_gradient_links(not self.canvas.show_gradients)
        dpg.set_value(ids.GRADIENT_LINKS_ITEM, self.canvas.show_gradients)

    def toggle_thumbnails(self) -> None:
        thumbnails = self.canvas.thumbnails
        thumbnails.set_enabled(not thumbnails.enabled)
        dpg.set_value(ids.THUMBNAILS_ITEM, thumbnails.enabled)
        if thumbnails.enabled and self.canvas.view.zoom < 1.0:
            self.session.status = "node thumbnails show at 100% zoom and above (ctrl+0)"

    def undo(self) -> None:
        self.session.undo()

    def redo(self) -> None:
        self.session.redo()

    # --- files -------------------------------------------------------------------------------------

    def when_changes_are_safe(self, then: Callable[[], None]) -> None:
        """Run `then` now if nothing is unsaved; otherwise ask Save / Discard / Cancel first."""
        if not self.session.dirty:
            then()
            return
        self.dialogs.ask("Discard unsaved changes?",
                         [("Save", lambda: self.save(then)), ("Discard", lambda: self._discard(then)),
                          ("Cancel", None)], default="Save")

    def _discard(self, then: Callable[[], None]) -> None:
        self.session.discard_recovery()  # the user chose to drop it: nothing to restore later
        then()

    def new_graph(self) -> None:
        self.when_changes_are_safe(self.session.new)

    def open_dialog(self) -> None:
        self.when_changes_are_safe(
            lambda: self.dialogs.choose_file_to_open(self.open_path, self._folder()))

    def open_after_asking(self, path: Path) -> None:
        self.when_changes_are_safe(lambda: self.open_path(path))

    def open_example_with_story(self, path: Path) -> None:
        """Open a shipped example (an untitled copy) and tell its story in the About panel."""
        self.when_changes_are_safe(lambda: self.open_path(path) and self.about.show())

    def open_path(self, path: Path) -> bool:
        """Load `path`; on failure show why and keep the open graph. A recent file that has gone
        since the menu was filled leaves Open Recent (userstate lists only files that exist)."""
        if self.session.open(path):
            return True
        self.dialogs.show_error(self.session.open_error)  # whole; the status line has it short
        menus.fill_recent_menu(self, userstate.recent_files())
        return False

    def save(self, then: Callable[[], None] | None = None) -> bool:
        if self.session.path is None:
            self.save_as_dialog(then)
            return False
        return self._saved(self.session.save(), then, self.session.path)

    def save_as_dialog(self, then: Callable[[], None] | None = None) -> None:
        name = self.session.path.stem if self.session.path else self.session.example or "graph"
        self.dialogs.choose_file_to_save(lambda path: self.save_as_path(path, then), self._folder(),
                                         name)

    def save_as_path(self, path: Path, then: Callable[[], None] | None = None) -> bool:
        """Save under a chosen name; a file of that name, other than the open one, is replaced
        only after the user says so."""
        target = graph_path(path)
        open_file = self.session.path
        if target.exists() and (open_file is None or target.resolve() != open_file.resolve()):
            self.dialogs.ask(f"{target.name} already exists. Replace it?",
                             [("Replace", lambda: self._saved(self.session.save(target), then, target)),
                              ("Cancel", None)], default="Cancel")
            return False
        return self._saved(self.session.save(target), then, target)

    def _saved(self, saved: bool, then: Callable[[], None] | None, path: Path) -> bool:
        if not saved and self.session.save_conflict:
            self.dialogs.ask(f"{path.name} changed on disk since you opened it. Overwrite it?",
                             [("Overwrite", lambda: self._saved(
                                 self.session.save(path, overwrite_changed=True), then, path)),
                              ("Cancel", None)], default="Cancel")
        elif not saved:
            self.dialogs.show_error(self.session.status)
        elif then is not None:
            then()
        return saved

    def export_data_dialog(self) -> None:
        name = f"{self.session.dataset.name}-data"
        self.dialogs.choose_csv_to_save(self.export_data_to, self._folder(), name)

    def export_data_to(self, path: Path) -> bool:
        if self.session.export_data(path):
            return True
        self.dialogs.show_error(self.session.status)
        return False

    def _folder(self) -> Path | None:
        return self.session.path.parent if self.session.path else Path.cwd()

    def start(self, error: str | None = None) -> None:
        """What the user meets first: an error, or the recovery question; the first-launch help."""
        if error:
            self.dialogs.show_error(error)
        orphans = userstate.orphaned_recoveries()  # a failed file still leaves them to offer
        self.recovery_pending = orphans[0] if orphans else None
        self.help_pending = self.help_panel is not None and not userstate.help_seen()

    def offer_recovery(self, copy: userstate.RecoveryCopy) -> None:
        """A session ended with unsaved work (a crash, a kill): offer its copy. "Not now" keeps it
        for the next start; copies of instances still running are never offered."""
        work = f"to {copy.original.name}" if copy.original else "to an untitled graph"
        self.dialogs.ask(f"A session that ended without saving left unsaved changes {work}. "
                         "Restore them?",
                         [("Restore", lambda: self._restore(copy)),
                          ("Discard", lambda: self.session.discard_recovery(copy)),
                          ("Not now", None)], default="Restore")

    def _restore(self, copy: userstate.RecoveryCopy) -> None:
        if not self.session.restore_recovery(copy):  # a damaged copy: say why, keep it on disk
            self.dialogs.show_error(self.session.status)

    def show_help(self) -> None:
        if self.help_panel is not None:
            self.help_panel.show()

    def show_about(self) -> None:
        self.about.show()

    def request_quit(self) -> None:
        self.when_changes_are_safe(self.quit)

    def quit(self) -> None:
        self.quitting = True
        dpg.stop_dearpygui()


def start_session(path: str | None) -> tuple[Session, str | None]:
    """The session `mlgarden [FILE]` starts with, and an error to show at once, if any."""
    session = Session()
    if path is not None:
        if not session.open(path):
            return session, session.open_error
        return session, None
    if not session.open_example(DEFAULT_EXAMPLE):
        session.status = f"the built-in example {DEFAULT_EXAMPLE} was not found: started a new graph"
    return session, None


def run_app(path: str | None = None) -> int:
    """Open the app on `path` (a file or an example's name; by default the built-in example, as
    an untitled copy) and run until the user quits."""
    from mlgarden.gui.dataset_window import DatasetWindow
    from mlgarden.gui.help_panel import HelpPanel
    from mlgarden.gui.training_panel import TrainingPanel

    if no_display():
        print("mlgarden: cannot open a window: no display (DISPLAY is not set); the commands "
              "check, eval, train, render, gradcheck and export need none", file=sys.stderr)
        return 2
    session, error = start_session(path)
    app = App(session, [TrainingPanel(session), DatasetWindow(session)], HelpPanel(session))
    app.build()
    app.start(error)
    try:
        return app.run()
    finally:
        app.close()


def no_display() -> bool:
    """True on Linux with neither an X nor a Wayland display to open a window on (say, over ssh):
    GLFW would abort the process with an assertion instead of a message."""
    return sys.platform.startswith("linux") and not (os.environ.get("DISPLAY")
                                                     or os.environ.get("WAYLAND_DISPLAY"))
