"""The Training panel's controls at the Session level: Reset goes back to where training started,
Re-initialise draws new params; each is one undo step. Accuracy only for a graph that classifies,
and the loss curve's axes and numbers as the panel draws them."""

import math

import numpy as np
import pytest

from helpers import play_steps
from mlgarden.document.build import Builder
from mlgarden.document.graph import Document
from mlgarden.learning.training import HistoryPoint
from mlgarden.number_text import plain
from mlgarden import session as session_module
from mlgarden.session import Session


def classifier() -> Document:
    builder = Builder(seed=4)
    hidden = builder.layer([builder.x(), builder.y()], width=2)
    out = builder.neuron(hidden)
    document = builder.finish(result=out, loss=builder.loss("squared_error", out))
    document.set_training(optimizer="adam", learning_rate=0.1, batch_size=16)
    return document


def params(session: Session) -> dict:
    program = session.document.program()
    return dict(zip(program.leaf_ids, session.document.leaf_values(program)))


def test_reset_puts_the_params_back_where_training_started_and_clears_the_numbers():
    session = Session(classifier())
    opened = params(session)
    for _ in range(5):
        session.step()
    play_steps(session, 10)
    session.close()
    trained = params(session)
    assert trained != opened and session.trainer.metrics.steps > 5 and session.trainer.history
    session.reset()
    assert params(session) == opened
    assert session.trainer.metrics.steps == 0 and session.trainer.history == []
    assert session.trainer.metrics.train_loss is None
    session.undo()  # one step back to the trained params
    assert params(session) == trained
    session.redo()
    assert params(session) == opened


def test_reset_goes_back_to_the_start_of_this_training_not_to_the_file():
    session = Session(classifier())
    session.reinitialise()
    drawn = params(session)
    session.step()
    session.step()
    session.reset()
    assert params(session) == drawn


def test_reinitialise_draws_new_params_from_the_seed_as_one_step():
    session = Session(classifier())
    opened = params(session)
    session.step()
    session.reinitialise()
    first = params(session)
    assert first != opened
    assert session.trainer.metrics.steps == 0 and session.trainer.history == []
    session.undo()
    assert params(session) != first
    session.reinitialise()
    assert params(session) == first  # the same seed draws the same params


def test_reset_before_any_training_only_clears_and_makes_no_undo_step():
    session = Session(classifier())
    opened = params(session)
    session.reset()
    assert params(session) == opened
    assert "not been trained" in session.status
    session.undo()
    assert session.status == "nothing to undo"


def test_accuracy_only_for_a_graph_with_a_result_and_a_label():
    session = Session(classifier())
    session.step()
    session.trainer.measure_test()
    assert session.trainer.metrics.train_accuracy is not None
    assert session.trainer.metrics.test_accuracy is not None
    builder = Builder(seed=0)
    a = builder.param(5.0)
    result = a * builder.const(2.0)
    document = builder.finish(result=result, loss=builder.loss("squared_error", result, builder.const(10.0)))
    plain_session = Session(document)
    plain_session.step()
    plain_session.trainer.measure_test()
    assert not document.program().classifies
    assert plain_session.trainer.metrics.train_accuracy is None
    assert plain_session.trainer.metrics.test_accuracy is None
    assert plain_session.trainer.metrics.train_loss is not None


@pytest.mark.parametrize("value, spec, text", [(-0.0, ".4g", "0"), (-0.00001, ".4f", "0.0000"),
                                               (-0.0001, ".1f", "0.0"), (-0.5, ".4f", "-0.5000"),
                                               (-1e-9, ".4g", "-1e-09"), (0.0, ".4f", "0.0000")])
def test_numbers_never_show_a_negative_zero(value, spec, text):
    assert plain(value, spec) == text


def test_a_long_series_is_drawn_as_its_envelope_a_short_one_as_it_is():
    from mlgarden.gui.training_panel import envelope

    short = ([1.0, 2.0, 3.0], [0.5, 0.7, 0.1])
    assert envelope(*short, buckets=1) == short
    uneven = envelope([float(step) for step in range(601)], [1.0] * 300 + [2.0] + [1.0] * 300,
                      buckets=150)  # runs of 5, the last of one point
    assert uneven[0][-1] == 600.0 and 300.0 in uneven[0] and len(uneven[0]) <= 4 * 121
    rng = np.random.default_rng(3)
    losses = list(np.exp(np.cumsum(rng.normal(0.0, 0.1, 5000))))
    losses[1234] = 1e6  # a spike
    losses[2000], losses[3000] = float("nan"), float("inf")
    steps = [float(step) for step in range(5000)]
    drawn_steps, drawn = envelope(steps, losses, buckets=50)
    assert len(drawn_steps) == len(drawn) <= 4 * 50 + 2
    assert drawn_steps == sorted(drawn_steps) and drawn_steps[0] == 0.0 and drawn_steps[-1] == 4999.0
    assert all(losses[int(step)] == loss or step in (2000.0, 3000.0)
               for step, loss in zip(drawn_steps, drawn))
    assert {1234.0, 2000.0, 3000.0} <= set(drawn_steps)
    for start in range(0, 5000, 100):  # runs of 100: every run's lowest and highest stay
        finite = [index for index in range(start, start + 100) if np.isfinite(losses[index])]
        assert min(finite, key=losses.__getitem__) in drawn_steps
        assert max(finite, key=losses.__getitem__) in drawn_steps


def test_a_long_history_draws_a_few_hundred_points_on_the_same_axes():
    from mlgarden.gui.training_panel import CURVE_BUCKETS, loss_curve

    history = [HistoryPoint(step, 1.0 / step, 2.0 / step if step % 10 == 0 else None)
               for step in range(1, 4001)]
    curve = loss_curve(history)
    assert len(curve.steps) <= 4 * CURVE_BUCKETS and len(curve.test_steps) == 400
    assert curve.step_range == (0.0, 4000.0)
    assert curve.loss_range == (1.0 / 4000 / 1.5, 1.0 * 1.5)
    assert (curve.steps[0], curve.train[-1]) == (1.0, 1.0 / 4000)


def test_the_loss_curve_fits_its_data_and_keeps_a_tiny_or_zero_loss_on_the_log_axis():
    from mlgarden.gui.training_panel import EMPTY_CURVE_LOSSES, EMPTY_CURVE_STEPS, loss_curve

    empty = loss_curve([])
    assert (empty.step_range, empty.loss_range) == (EMPTY_CURVE_STEPS, EMPTY_CURVE_LOSSES)
    history = [HistoryPoint(10, 0.5, 0.6), HistoryPoint(20, 1e-9, None), HistoryPoint(30, 0.0, 1e-8)]
    curve = loss_curve(history)
    assert curve.step_range == (0.0, 30.0)
    assert curve.train == [0.5, 1e-9, 1e-10]  # 0 is drawn a decade below the smallest loss
    low, high = curve.loss_range
    assert low < 1e-10 and high > 0.6 and math.log10(high / low) < 12
    after_reset = loss_curve([HistoryPoint(1, 0.3, None), HistoryPoint(2, 0.2, None)])
    assert after_reset.step_range == (0.0, 2.0)


def test_a_step_press_measures_the_test_set_unless_it_is_big(monkeypatch):
    """Step shows the test figures of the step just made; past STEP_MEASURES_TEST_UP_TO test
    points it leaves them to the schedule, and they keep the step they were measured at."""
    session = Session(classifier())
    trainer = session.trainer
    for step in (1, 2, 3):
        session.step()
        assert trainer.metrics.test_step == step
        loss, accuracy = trainer.evaluate(trainer.test_x, trainer.test_y, trainer.test_labels)
        assert (trainer.metrics.test_loss, trainer.metrics.test_accuracy) == (loss, accuracy)
    monkeypatch.setattr(session_module, "STEP_MEASURES_TEST_UP_TO", len(trainer.test_labels) - 1)
    session.step()
    assert trainer.metrics.steps == 4 and trainer.metrics.test_step == 3
    assert [point.step for point in trainer.history if point.test_loss is not None] == [1]
