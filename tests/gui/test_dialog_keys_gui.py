"""Every modal dialog answers the keys a desktop user expects, driven by real xdotool keys: Esc
closes it as its Cancel (or Not now, or OK) does, changing nothing, and Enter presses its default
button, which is never the one that loses work. While a dialog is open no shortcut or canvas key
acts behind it: Delete, ctrl+Z and Esc pressed in it leave the graph, its undo history, the
selection and the node shaded over the plane as they were.

One app serves every case (a module fixture: building a window per case would cost more than the
cases); `fresh_state` puts it back before each: graph.yaml opened, one move made (one undo step,
unsaved), the node w selected, so the plane shades it.
"""

import dearpygui.dearpygui as dpg
import pytest

from app_fixture import small_graph, track, write_orphan_recovery
from driver import Driver
from mlgarden import userstate
from mlgarden.files import fileformat
from mlgarden.gui import ids
from mlgarden.gui.app import App
from mlgarden.gui.file_browser import Tags as FileTags
from mlgarden.session import Session

pytestmark = pytest.mark.gui

MOVED_TO = (40.0, 420.0)  # where fresh_state moves w: one undo step, unsaved
OTHER_TEXT = "someone else's work\n"
MODALS = (ids.PALETTE, ids.RENAME, ids.CONFIRM, ids.ERROR, ids.INSERT_LAYER, ids.COLLAPSE_DIALOG,
          ids.TEMPLATE_DIALOG, FileTags.window)


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """(app, driver, folder): one app for the module, its state folder and files under `folder`."""
    folder = tmp_path_factory.mktemp("dialog_keys")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MLGARDEN_STATE_DIR", str(folder / "state"))
        userstate.state_dir().mkdir(parents=True)
        fileformat.save(small_graph(), folder / "graph.yaml")
        session = Session()
        assert session.open(folder / "graph.yaml")
        app = App(session)
        app.build()
        forget = track(app)
        driver = Driver(session.title, frame=app.run_frame, canvas=app.canvas)
        try:
            yield app, driver, folder
        finally:
            forget()
            try:
                driver.close()
            finally:
                app.close()


def node_named(session, label):
    return next(n.id for n in session.document.nodes.values() if (n.label or n.op) == label)


def fresh_state(app, driver, folder):
    """Close any dialog, reopen graph.yaml as written, move w (one undo step), select w."""
    for window in MODALS:
        dpg.configure_item(window, show=False)
    fileformat.save(small_graph(), folder / "graph.yaml")
    (folder / "other.yaml").write_text(OTHER_TEXT)
    session = app.session
    assert session.open(folder / "graph.yaml")
    driver.frames(2)
    weight = node_named(session, "w")
    session.edit("move", weight, MOVED_TO)
    app.canvas.select([weight])
    driver.move(300, 600)  # over the canvas: the canvas's own keys would act
    driver.frames(2)
    assert not app.dialog_open() and session.plane_node() == weight and session.dirty
    return weight


def confirm_text():
    return dpg.get_value(ids.CONFIRM_TEXT)


# --- how each dialog is opened: (app, driver, folder) -> the window that must show ----------------

def open_palette(app, driver, folder):
    driver.key("ctrl+space")
    return ids.PALETTE


def open_rename(app, driver, folder):
    app.menu_node = node_named(app.session, "b")
    app.node_menu_action("rename")
    return ids.RENAME


def open_collapse(app, driver, folder):
    driver.key("ctrl+g")  # w, selected: a function with one output
    return ids.COLLAPSE_DIALOG


def open_insert_function(app, driver, folder):
    app.functions.ask_template("perceptron")
    return ids.TEMPLATE_DIALOG


def open_insert_layer(app, driver, folder):
    driver.key("ctrl+l")
    return ids.INSERT_LAYER


def open_error(app, driver, folder):
    app.dialogs.show_error("a message from the test")
    return ids.ERROR


def open_discard_question(app, driver, folder):
    driver.key("ctrl+o")  # unsaved changes: asked first
    assert confirm_text() == "Discard unsaved changes?"
    return ids.CONFIRM


def open_replace_question(app, driver, folder):
    app.save_as_path(folder / "other.yaml")
    assert confirm_text() == "other.yaml already exists. Replace it?"
    return ids.CONFIRM


def open_overwrite_question(app, driver, folder):
    (folder / "graph.yaml").write_text(OTHER_TEXT)  # another program changed the open file
    driver.key("ctrl+s")
    assert confirm_text() == "graph.yaml changed on disk since you opened it. Overwrite it?"
    return ids.CONFIRM


def open_recovery_offer(app, driver, folder):
    work = small_graph()
    work.rename(node_named(app.session, "b"), "restored bias")
    app.offer_recovery(write_orphan_recovery(work))
    assert confirm_text().endswith("Restore them?")
    return ids.CONFIRM


def open_file_to_open(app, driver, folder):
    app.dialogs.choose_file_to_open(app.open_path, folder)
    return FileTags.window


def open_save_as(app, driver, folder):
    driver.key("ctrl+shift+s")
    return FileTags.window


OPENERS = [open_palette, open_rename, open_collapse, open_insert_function, open_insert_layer,
           open_error, open_discard_question, open_replace_question, open_overwrite_question,
           open_recovery_offer, open_file_to_open, open_save_as]


def open_dialog(opener, app, driver, folder):
    window = opener(app, driver, folder)
    driver.frames_until(lambda: dpg.is_item_shown(window), f"the dialog {window}")
    driver.frames(2)
    return window


@pytest.mark.parametrize("opener", OPENERS, ids=lambda opener: opener.__name__[len("open_"):])
def test_esc_closes_the_dialog_changing_nothing_and_no_key_acts_behind_it(shared, opener):
    app, driver, folder = shared
    weight = fresh_state(app, driver, folder)
    session = app.session
    before = session.document.copy()
    window = open_dialog(opener, app, driver, folder)
    orphans_before = userstate.orphaned_recoveries()  # the recovery offer's copy among them
    on_disk = (folder / "graph.yaml").read_text()
    driver.key("Delete")  # the selected node's shortcut, were no dialog open
    driver.key("ctrl+z")  # would undo the move
    assert dpg.is_item_shown(window)
    driver.key("Escape")  # would also stop shading w over the plane
    driver.frames(2)
    assert not app.dialog_open()
    assert session.document == before
    assert len(session.history._undo) == 1 and session.history.undo_label() == "moving"
    assert app.canvas.selected_nodes() == [weight] and session.plane_node() == weight
    assert session.dirty and session.path == folder / "graph.yaml"
    assert (folder / "graph.yaml").read_text() == on_disk
    assert (folder / "other.yaml").read_text() == OTHER_TEXT
    assert [copy.graph for copy in userstate.orphaned_recoveries()] == \
        [copy.graph for copy in orphans_before]  # Not now keeps the recovery copy for later
    for copy in orphans_before:  # not to be offered again in the other cases
        userstate.remove_recovery(copy)
    driver.screenshot(folder / f"after-esc-{opener.__name__}.png")
    driver.key("ctrl+z")  # the dialog closed: the keys are the app's again
    assert not session.history.can_undo() and session.document.nodes[weight].pos != MOVED_TO


# --- Enter: the default button ------------------------------------------------------------------

def enter_error(app, driver, folder):
    open_dialog(open_error, app, driver, folder)
    driver.key("Return")
    assert not dpg.is_item_shown(ids.ERROR)
    return 0  # undo steps added


def enter_rename(app, driver, folder):
    open_dialog(open_rename, app, driver, folder)
    driver.key("ctrl+a")
    driver.type_text("bias")
    driver.key("Return")
    assert app.session.document.nodes[node_named(app.session, "bias")].op == "param"
    return 1


def enter_collapse(app, driver, folder):
    open_dialog(open_collapse, app, driver, folder)
    driver.key("Return")
    calls = [node for node in app.session.document.nodes.values() if node.op == "call"]
    assert [call.function for call in calls] == ["function"]
    return 1


def enter_insert_function_from_its_number_field(app, driver, folder):
    open_dialog(open_insert_function, app, driver, folder)
    x, y, width, height = driver.item_rect(ids.TEMPLATE_INPUTS)
    driver.click(x + 20, y + height / 2)
    driver.key("ctrl+a")
    driver.type_text("3")
    driver.key("Return")
    (call,) = [node for node in app.session.document.nodes.values() if node.op == "call"]
    assert app.session.document.pin_count(call.id) == 3
    return 1


def enter_discard_question_saves(app, driver, folder):
    """Save is the default: the work is written, then the Open dialog comes; Esc closes that."""
    open_dialog(open_discard_question, app, driver, folder)
    driver.key("Return")
    driver.frames_until(lambda: dpg.is_item_shown(FileTags.window), "the Open dialog")
    assert fileformat.load(folder / "graph.yaml") == app.session.document
    assert not app.session.dirty
    driver.key("Escape")
    return 0


def enter_replace_question_cancels(app, driver, folder):
    open_dialog(open_replace_question, app, driver, folder)
    driver.key("Return")
    assert (folder / "other.yaml").read_text() == OTHER_TEXT
    assert app.session.path == folder / "graph.yaml" and app.session.dirty
    return 0


def enter_overwrite_question_cancels(app, driver, folder):
    open_dialog(open_overwrite_question, app, driver, folder)
    driver.key("Return")
    assert (folder / "graph.yaml").read_text() == OTHER_TEXT and app.session.dirty
    return 0


def enter_recovery_offer_restores(app, driver, folder):
    open_dialog(open_recovery_offer, app, driver, folder)
    driver.key("Return")
    driver.frames(2)
    assert app.session.document.nodes[node_named(app.session, "restored bias")].op == "param"
    assert app.session.status == "restored the unsaved work of the last session"
    return None  # the restored graph replaced the history


def enter_save_as_without_touching_its_name_field(app, driver, folder):
    """The field already holds graph.yaml: Enter saves under it (the open file: not asked), also
    once a click elsewhere in the dialog took the keyboard from the field."""
    open_dialog(open_save_as, app, driver, folder)
    x, y, _, _ = driver.item_rect(FileTags.folder)
    driver.click(x + 4, y + 4)  # the folder's path: a plain text
    assert dpg.get_value(FileTags.name) == "graph.yaml" and not dpg.is_item_active(FileTags.name)
    driver.key("Return")
    driver.frames(3)
    assert fileformat.load(folder / "graph.yaml") == app.session.document
    assert not app.session.dirty
    return 0


def enter_save_as_with_a_name_typed_at_once(app, driver, folder):
    """The name field has the keyboard when the dialog opens, its name selected: a name typed
    straight away replaces it, and Enter saves under that name, not the one shown before."""
    open_dialog(open_save_as, app, driver, folder)
    assert dpg.is_item_active(FileTags.name)
    driver.type_text("typed")
    driver.key("Return")
    driver.frames(3)
    assert fileformat.load(folder / "typed.yaml") == app.session.document
    assert app.session.path == folder / "typed.yaml" and not app.session.dirty
    return 0


def enter_save_as_into_a_folder_then_a_name(app, driver, folder):
    """Enter on a folder's name goes there, and the emptied name field keeps the keyboard: the
    next name typed goes into it (ImGui's Enter takes the keyboard from the field)."""
    (folder / "inside").mkdir(exist_ok=True)
    open_dialog(open_save_as, app, driver, folder)
    driver.type_text("inside")
    driver.key("Return")
    assert dpg.is_item_shown(FileTags.window) and app.dialogs.files.folder == folder / "inside"
    assert dpg.get_value(FileTags.name) == ""
    driver.type_text("kept")
    assert dpg.get_value(FileTags.name) == "kept"
    driver.key("Return")
    driver.frames(3)
    assert fileformat.load(folder / "inside" / "kept.yaml") == app.session.document
    return 0


def enter_palette_with_no_match_keeps_the_typing(app, driver, folder):
    """Enter with no op matching adds nothing and the filter field keeps the keyboard: the typing
    can be mended at once, and Enter then adds the op."""
    open_dialog(open_palette, app, driver, folder)
    driver.type_text("zzz")
    driver.key("Return")
    assert dpg.is_item_shown(ids.PALETTE) and dpg.is_item_active(ids.PALETTE_FILTER)
    for _ in "zzz":
        driver.key("BackSpace")
    driver.type_text("sigm")
    assert dpg.get_value(ids.PALETTE_FILTER) == "sigm"
    driver.key("Return")
    assert [node.op for node in app.session.document.nodes.values()].count("sigmoid") == 1
    return 1


def enter_question_without_default_does_nothing(app, driver, folder):
    chosen = []
    app.dialogs.ask("Delete everything?", [("Delete", lambda: chosen.append("Delete")),
                                           ("Cancel", None)])
    driver.frames(2)
    driver.key("Return")
    assert dpg.is_item_shown(ids.CONFIRM) and chosen == []
    driver.key("Escape")
    assert chosen == []
    return 0


ENTERS = [enter_error, enter_rename, enter_collapse, enter_insert_function_from_its_number_field,
          enter_discard_question_saves, enter_replace_question_cancels,
          enter_overwrite_question_cancels, enter_recovery_offer_restores,
          enter_save_as_without_touching_its_name_field, enter_save_as_with_a_name_typed_at_once,
          enter_save_as_into_a_folder_then_a_name, enter_palette_with_no_match_keeps_the_typing,
          enter_question_without_default_does_nothing]


@pytest.mark.parametrize("enter", ENTERS, ids=lambda enter: enter.__name__[len("enter_"):])
def test_enter_presses_the_default_button(shared, enter):
    app, driver, folder = shared
    fresh_state(app, driver, folder)
    steps_added = enter(app, driver, folder)
    driver.frames(2)
    assert not app.dialog_open()
    if steps_added is not None:
        assert len(app.session.history._undo) == 1 + steps_added
    driver.screenshot(folder / f"after-{enter.__name__}.png")


def test_a_question_shows_its_default_button_brighter(shared):
    app, driver, folder = shared
    fresh_state(app, driver, folder)
    open_dialog(open_discard_question, app, driver, folder)
    buttons = {dpg.get_item_label(button): button
               for button in dpg.get_item_children(ids.CONFIRM_BUTTONS, 1)}
    assert list(buttons) == ["Save", "Discard", "Cancel"]
    assert dpg.get_item_theme(buttons["Save"]) == ids.DEFAULT_BUTTON_THEME
    assert not dpg.get_item_theme(buttons["Discard"]) and not dpg.get_item_theme(buttons["Cancel"])
    pixels = driver.screenshot(folder / "discard-question.png")
    def fill(label):  # a pixel inside the button, left of its centred label
        x, y, width, height = driver.item_rect(buttons[label])
        return int(pixels[int(y + height / 2), int(x + 4)].sum())

    assert fill("Save") > fill("Discard") == fill("Cancel")
    driver.key("Escape")
