"""Tests for mlgarden.learning.training: each optimiser against a hand computation, seeded batches, epochs,
learning-rate decay, frozen params, the non-finite guard, metrics, history and hand nudges."""

import math

import numpy as np
import pytest

from mlgarden.document.build import Builder, log, tanh
from mlgarden.learning.datasets import load_dataset
from mlgarden.learning.progress import TEST_EVERY_SAMPLES_PER_POINT
from mlgarden.learning.training import HISTORY_LIMIT, Trainer, TrainingError


def line_document(optimizer="sgd", learning_rate=0.1, batch_size=16, seed=0, lr_decay=0.0):
    """tanh(w1*x + w2*y + b) against the label with a squared error: the write-up's line model."""
    builder = Builder(seed=3)
    x, y = builder.x(), builder.y()
    w1, w2, b = builder.param(label="w1"), builder.param(label="w2"), builder.param(label="b")
    out = tanh(w1 * x + w2 * y + b)
    document = builder.finish(result=out, loss=builder.loss("squared_error", out))
    document.set_training(optimizer=optimizer, learning_rate=learning_rate, batch_size=batch_size,
                          seed=seed, lr_decay=lr_decay)
    return document, {"w1": w1.id, "w2": w2.id, "b": b.id}


def linear_data(points=60, seed=1):
    train, test = load_dataset("linear", points, 0.1, seed).split(0.25, seed)
    return train, test


def make_trainer(document, train, test=None):
    if test is None:
        return Trainer(document, train.points, train.labels)
    return Trainer(document, train.points, train.labels, test.points, test.labels)


def params_of(document):
    return np.array(document.leaf_values(), dtype=float)


def batch_gradient(document, dataset, rows):
    """The mean gradient of every leaf over the chosen rows, straight from the engine."""
    program = document.program()
    evaluation = program.evaluate_batch(params_of(document), dataset.points[rows, 0],
                                        dataset.points[rows, 1], dataset.labels[rows])
    return evaluation.leaf_grads


def batches_of(seed, count, batch_size):
    """The rows a trainer with `seed` visits in its first epoch, batch by batch."""
    order = np.random.default_rng(seed).permutation(count)
    return [order[start:start + batch_size] for start in range(0, count, batch_size)]


# --- one step of each optimiser, by hand ----------------------------------------------------


def test_one_sgd_step_is_value_minus_learning_rate_times_mean_gradient():
    document, _ = line_document("sgd", learning_rate=0.3, batch_size=7, seed=5)
    train, _ = linear_data()
    before = params_of(document)
    rows = batches_of(5, len(train), 7)[0]
    expected = before - 0.3 * batch_gradient(document, train, rows)
    make_trainer(document, train).run_steps(1)
    np.testing.assert_allclose(params_of(document), expected, rtol=0, atol=1e-14)
    assert not np.allclose(params_of(document), before)


def test_full_batch_sgd_step_uses_the_mean_over_every_point():
    document, _ = line_document("sgd", learning_rate=0.5, batch_size=1000)
    train, _ = linear_data()
    before = params_of(document)
    gradient = batch_gradient(document, train, np.arange(len(train)))
    make_trainer(document, train).run_steps(1)
    np.testing.assert_allclose(params_of(document), before - 0.5 * gradient, atol=1e-13)


def test_two_momentum_steps_match_a_hand_computation():
    document, _ = line_document("momentum", learning_rate=0.2, batch_size=10, seed=2)
    document.set_training(momentum=0.8)
    train, _ = linear_data()
    first_rows, second_rows = batches_of(2, len(train), 10)[:2]
    expected_doc = document.copy()
    g1 = batch_gradient(expected_doc, train, first_rows)
    velocity = g1
    after_one = params_of(expected_doc) - 0.2 * velocity
    expected_doc.set_values(dict(zip(expected_doc.program().leaf_ids, after_one)))
    g2 = batch_gradient(expected_doc, train, second_rows)
    velocity = 0.8 * velocity + g2
    after_two = after_one - 0.2 * velocity
    make_trainer(document, train).run_steps(2)
    np.testing.assert_allclose(params_of(document), after_two, atol=1e-13)


def test_two_adam_steps_match_a_hand_computation():
    document, _ = line_document("adam", learning_rate=0.05, batch_size=10, seed=4)
    train, _ = linear_data()
    rows = batches_of(4, len(train), 10)[:2]
    scratch = document.copy()
    params = params_of(scratch)
    first = second = np.zeros_like(params)
    for count, batch in enumerate(rows, start=1):
        gradient = batch_gradient(scratch, train, batch)
        first = 0.9 * first + 0.1 * gradient
        second = 0.999 * second + 0.001 * gradient**2
        step = (first / (1 - 0.9**count)) / (np.sqrt(second / (1 - 0.999**count)) + 1e-8)
        params = params - 0.05 * step
        scratch.set_values(dict(zip(scratch.program().leaf_ids, params)))
    make_trainer(document, train).run_steps(2)
    np.testing.assert_allclose(params_of(document), params, atol=1e-13)


def test_adam_first_step_moves_every_param_by_about_the_learning_rate():
    document, _ = line_document("adam", learning_rate=0.01, batch_size=16)
    train, _ = linear_data()
    before = params_of(document)
    make_trainer(document, train).run_steps(1)
    np.testing.assert_allclose(np.abs(params_of(document) - before), 0.01, rtol=1e-4)


# --- batches and epochs ---------------------------------------------------------------------


def train_params(seed, steps=25):
    document, _ = line_document("sgd", learning_rate=0.2, batch_size=8, seed=seed)
    train, _ = linear_data()
    make_trainer(document, train).run_steps(steps)
    return params_of(document)


def test_same_seed_gives_the_same_params_after_many_steps():
    np.testing.assert_array_equal(train_params(7), train_params(7))


def test_different_seeds_give_different_params():
    assert not np.allclose(train_params(7), train_params(8))


def test_every_epoch_visits_every_training_point_once(monkeypatch):
    document, _ = line_document("sgd", batch_size=7)
    train, _ = linear_data()
    trainer = make_trainer(document, train)
    visited = []
    evaluate_batch = type(document.program()).evaluate_batch

    def recording(program, leaves, xs, ys, labels):
        visited.extend(zip(xs.tolist(), ys.tolist()))
        return evaluate_batch(program, leaves, xs, ys, labels)

    monkeypatch.setattr(type(document.program()), "evaluate_batch", recording)
    batches_per_epoch = math.ceil(len(train) / 7)
    for epoch in range(3):
        visited.clear()
        trainer.run_steps(batches_per_epoch)
        assert trainer.metrics.epochs == epoch + 1
        assert sorted(visited) == sorted(map(tuple, train.points.tolist()))


def test_epochs_are_reshuffled():
    document, _ = line_document("sgd", batch_size=45)
    train, _ = linear_data()
    trainer = make_trainer(document, train)
    first_epoch = trainer._order.copy()
    trainer.run_steps(1)
    assert trainer.metrics.epochs == 1
    assert not np.array_equal(trainer._order, first_epoch)


def test_learning_rate_decays_with_epochs():
    document, _ = line_document("sgd", learning_rate=0.4, batch_size=15, lr_decay=0.5)
    train, _ = linear_data()  # 45 training points: 3 batches an epoch
    trainer = make_trainer(document, train)
    assert trainer.current_learning_rate() == pytest.approx(0.4)
    trainer.run_steps(3)
    assert trainer.metrics.epochs == 1
    assert trainer.current_learning_rate() == pytest.approx(0.4 / 1.5)
    trainer.run_steps(3)
    assert trainer.metrics.learning_rate == pytest.approx(0.4 / 2.0)


def test_the_last_batch_of_an_epoch_still_uses_that_epochs_learning_rate():
    document, _ = line_document("sgd", learning_rate=0.4, batch_size=1000, lr_decay=1.0)
    train, _ = linear_data()
    before = params_of(document)
    gradient = batch_gradient(document, train, np.arange(len(train)))
    make_trainer(document, train).run_steps(1)  # one full batch is all of epoch 0
    np.testing.assert_allclose(params_of(document), before - 0.4 * gradient, atol=1e-13)


# --- what training may and may not change ----------------------------------------------------


def test_frozen_params_do_not_move():
    document, ids = line_document("adam", learning_rate=0.1)
    document.set_trainable(ids["w2"], False)
    frozen = document.nodes[ids["w2"]].value
    train, _ = linear_data()
    make_trainer(document, train).run_steps(20)
    assert document.nodes[ids["w2"]].value == frozen
    assert document.nodes[ids["w1"]].value != line_document()[0].nodes[ids["w1"]].value


def test_freezing_between_slices_is_honoured():
    document, ids = line_document("momentum", learning_rate=0.1)
    train, _ = linear_data()
    trainer = make_trainer(document, train)
    trainer.run_steps(5)
    document.set_trainable(ids["b"], False)
    frozen = document.nodes[ids["b"]].value
    trainer.run_steps(5)
    assert document.nodes[ids["b"]].value == frozen


def test_consts_and_data_inputs_are_never_trained():
    builder = Builder(seed=0)
    scale = builder.const(2.0)
    out = tanh(builder.param() * builder.x() * scale)
    document = builder.finish(result=out, loss=builder.loss("squared_error", out))
    train, _ = linear_data()
    make_trainer(document, train).run_steps(10)
    assert document.nodes[scale.id].value == 2.0


def test_a_nudge_by_hand_between_slices_is_honoured():
    document, ids = line_document("sgd", learning_rate=0.1, batch_size=1000)
    train, _ = linear_data()
    trainer = make_trainer(document, train)
    trainer.run_for(0.001)
    document.set_value(ids["b"], 3.0)
    gradient = batch_gradient(document, train, np.arange(len(train)))
    index = document.program().leaf_ids.index(ids["b"])
    expected = 3.0 - 0.1 * gradient[index]
    trainer.run_steps(1)
    assert document.nodes[ids["b"]].value == pytest.approx(expected, abs=1e-13)


def test_run_for_takes_at_least_one_step_and_reports_it():
    document, _ = line_document()
    train, _ = linear_data()
    trainer = make_trainer(document, train)
    assert trainer.run_for(0.0) == 1
    taken = trainer.run_for(0.02)
    assert taken >= 1
    assert trainer.metrics.steps == 1 + taken


# --- the non-finite guard ----------------------------------------------------------------------


def log_document(learning_rate):
    """log(p) pulled towards -10: a big step drives p below zero, where log is NaN."""
    builder = Builder(seed=0)
    p = builder.param(0.5, label="p")
    out = log(p, label="logp")
    loss = builder.loss("squared_error", out, builder.const(-10.0))
    document = builder.finish(result=out, loss=loss)
    document.set_training(optimizer="sgd", learning_rate=learning_rate, batch_size=4)
    return document, p.id, out.id


def test_log_of_a_param_driven_negative_stops_and_names_the_log_node():
    document, p_id, log_id = log_document(learning_rate=0.2)
    train, _ = linear_data()
    trainer = make_trainer(document, train)
    values = []
    with pytest.raises(TrainingError) as raised:
        for _ in range(50):
            values.append(document.nodes[p_id].value)
            trainer.run_steps(1)
    assert raised.value.node_id == log_id
    assert "logp" in str(raised.value) and "log" in str(raised.value)
    assert document.nodes[p_id].value == values[-1]  # as before the bad step
    assert values[-1] < 0  # the last good step drove p negative; its log is what failed


def test_a_huge_learning_rate_on_a_linear_graph_stops_before_a_param_leaves_the_document_range():
    builder = Builder(seed=0)
    out = builder.param(label="w") * builder.x() + builder.param(label="b")
    document = builder.finish(result=out, loss=builder.loss("squared_error", out))
    document.set_training(optimizer="sgd", learning_rate=100.0, batch_size=1000)
    train, _ = linear_data()
    trainer = make_trainer(document, train)
    snapshots = [params_of(document)]
    with pytest.raises(TrainingError) as raised:
        for _ in range(1000):
            trainer.run_steps(1)
            snapshots.append(params_of(document))
    assert document.nodes[raised.value.node_id].op == "param"
    assert "larger than" in str(raised.value)
    np.testing.assert_array_equal(params_of(document), snapshots[-1])
    assert 1e6 < np.max(np.abs(snapshots[-1])) <= 1e12  # it really did diverge first


def test_an_overflow_in_the_forward_pass_names_the_node_that_overflowed():
    builder = Builder(seed=0)
    p = builder.param(700.0, label="p")
    grows = builder.op("exp", p, label="grows")
    loss = builder.op("neg", grows, label="loss")  # minimising -e^p pushes p up until e^p overflows
    document = builder.finish(result=grows, loss=loss)
    document.set_training(optimizer="sgd", learning_rate=1e-302, batch_size=1000)
    train, _ = linear_data()
    trainer = make_trainer(document, train)
    trainer.run_steps(1)
    last_finite = document.nodes[p.id].value
    assert 709 < last_finite < 1e12
    with pytest.raises(TrainingError, match="'grows' \\(exp\\) became infinite") as raised:
        trainer.run_steps(1)
    assert raised.value.node_id == grows.id
    assert document.nodes[p.id].value == last_finite


def test_a_non_finite_step_inside_a_long_run_keeps_the_last_finite_params():
    document, p_id, _ = log_document(learning_rate=0.2)
    reference, _, _ = log_document(learning_rate=0.2)
    train, _ = linear_data()
    trainer = make_trainer(document, train)
    with pytest.raises(TrainingError):
        trainer.run_steps(50)
    good_steps = trainer.metrics.steps
    make_trainer(reference, train).run_steps(good_steps)
    assert document.nodes[p_id].value == reference.nodes[p_id].value


def test_a_graph_without_a_loss_cannot_be_trained():
    builder = Builder(seed=0)
    out = tanh(builder.param() * builder.x())
    document = builder.finish(result=out)
    train, _ = linear_data()
    trainer = make_trainer(document, train)
    for _ in range(2):  # asking again gets the same answer
        with pytest.raises(TrainingError, match="no loss"):
            trainer.run_steps(1)
    with pytest.raises(TrainingError, match="no loss"):
        trainer.run_for(0.01)


def test_a_loss_with_a_free_input_cannot_be_trained():
    builder = Builder(seed=0)
    out = tanh(builder.param() * builder.x())
    loss = builder.loss("squared_error", out)
    document = builder.finish(result=out, loss=loss)
    document.disconnect(loss.id, 1)
    train, _ = linear_data()
    with pytest.raises(TrainingError, match="loss"):
        make_trainer(document, train).run_steps(1)


def test_no_training_points_is_an_error():
    document, _ = line_document()
    with pytest.raises(TrainingError, match="no training points"):
        Trainer(document, np.zeros((0, 2)), np.zeros(0))


# --- metrics and history -----------------------------------------------------------------------


def test_accuracy_is_the_fraction_whose_sign_matches_the_label():
    document, ids = line_document()
    document.set_values({ids["w1"]: 0.0, ids["w2"]: 0.0, ids["b"]: 0.5})  # says +1 everywhere
    train, test = linear_data()
    trainer = make_trainer(document, train, test)
    loss, accuracy = trainer.evaluate(test.points[:, 0], test.points[:, 1], test.labels)
    assert accuracy == pytest.approx(np.mean(test.labels == 1.0))
    assert loss == pytest.approx(np.mean((math.tanh(0.5) - test.labels) ** 2))


def test_test_metrics_are_measured_on_the_test_set():
    document, ids = line_document()
    document.set_values({ids["w1"]: 2.0, ids["w2"]: 4.0, ids["b"]: 0.0})  # the true boundary
    train, test = linear_data(points=200)
    trainer = make_trainer(document, train, test)
    trainer.measure_test()
    prediction = np.tanh(2.0 * test.points[:, 0] + 4.0 * test.points[:, 1])
    assert trainer.metrics.test_loss == pytest.approx(np.mean((prediction - test.labels) ** 2))
    assert trainer.metrics.test_accuracy == pytest.approx(np.mean(np.sign(prediction) == test.labels))
    document.set_values({ids["w1"]: -2.0, ids["w2"]: -4.0})  # the wrong side of every point
    trainer.measure_test()
    assert trainer.metrics.test_accuracy == pytest.approx(1 - np.mean(np.sign(prediction) == test.labels))


def test_training_reaches_high_accuracy_on_the_linear_dataset():
    document, _ = line_document("adam", learning_rate=0.1, batch_size=32)
    train, test = linear_data(points=200)
    trainer = make_trainer(document, train, test)
    trainer.run_steps(200)
    trainer.measure_test()
    metrics = trainer.metrics
    assert metrics.train_accuracy >= 0.95 and metrics.test_accuracy >= 0.95
    assert metrics.train_loss < 0.3 and metrics.test_loss < 0.3
    assert metrics.steps == 200 and metrics.epochs == 200 // math.ceil(150 / 32)
    assert metrics.samples_per_second > 0


def test_train_metrics_without_a_result_have_no_accuracy():
    builder = Builder(seed=0)
    out = tanh(builder.param() * builder.x())
    document = builder.finish(loss=builder.loss("squared_error", out))
    train, test = linear_data()
    trainer = make_trainer(document, train, test)
    trainer.run_steps(3)
    assert trainer.metrics.train_loss is not None
    assert trainer.metrics.train_accuracy is None and trainer.metrics.test_accuracy is None


def test_history_stays_bounded_and_ordered():
    document, _ = line_document("sgd", learning_rate=0.01, batch_size=1000)
    train, test = linear_data(points=20)
    trainer = make_trainer(document, train, test)
    trainer.run_steps(5000)
    assert 0 < len(trainer.history) <= HISTORY_LIMIT
    steps = [point.step for point in trainer.history]
    assert steps == sorted(steps) and steps[-1] <= 5000 and steps[-1] > 4000
    assert any(point.test_loss is not None for point in trainer.history)


def test_a_long_run_keeps_the_start_of_the_test_curve():
    """The test set is measured at steps 1, 55, 109, ...: all at even positions of a curve that
    records every step, so halving the curve by position alone dropped every one of them."""
    document, _ = line_document("sgd", learning_rate=0.01, batch_size=10)
    train, test = linear_data(points=100)
    trainer = make_trainer(document, train, test)
    trainer.run_steps(HISTORY_LIMIT)  # full, not yet halved
    first_tests = [point for point in trainer.history if point.test_loss is not None]
    trainer.run_steps(3000)
    assert trainer.history_thinnings == 2
    kept = [point for point in trainer.history if point.step <= HISTORY_LIMIT and point.test_loss is not None]
    assert first_tests[0].step == 1 and kept == first_tests[::4]


def test_the_test_set_is_measured_every_so_many_samples_not_every_step():
    document, _ = line_document("sgd", learning_rate=0.01, batch_size=10)
    train, test = linear_data(points=100)  # 80 training points, 20 test points
    trainer = make_trainer(document, train, test)
    trainer.run_steps(200)
    tested = [point.step for point in trainer.history if point.test_loss is not None]
    interval = TEST_EVERY_SAMPLES_PER_POINT * len(test.labels) // 10  # in steps of 10 samples
    assert tested[0] == 1
    assert all(later - earlier >= interval for earlier, later in zip(tested, tested[1:]))
    assert len(tested) == 1 + (200 - 1) // interval


def test_the_metrics_say_at_which_step_the_test_figures_were_measured():
    """Between two measures the test figures are the last measure's, and say so (the panel
    shows the step): an old test loss never passes for the current one."""
    document, _ = line_document("sgd", learning_rate=0.01, batch_size=10)
    train, test = linear_data(points=80)  # 60 training points: every batch holds 10
    trainer = make_trainer(document, train, test)
    assert trainer.metrics.test_step is None
    interval = TEST_EVERY_SAMPLES_PER_POINT * len(test.labels) // 10  # in steps of 10 samples
    trainer.run_steps(interval + 10)
    measured = [point for point in trainer.history if point.test_loss is not None]
    assert [point.step for point in measured] == [1, 1 + interval]
    assert trainer.metrics.steps == interval + 10 and trainer.metrics.test_step == 1 + interval
    assert trainer.metrics.test_loss == measured[-1].test_loss
    trainer.measure_test()  # with the params of the last step
    assert trainer.metrics.test_step == interval + 10 and trainer.metrics.test_loss != measured[-1].test_loss
    trainer.clear_progress()
    assert trainer.metrics.test_step is None and trainer.metrics.test_loss is None


def test_history_records_every_step_while_short():
    document, _ = line_document()
    train, _ = linear_data()
    trainer = make_trainer(document, train)
    trainer.run_steps(30)
    assert [point.step for point in trainer.history] == list(range(1, 31))
    assert trainer.history[-1].test_loss is None


# --- resetting -------------------------------------------------------------------------------


def test_reset_params_is_seeded_and_forgets_progress():
    first, ids = line_document(seed=11)
    second, _ = line_document(seed=11)
    other, _ = line_document(seed=12)
    train, _ = linear_data()
    trainers = [make_trainer(document, train) for document in (first, second, other)]
    trainers[0].run_steps(10)
    for trainer in trainers:
        trainer.reset_params()
    np.testing.assert_array_equal(params_of(first), params_of(second))
    assert not np.allclose(params_of(first), params_of(other))
    assert np.all(np.abs(params_of(first)) <= 1.0)
    assert trainers[0].metrics.steps == 0 and trainers[0].history == []


def test_reset_params_leaves_frozen_params_and_consts_alone():
    document, ids = line_document(seed=11)
    document.set_value(ids["w1"], 5.0)
    document.set_trainable(ids["w1"], False)
    train, _ = linear_data()
    make_trainer(document, train).reset_params()
    assert document.nodes[ids["w1"]].value == 5.0
