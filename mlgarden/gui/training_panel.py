"""The Training panel: play, pause, step, reset and re-initialise, the settings, the numbers, the curve.

The panel draws the Session and turns clicks into the Session's methods; it holds no state of
its own that a user could lose. Its rules:

- Each widget callback only unpacks its arguments and calls one plain method of the panel
  (`toggle_play`, `step`, `reset`, `set_learning_rate`, ...), which is what tests call too.
- A settings change goes through `session.edit('set_training', ...)`, so it is saved with the
  graph and can be undone. Dragging the learning-rate slider is one undo step (a merge key that
  ends when the slider is let go). A refused value puts the widget back to the document's value.
- `update()` runs once a frame after the training poll and must stay cheap: it sets widget values
  only when what they show has changed, and redraws the loss curve only when the history grew.
- A training stop (a NaN or inf, a missing loss) pauses the session; the panel shows the
  session's message in red until the user trains, steps or resets again.
- Reset puts the params back where they were when training started and clears the numbers and
  the curve; Re-initialise draws new params from the training seed. Each is one undo step.
- The test figures are measured on a schedule, not every step (learning/progress.py): their row
  says at which step they were measured ("test at step 120"), so an old figure never passes for
  the current one. A Step press measures them too while the test set is small (Session.step).
- The controls stand in two rows; in a panel narrower than TWO_ROWS_WIDTH (a viewport under about
  1240 pixels wide) the optimiser and the batch size move to a third, so none is cut off.
- The loss curve never gets shorter than CURVE_MIN_HEIGHT, whatever stands above it (the
  step-through's sentence, a training error): `min_height()` is the height the panel needs for
  that, and the app's layout gives it that much, taking it from the Dataset window below.
- Accuracy is shown only for a graph that classifies (a result and a label); the loss curve's
  axes are set from the data each time it is drawn, so they follow a Reset, New or Open, and a
  loss of 0 is drawn a decade below the smallest loss above 0 (a log axis has no 0).

The learning rate spans decades, so the slider moves over log10(lr) from -5 to 0 and shows the
rate itself, and an input field next to it takes an exact value.
"""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass

import dearpygui.dearpygui as dpg
import numpy as np

from mlgarden.document.graph import OPTIMIZERS
from mlgarden.gui import theme
from mlgarden.gui.shown_values import ShownValues, when_left
from mlgarden.number_text import plain
from mlgarden.session import Session

LOG_LR_MIN, LOG_LR_MAX = -5.0, 0.0
RATE_WINDOW_SECONDS = 1.0  # steps per second are measured over this much recent wall time
EMPTY_CURVE_LOSSES = (0.01, 1.0)  # the y range shown before there is any loss to fit
EMPTY_CURVE_STEPS = (0.0, 10.0)  # the x range shown before there is any step
# The panel's width that holds the buttons and the optimiser in a row (the four buttons, the combo
# and its label measured 477 pixels, the window's padding 8 each side, and room for a vertical
# scrollbar, 14); a narrower panel takes a third row of controls.
TWO_ROWS_WIDTH = 510
CURVE_MIN_HEIGHT = 100  # pixels: the log axis's three decades and the legend stay apart
CURVE_MIN_SIZE = (160, CURVE_MIN_HEIGHT)
WINDOW_PADDING = 8  # ImGui's, below the window's last item
CURVE_INTERVAL = 0.2  # seconds between redraws of a growing loss curve
CURVE_BUCKETS = 150  # a longer series is drawn as each bucket's first, lowest, highest and last
ERROR_COLOUR = (235, 80, 70, 255)
MUTED_COLOUR = (160, 160, 160, 255)
STEP_COLOUR = (255, 200, 60, 255)  # as the canvas's highlight of the step's node and link
NONE_TEXT = "-"

class Tags:
    """Every widget tag of the panel, prefixed so none can collide with another window's."""

    window = "training_window"
    play = "training_play"
    step = "training_step"
    reset = "training_reset"
    reinitialise = "training_reinitialise"
    lr_slider = "training_lr_slider"
    lr_input = "training_lr_input"
    batch_size = "training_batch_size"
    optimizer = "training_optimizer"
    train_loss = "training_train_loss"
    train_accuracy = "training_train_accuracy"
    test_name = "training_test_name"
    test_loss = "training_test_loss"
    test_accuracy = "training_test_accuracy"
    steps = "training_steps"
    epochs = "training_epochs"
    rate = "training_rate"
    message = "training_message"
    plot = "training_plot"
    x_axis = "training_x_axis"
    y_axis = "training_y_axis"
    train_series = "training_train_series"
    test_series = "training_test_series"
    slider_handlers = "training_slider_handlers"
    backprop = "training_step_through_backprop"
    forward = "training_step_through_forward"
    step_heading = "training_step_through_heading"
    step_sentence = "training_step_through_sentence"
    buttons_row = "training_buttons_row"
    rate_row = "training_rate_row"
    settings_row = "training_settings_row"


def format_learning_rate(learning_rate: float) -> str:
    return f"{learning_rate:.4g}"


def loss_text(value: float | None) -> str:
    return f"loss {NONE_TEXT if value is None else plain(value, '.4f')}"


def accuracy_text(value: float | None) -> str:
    return f"accuracy {NONE_TEXT if value is None else plain(100.0 * value, '.1f') + '%'}"


def label_of_test_row(measured_at: int | None) -> str:
    """The test row's name: the step its figures were measured at, once they were."""
    return "test" if measured_at is None else f"test at step {measured_at}"


@dataclass
class LossCurve:
    """The series and axis ranges the loss curve draws (a log y axis: every loss above 0)."""

    steps: list[float]
    train: list[float]
    test_steps: list[float]
    test: list[float]
    step_range: tuple[float, float]
    loss_range: tuple[float, float]


def loss_curve(history) -> LossCurve:
    """The curve of a trainer's history; axes that fit it (or an empty range before any step).
    A loss of 0 (or below) is drawn a decade under the smallest loss above 0."""
    tested = [point for point in history if point.test_loss is not None]
    losses = [point.train_loss for point in history] + [point.test_loss for point in tested]
    positive = [loss for loss in losses if loss > 0.0 and math.isfinite(loss)]
    floor = min(positive) / 10.0 if positive else EMPTY_CURVE_LOSSES[0]

    def drawn(loss: float) -> float:
        return loss if loss > 0.0 else floor

    steps = [float(point.step) for point in history]
    curve = LossCurve(*envelope(steps, [drawn(point.train_loss) for point in history]),
                      *envelope([float(point.step) for point in tested],
                                [drawn(point.test_loss) for point in tested]),
                      EMPTY_CURVE_STEPS, EMPTY_CURVE_LOSSES)
    if steps:
        curve.step_range = (min(steps[0], 0.0), max(steps[-1], steps[0] + 1.0))
    drawn_losses = [loss for loss in curve.train + curve.test if math.isfinite(loss)]
    if drawn_losses:
        low, high = min(drawn_losses), max(drawn_losses)
        curve.loss_range = (low / 1.5, high * 1.5)  # a margin on the log axis
    return curve


def envelope(steps: list[float], losses: list[float],
             buckets: int = CURVE_BUCKETS) -> tuple[list[float], list[float]]:
    """A series as the curve draws it. Past 4 points a bucket, the series is cut into at most
    `buckets` runs of consecutive points of one size, and each run keeps only its first, lowest,
    highest and last point (and any point that is not finite), in step order: the same line to
    the eye at about two buckets a pixel column or fewer, for a fraction of the segments (each
    costs a frame under software OpenGL)."""
    count = len(steps)
    if count <= 4 * buckets:
        return steps, losses
    size = -(-count // buckets)  # runs of `size` consecutive points, the last one shorter
    values = np.asarray(losses, dtype=float)
    finite = np.isfinite(values)
    padding = size * buckets - count

    def by_run(fill: float) -> np.ndarray:
        ranked = np.where(finite, values, fill)
        return np.concatenate((ranked, np.full(padding, fill))).reshape(buckets, size)

    starts = np.arange(0, count, size)
    lowest = starts + np.argmin(by_run(np.inf), axis=1)[:len(starts)]
    highest = starts + np.argmax(by_run(-np.inf), axis=1)[:len(starts)]
    kept = np.unique(np.concatenate((starts, np.minimum(starts + size, count) - 1, lowest,
                                     highest, np.flatnonzero(~finite))))
    return [steps[index] for index in kept], [losses[index] for index in kept]


def sentence_lines(sentence: str) -> str:
    """A step's sentence as the panel shows it: a gradient's formula on its first line and the
    numbers on the next, so a narrow panel never breaks a number."""
    head, plus, rest = sentence.partition(" += ")
    if not plus:
        return sentence
    formula, equals, numbers = rest.partition(" = ")
    return f"{head} += {formula}\n    = {numbers}" if equals else sentence


class TrainingPanel:
    """The Training window over one Session."""

    def __init__(self, session: Session):
        self.session = session
        self.error = ""  # the message of the last training stop, shown until training resumes
        self._was_playing = False
        self._trainer = None
        self._shown = ShownValues()
        self._curve_key: tuple | None = None
        self._curve_drawn_at = 0.0
        self._narrow = False  # the optimiser and batch size in a third row of controls
        self._rate_samples: deque[tuple[float, int]] = deque()

    # --- building ---------------------------------------------------------------------------

    def build(self) -> str:
        with dpg.window(label="Training", tag=Tags.window, no_close=True):
            self._build_controls()
            dpg.add_separator()
            self._build_numbers()
            dpg.add_text("", tag=Tags.message, color=ERROR_COLOUR, wrap=0, show=False)
            self._build_curve()
        with dpg.item_handler_registry(tag=Tags.slider_handlers):
            dpg.add_item_deactivated_handler(callback=lambda: self.end_slider_drag())
        dpg.bind_item_handler_registry(Tags.lr_slider, Tags.slider_handlers)
        when_left((Tags.lr_input, Tags.batch_size), self.field_left)
        self._show_settings()
        return Tags.window

    def _build_controls(self) -> None:
        """Two rows, so the loss curve keeps most of a short panel; in a narrow panel the
        optimiser and the batch size move to a third (`_fit_controls`)."""
        with dpg.group(horizontal=True, tag=Tags.buttons_row):
            dpg.add_button(label="Play", tag=Tags.play, width=56, callback=lambda: self.toggle_play())
            dpg.add_button(label="Step", tag=Tags.step, width=56, callback=lambda: self.step())
            dpg.add_button(label="Reset", tag=Tags.reset, width=56, callback=lambda: self.reset())
            dpg.add_button(label="Re-initialise", tag=Tags.reinitialise, width=100,
                           callback=lambda: self.reinitialise())
            dpg.add_spacer(width=4)
            dpg.add_combo(list(OPTIMIZERS), tag=Tags.optimizer, label="optimiser", width=100,
                          callback=lambda sender, value: self.set_optimizer(value))
        with dpg.tooltip(Tags.step):
            dpg.add_text("Train on one batch (disabled while playing)")
        with dpg.tooltip(Tags.reset):
            dpg.add_text("Put the params back where they were when training started;\n"
                         "clear the numbers and the loss curve")
        with dpg.tooltip(Tags.reinitialise):
            dpg.add_text("Draw every trainable param anew from the training seed")
        with dpg.group(horizontal=True, tag=Tags.rate_row):
            dpg.add_slider_double(
                tag=Tags.lr_slider, width=130, min_value=LOG_LR_MIN, max_value=LOG_LR_MAX,
                clamped=True, no_input=True,
                callback=lambda sender, value: self.set_log_learning_rate(value))
            dpg.add_input_double(
                tag=Tags.lr_input, label="learning rate", width=80, format="%.6g", step=0)
            dpg.add_input_int(tag=Tags.batch_size, label="batch", width=56, step=0)
        dpg.add_group(horizontal=True, tag=Tags.settings_row, show=False)
        with dpg.tooltip(Tags.lr_slider):
            dpg.add_text("Learning rate on a log scale, 1e-5 to 1; type an exact value beside it")
        self._build_stepthrough()

    def _build_stepthrough(self) -> None:
        """The step-through's buttons, and its sentence while one is under way."""
        with dpg.group(horizontal=True):
            dpg.add_button(label="Step through backprop", tag=Tags.backprop,
                           callback=lambda: self.step_through("backward"))
            dpg.add_button(label="... forward", tag=Tags.forward,
                           callback=lambda: self.step_through("forward"))
        with dpg.tooltip(Tags.backprop):
            dpg.add_text("From the loss back, one link at a time, at the current sample (Ctrl+B):\n"
                         "→ next, ← back, Esc ends")
        with dpg.tooltip(Tags.forward):
            dpg.add_text("Each node's value from its inputs, one at a time (Ctrl+Shift+B)")
        dpg.add_text("", tag=Tags.step_heading, color=MUTED_COLOUR, show=False)
        dpg.add_text("", tag=Tags.step_sentence, color=STEP_COLOUR, wrap=0, show=False)

    def _build_numbers(self) -> None:
        with dpg.table(header_row=False, borders_innerV=False, policy=dpg.mvTable_SizingStretchSame):
            for _ in range(3):
                dpg.add_table_column()
            rows = (("train", Tags.train_loss, Tags.train_accuracy, 0),  # 0: no tag of ours
                    ("test", Tags.test_loss, Tags.test_accuracy, Tags.test_name))
            for name, loss_tag, accuracy_tag, name_tag in rows:
                with dpg.table_row():
                    dpg.add_text(name, tag=name_tag, color=MUTED_COLOUR)
                    dpg.add_text("", tag=loss_tag)
                    dpg.add_text("", tag=accuracy_tag)
        with dpg.group(horizontal=True):
            dpg.add_text("step 0", tag=Tags.steps)
            dpg.add_text("epoch 0", tag=Tags.epochs)
            dpg.add_text("0 steps/s", tag=Tags.rate)

    def _build_curve(self) -> None:
        with dpg.plot(tag=Tags.plot, width=-1, height=-1, no_menus=True, no_box_select=True):
            dpg.add_plot_legend(location=dpg.mvPlot_Location_NorthEast)
            dpg.add_plot_axis(dpg.mvXAxis, tag=Tags.x_axis)
            with dpg.plot_axis(dpg.mvYAxis, tag=Tags.y_axis, label="loss", scale=dpg.mvPlotScale_Log10):
                dpg.add_line_series([], [], label="train", tag=Tags.train_series)
                dpg.add_line_series([], [], label="test", tag=Tags.test_series)
        with dpg.theme() as compact:  # ImPlot's default minimum (200 x 150) overflows a short panel
            with dpg.theme_component(dpg.mvPlot):
                dpg.add_theme_style(dpg.mvPlotStyleVar_PlotMinSize, *CURVE_MIN_SIZE,
                                    category=dpg.mvThemeCat_Plots)
        dpg.bind_item_theme(Tags.plot, compact)

    # --- what the widgets do ----------------------------------------------------------------

    def toggle_play(self) -> None:
        if self.session.playing:
            self.session.pause()
        else:
            self.error = ""
            self.session.play()
            self._was_playing = True

    def step(self) -> None:
        if self.session.playing:
            return
        self.session.step()
        self.error = self.session.training_error

    def reset(self) -> None:
        self.session.reset()
        self.error = self.session.training_error

    def reinitialise(self) -> None:
        self.session.reinitialise()
        self.error = self.session.training_error

    def step_through(self, kind: str) -> None:
        self.session.start_stepthrough(kind)

    def field_left(self, field: str) -> None:
        """Take the number typed in the learning rate or batch field once the field is left
        (`when_left`: by Enter, Tab or a click elsewhere, such as on Play)."""
        typed = dpg.get_value(field)
        settings = self.session.document.training
        if field == Tags.lr_input and typed != settings.learning_rate:
            self.set_learning_rate(typed)
        elif field == Tags.batch_size and typed != settings.batch_size:
            self.set_batch_size(typed)

    def set_learning_rate(self, learning_rate: float) -> None:
        self._edit(learning_rate=float(learning_rate))

    def set_log_learning_rate(self, log_learning_rate: float) -> None:
        learning_rate = float(f"{10.0 ** log_learning_rate:.3g}")
        self._edit(learning_rate=learning_rate, merge_key=Tags.lr_slider)

    def end_slider_drag(self) -> None:
        self.session.end_gesture()

    def set_batch_size(self, batch_size: int) -> None:
        self._edit(batch_size=int(batch_size))

    def set_optimizer(self, optimizer: str) -> None:
        self._edit(optimizer=optimizer)

    def _edit(self, merge_key: object = None, **changes) -> None:
        if self.session.edit("set_training", merge_key=merge_key, **changes) is None:
            self._shown.forget()  # refused: show the document's values again
        self._show_settings()

    # --- each frame -------------------------------------------------------------------------

    def update(self) -> None:
        session = self.session
        self._notice_stop()
        self._show_settings()
        self._shown.set(Tags.play, "Pause" if session.playing else "Play", "label")
        self._shown.set(Tags.step, not session.playing, "enabled")
        self._show_numbers()
        self._shown.set(Tags.message, self.error)
        self._shown.set(Tags.message, bool(self.error), "show")
        self._show_stepthrough()
        self._show_curve()
        self._fit_controls()

    def _fit_controls(self) -> None:
        """In a panel narrower than TWO_ROWS_WIDTH the optimiser and the batch size stand in a
        row of their own, so no control is cut off at the panel's edge."""
        narrow = dpg.get_item_rect_size(Tags.window)[0] < TWO_ROWS_WIDTH
        if narrow == self._narrow:
            return
        self._narrow = narrow
        if narrow:
            for item in (Tags.optimizer, Tags.batch_size):
                dpg.move_item(item, parent=Tags.settings_row)
        else:
            dpg.move_item(Tags.optimizer, parent=Tags.buttons_row)
            dpg.move_item(Tags.batch_size, parent=Tags.rate_row)
        dpg.configure_item(Tags.settings_row, show=narrow)

    def _show_stepthrough(self) -> None:
        walk = self.session.stepthrough
        heading = sentence = ""
        if walk is not None:
            keys = "→ next, ← back" if theme.unicode_font() else "Right: next, Left: back"
            heading = f"{walk.kind.capitalize()} {walk.progress()}: {keys}, Esc ends"
            sentence = sentence_lines(walk.current.sentence)
        for tag, text in ((Tags.step_heading, heading), (Tags.step_sentence, sentence)):
            self._shown.set(tag, text)
            self._shown.set(tag, walk is not None, "show")

    def _notice_stop(self) -> None:
        """Training that stopped on its own (not by Pause, not by a new file) is an error."""
        session = self.session
        if session.trainer is not self._trainer:  # a new file or new data: the old error is gone
            self._trainer = session.trainer
            self._rate_samples.clear()
            self.error = session.training_error
        elif session.playing and not self._was_playing:
            self.error = ""
        elif self._was_playing and not session.playing and session.training_error:
            self.error = session.training_error
        self._was_playing = session.playing

    def _show_settings(self) -> None:
        settings = self.session.document.training
        log_lr = min(max(math.log10(settings.learning_rate), LOG_LR_MIN), LOG_LR_MAX)
        if not dpg.is_item_active(Tags.lr_slider):
            self._shown.set(Tags.lr_slider, log_lr)
        self._shown.set(Tags.lr_slider, format_learning_rate(settings.learning_rate), "format")
        self._shown.set(Tags.lr_input, settings.learning_rate)
        self._shown.set(Tags.batch_size, settings.batch_size)
        self._shown.set(Tags.optimizer, settings.optimizer)

    def _show_numbers(self) -> None:
        metrics = self.session.trainer.metrics
        classifies = self.session.document.program().classifies
        self._shown.set(Tags.train_loss, loss_text(metrics.train_loss))
        self._shown.set(Tags.train_accuracy, accuracy_text(metrics.train_accuracy) if classifies else "")
        self._shown.set(Tags.test_name, label_of_test_row(metrics.test_step))
        self._shown.set(Tags.test_loss, loss_text(metrics.test_loss))
        self._shown.set(Tags.test_accuracy, accuracy_text(metrics.test_accuracy) if classifies else "")
        self._shown.set(Tags.steps, f"step {metrics.steps}")
        self._shown.set(Tags.epochs, f"epoch {metrics.epochs}")
        self._shown.set(Tags.rate, f"{self.steps_per_second():.0f} steps/s")

    def min_height(self) -> int:
        """The window's height that shows all above the loss curve and the curve at its minimum
        height, as laid out in the last frame (the app's layout asks it once a frame)."""
        curve_top = dpg.get_item_pos(Tags.plot)[1]  # from the window's top, scrolled or not
        return int(curve_top) + CURVE_MIN_HEIGHT + WINDOW_PADDING

    def steps_per_second(self) -> float:
        """Session steps over the last second of wall time (0 when paused for a second)."""
        now, steps = time.perf_counter(), self.session.trainer.metrics.steps
        samples = self._rate_samples
        if samples and steps < samples[-1][1]:  # a reset started the count again
            samples.clear()
        samples.append((now, steps))
        while len(samples) > 2 and now - samples[1][0] >= RATE_WINDOW_SECONDS:
            samples.popleft()
        first_time, first_steps = samples[0]
        return (steps - first_steps) / (now - first_time) if now > first_time else 0.0

    def _show_curve(self) -> None:
        """Redraw the loss curve when the history changed, at most every CURVE_INTERVAL seconds
        while it only grows during Play (copying 2000 points into the series costs about a
        millisecond); at once otherwise, so a pause or a step shows the whole curve."""
        history = self.session.trainer.history
        key = (id(history), len(history), history[-1].step if history else None)
        now = time.perf_counter()
        if key == self._curve_key or (
                self.session.playing and self._curve_key is not None and key[0] == self._curve_key[0]
                and now - self._curve_drawn_at < CURVE_INTERVAL):
            return
        self._curve_key, self._curve_drawn_at = key, now
        curve = loss_curve(history)
        dpg.set_value(Tags.train_series, [curve.steps, curve.train])
        dpg.set_value(Tags.test_series, [curve.test_steps, curve.test])
        dpg.set_axis_limits(Tags.x_axis, *curve.step_range)
        dpg.set_axis_limits(Tags.y_axis, *curve.loss_range)
