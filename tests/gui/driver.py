"""Drive a Dear PyGui app in this process with real X input, frame by frame.

The test owns the frame loop: it builds the app, renders frames itself, and between frames
sends real pointer and key events with xdotool (XTEST), as a person's hand would. Dear PyGui
reads them in the next frame's event poll (xdotool returns after the X server has queued
them, so no sleep is needed). Each pointer event is "send it, render frames until Dear PyGui
reports it (mouse position, button state)", which is one frame on an idle machine and still
right on a loaded one; each public gesture then renders `settle_frames` more, for widgets
that react a frame late. Keys cannot be observed that way and get a fixed number of frames.

Coordinates: every point a test passes is in viewport client pixels, the space of
`get_item_rect_min` and of screenshots. Under Xvfb there is no window manager and no
decoration, so screen = the X window's position + client point.

Rules the app under test must follow (see docs/gui-testing.md):
- `create_viewport(..., x_pos=0, y_pos=0)` so the whole viewport is on the Xvfb screen;
- `configure_app(manual_callback_management=True)`, and the `frame` given to Driver runs
  `run_callbacks(get_callback_queue())` as well as `render_dearpygui_frame()`;
- call `Driver.close()` just before `destroy_context()`: Dear PyGui 2.2+ leaves the X window
  behind (upstream issue #2662), and that window must be unmapped while it can still take
  the events this causes, or a later event crashes the process.
"""

import re
import subprocess
import time

import dearpygui.dearpygui as dpg
import numpy as np

from mlgarden.files import png

# For a node, get_item_rect_min is the drawn top-left corner plus imnodes' NodePadding
# (default 8, 8; not the window padding), while rect_size is the full drawn size. Pass
# node_padding to Driver if the app's theme sets mvNodeStyleVar_NodePadding.
DEFAULT_NODE_PADDING = (8, 8)

X_BUTTON_TO_DPG = {1: dpg.mvMouseButton_Left, 2: dpg.mvMouseButton_Middle, 3: dpg.mvMouseButton_Right}


def render_frame():
    """One frame of a manual-callback app: draw, then run the callbacks it queued."""
    dpg.render_dearpygui_frame()
    dpg.run_callbacks(dpg.get_callback_queue())


def xdotool(*arguments):
    """Run xdotool and return its standard output; raise with its error text if it fails."""
    result = subprocess.run(
        ["xdotool", *map(str, arguments)], capture_output=True, text=True, timeout=10
    )
    if result.returncode != 0:
        raise RuntimeError(f"xdotool {' '.join(map(str, arguments))} failed: {result.stderr.strip()}")
    return result.stdout


def _title_pattern(title):
    """xdotool --name takes a regular expression: match the title exactly."""
    return "^" + re.sub(r"([.^$*+?()\[\]{}|\\])", r"\\\1", title) + "$"


class Driver:
    """Real mouse and keyboard for the viewport titled `title`, stepping `frame` between events."""

    def __init__(self, title, frame=render_frame, node_padding=DEFAULT_NODE_PADDING,
                 settle_frames=1, max_wait_frames=60, canvas=None):
        self.frame = frame
        self.canvas = canvas  # an app canvas that draws its own nodes: it knows where they are
        self.node_padding = node_padding
        self.settle_frames = settle_frames
        self.max_wait_frames = max_wait_frames
        self.buttons_down = set()
        self.keys_down = set()
        self.window_id = self._find_window(title)
        self.origin = self._window_origin()
        self._park_pointer()

    # --- the window -------------------------------------------------------------------

    def _find_window(self, title):
        pattern = _title_pattern(title)
        for _ in range(self.max_wait_frames):
            self.frame()
            found = subprocess.run(
                ["xdotool", "search", "--onlyvisible", "--name", pattern],
                capture_output=True, text=True, timeout=10,
            ).stdout.split()
            if found:
                return found[-1]  # the newest window with that title
        raise RuntimeError(f"no visible X window titled {title!r}: is the viewport shown?")

    def _window_origin(self):
        geometry = dict(
            line.split("=", 1) for line in xdotool("getwindowgeometry", "--shell", self.window_id).split()
        )
        x, y = int(geometry["X"]), int(geometry["Y"])
        width, height = int(geometry["WIDTH"]), int(geometry["HEIGHT"])
        screen_width, screen_height = map(int, xdotool("getdisplaygeometry").split())
        if x < 0 or y < 0 or x + width > screen_width or y + height > screen_height:
            raise RuntimeError(
                f"viewport at ({x}, {y}) size {width}x{height} does not fit the "
                f"{screen_width}x{screen_height} screen: create it with x_pos=0, y_pos=0"
            )
        return x, y

    def close(self):
        """Release held buttons and keys and unmap the window; call BEFORE destroy_context().

        X keeps a button or key down across tests if a failed test never released it.
        Dear PyGui 2.2+ leaves the viewport's X window alive after destroy_context()
        (upstream issue #2662) with its GLFW callbacks pointing into freed memory, so any
        event it gets later, such as losing focus to the next test's window, crashes the
        process. Unmapped, it gets no more events; the frames here let it handle the
        focus-out and leave events of the unmapping while its callbacks are still valid.
        """
        try:
            for button in sorted(self.buttons_down):
                xdotool("mouseup", button)
            for key in sorted(self.keys_down):
                xdotool("keyup", key)
        finally:
            self.buttons_down.clear()
            self.keys_down.clear()
            xdotool("windowunmap", "--sync", self.window_id)
            self.frames(2)

    def to_screen(self, x, y):
        """Viewport client coordinates -> X screen coordinates (whole pixels)."""
        return self.origin[0] + round(x), self.origin[1] + round(y)

    # --- frames -----------------------------------------------------------------------

    def frames(self, count=1):
        for _ in range(count):
            self.frame()

    def frames_until(self, condition, what):
        """Render frames until condition() holds; raise after max_wait_frames."""
        for _ in range(self.max_wait_frames):
            self.frame()
            if condition():
                return
        raise AssertionError(f"Dear PyGui never saw {what} within {self.max_wait_frames} frames")

    def frames_until_trained(self, condition, what):
        """Render frames until condition() holds, for news from the training worker: a process
        that must start (a new interpreter) and gets the CPU the app's frames leave, so on a busy
        machine it is waited for by the clock (helpers.WORKER_PATIENCE), not a count of frames."""
        from helpers import WORKER_PATIENCE

        deadline = time.monotonic() + WORKER_PATIENCE
        while time.monotonic() < deadline:
            self.frame()
            if condition():
                return
        raise AssertionError(f"the training worker never got to {what} in {WORKER_PATIENCE:.0f} s")

    def settle(self):
        """Frames after a gesture, for widgets that react to the previous frame's state."""
        self.frames(self.settle_frames)

    # --- pointer ----------------------------------------------------------------------

    def _park_pointer(self):
        """Put the X pointer on a known spot and wait until Dear PyGui reports it there.

        X sends no motion event for a move to where the pointer already is, and a new
        viewport may not know where a pointer left by an earlier test sits. After parking,
        the driver knows the pointer's position and every move it sends is a real motion.
        """
        location = dict(pair.split("=", 1) for pair in xdotool("getmouselocation", "--shell").split())
        width, height = dpg.get_viewport_client_width(), dpg.get_viewport_client_height()
        park = self.to_screen(width - 1, height - 1)
        if park == (int(location["X"]), int(location["Y"])):
            park = (park[0] - 1, park[1])
        self.pointer = None
        self._move_to_screen(park)

    def _pointer_seen_at(self, screen_point):
        seen = dpg.get_mouse_pos(local=False)
        return (self.origin[0] + round(seen[0]), self.origin[1] + round(seen[1])) == screen_point

    def _move_to_screen(self, screen_point):
        if screen_point == self.pointer:
            return
        xdotool("mousemove", *screen_point)
        self.pointer = screen_point
        self.frames_until(lambda: self._pointer_seen_at(screen_point), f"the pointer at {screen_point}")

    def move(self, x, y):
        self._move_to_screen(self.to_screen(x, y))
        self.settle()

    def press(self, button=1):
        """X buttons: 1 left, 2 middle, 3 right."""
        xdotool("mousedown", button)
        self.buttons_down.add(button)
        self.frames_until(lambda: dpg.is_mouse_button_down(X_BUTTON_TO_DPG[button]), f"button {button} down")
        self.settle()

    def release(self, button=1):
        xdotool("mouseup", button)
        self.buttons_down.discard(button)
        self.frames_until(lambda: not dpg.is_mouse_button_down(X_BUTTON_TO_DPG[button]),
                          f"button {button} up")
        self.settle()

    def click(self, x, y, button=1):
        self.move(x, y)
        self.press(button)
        self.release(button)

    def drag(self, start, end, steps=5, button=1):
        """Press at start, move in `steps` straight-line steps with frames between, release at end."""
        self.move(*start)
        self.press(button)
        for step in range(1, steps + 1):
            fraction = step / steps
            x = start[0] + (end[0] - start[0]) * fraction
            y = start[1] + (end[1] - start[1]) * fraction
            self._move_to_screen(self.to_screen(x, y))
        self.release(button)

    # --- keyboard ---------------------------------------------------------------------

    def key(self, combo, frames=3):
        """Press and release an xdotool key combo ('Delete', 'ctrl+s', 'Escape', 'Return').

        ImGui takes the press in one frame and the release in the next; key handler
        callbacks run after the frame, so three frames cover it.
        """
        xdotool("key", combo)
        self.frames(frames)

    def key_down(self, key, frames=2):
        """Hold a key ('ctrl', 'shift') across pointer gestures, e.g. Ctrl+click on a link."""
        xdotool("keydown", key)
        self.keys_down.add(key)
        self.frames(frames)

    def key_up(self, key, frames=2):
        xdotool("keyup", key)
        self.keys_down.discard(key)
        self.frames(frames)

    def let_go(self, modifier, *then):
        """Let a modifier held by key_down go and send `then` (more xdotool commands) at once,
        before the next frame: what a quick hand does within one slow frame."""
        xdotool("keyup", modifier, *then)
        self.keys_down.discard(modifier)

    def type_text(self, text):
        """Type into the focused widget; ImGui takes about one character per frame."""
        xdotool("type", "--delay", "0", "--", text)
        self.frames(len(text) + 3)

    # --- where things are -------------------------------------------------------------

    def item_rect(self, item):
        """(x, y, width, height) where the item is drawn, in viewport client coordinates.

        A tag the canvas draws (a node, a pin, a value: `canvas.screen_rect`) is asked of it."""
        if self.canvas is not None and isinstance(item, str):
            rect = self.canvas.screen_rect(item)
            if rect is not None:
                return rect
        state = dpg.get_item_state(item)
        if "rect_min" not in state:  # windows report pos and size only
            x, y = dpg.get_item_pos(item)
            width, height = state["rect_size"]
            return x, y, width, height
        x, y = state["rect_min"]
        width, height = state["rect_size"]
        if dpg.get_item_type(item) == "mvAppItemType::mvNode":
            x, y = x - self.node_padding[0], y - self.node_padding[1]
        return x, y, width, height

    def item_screen_rect(self, item):
        x, y, width, height = self.item_rect(item)
        return (*self.to_screen(x, y), width, height)

    def item_center(self, item):
        x, y, width, height = self.item_rect(item)
        return x + width / 2, y + height / 2

    def node_title_point(self, node):
        """A point on the node's title bar, clear of its pins: grab here to move the node."""
        if self.canvas is not None and isinstance(node, str) and self.canvas.screen_rect(node):
            return self.canvas.title_point(node.partition(":")[2])
        x, y, width, _ = self.item_rect(node)
        return x + width / 2, y + self.node_padding[1] + 4

    def pin_point(self, attribute):
        """The pin of an input or output node attribute, on its node's left or right edge.

        An attribute has no rect of its own, so its row is found from its first widget.
        On the app's canvas, the pin's place comes from the canvas.
        """
        if self.canvas is not None and isinstance(attribute, str):
            rect = self.canvas.screen_rect(attribute)
            if rect is not None:
                return rect[0] + rect[2] / 2, rect[1] + rect[3] / 2
        kind = dpg.get_item_configuration(attribute)["attribute_type"]
        if kind == dpg.mvNode_Attr_Static:
            raise ValueError(f"static attribute {attribute!r} has no pin")
        widgets = dpg.get_item_children(attribute, 1)
        if not widgets:
            raise ValueError(f"attribute {attribute!r} holds no widget to locate its row by")
        node_x, _, node_width, _ = self.item_rect(dpg.get_item_parent(attribute))
        _, row_y, _, row_height = self.item_rect(widgets[0])
        pin_x = node_x + node_width if kind == dpg.mvNode_Attr_Output else node_x
        return pin_x, row_y + row_height / 2

    # --- pixels -----------------------------------------------------------------------

    def screenshot(self, path=None):
        """The next frame as an (height, width, 3) uint8 RGB array; also a PNG if path is given."""
        received = []
        dpg.output_frame_buffer(callback=lambda sender, buffer: received.append(buffer))
        self.frames_until(lambda: received, "the frame buffer")
        buffer = received[0]
        pixels = np.frombuffer(memoryview(buffer), dtype=np.float32)
        pixels = pixels.reshape(buffer.get_height(), buffer.get_width(), 4)
        rgb = np.round(pixels[:, :, :3] * 255).astype(np.uint8)
        if path is not None:
            png.write(path, rgb)
        return rgb
