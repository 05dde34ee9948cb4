"""Tests for `mlgarden train`: the stored settings by default, overrides, the JSON report, --save,
the progress bar on a terminal, and one-line errors with exit code 2."""

import io
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from mlgarden import cli
from mlgarden.files import fileformat
from mlgarden.document.build import Builder, log, tanh

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "saved_graphs"
JSON_KEYS = {"train_loss", "train_accuracy", "test_loss", "test_accuracy", "steps", "epochs",
             "samples_per_second", "seconds"}


def line_file(tmp_path, name="line.yaml", **training):
    """tanh(w1 x + w2 y + b) on `linear`, 100 points, 20 of them for testing."""
    builder = Builder(seed=0)
    out = tanh(builder.param() * builder.x() + builder.param() * builder.y() + builder.param())
    document = builder.finish(result=out, loss=builder.loss("squared_error", out))
    document.set_dataset(name="linear", points=100, noise=0.1, seed=1, test_fraction=0.2)
    document.set_training(optimizer="adam", learning_rate=0.1, batch_size=16, seed=0, steps=60)
    if training:
        document.set_training(**training)
    path = tmp_path / name
    fileformat.save(document, path)
    return path


def train(capsys, *arguments):
    code = cli.main(["train", *map(str, arguments)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def train_json(capsys, *arguments):
    code, out, err = train(capsys, *arguments, "--json")
    assert code == 0, err
    return json.loads(out)


def test_json_report_has_the_metrics_of_the_stored_settings(tmp_path, capsys):
    report = train_json(capsys, line_file(tmp_path))
    assert JSON_KEYS <= set(report)
    assert report["steps"] == 60
    assert report["epochs"] == 60 // math.ceil(80 / 16)
    assert report["test_accuracy"] >= 0.9 and report["train_accuracy"] >= 0.9
    assert 0 <= report["test_loss"] < 0.5 and 0 <= report["train_loss"] < 0.5
    assert report["samples_per_second"] > 0 and report["seconds"] > 0


def test_the_same_file_trains_to_the_same_numbers(tmp_path, capsys):
    path = line_file(tmp_path)
    first, second = train_json(capsys, path), train_json(capsys, path)
    for key in ("train_loss", "test_loss", "train_accuracy", "test_accuracy"):
        assert first[key] == second[key]


def test_the_file_itself_is_not_changed(tmp_path, capsys):
    path = line_file(tmp_path)
    before = path.read_bytes()
    train_json(capsys, path)
    assert path.read_bytes() == before


def test_overrides_change_the_run(tmp_path, capsys):
    path = line_file(tmp_path)
    assert train_json(capsys, path, "--steps", 7)["steps"] == 7
    by_epochs = train_json(capsys, path, "--epochs", 3, "--batch-size", 40)
    assert (by_epochs["steps"], by_epochs["epochs"]) == (6, 3)
    stored = train_json(capsys, path)
    for arguments in (["--lr", "0.01"], ["--optimizer", "sgd"], ["--seed", "5"], ["--points", "60"],
                      ["--noise", "0.5"], ["--dataset", "gaussian"]):
        assert train_json(capsys, path, *arguments)["train_loss"] != stored["train_loss"], arguments


def test_a_csv_dataset_can_be_given_by_path(tmp_path, capsys):
    csv = tmp_path / "points.csv"
    csv.write_text("x,y,label\n" + "".join(f"{i / 10},{i / 20},{1 if i % 2 else -1}\n" for i in range(20)))
    report = train_json(capsys, line_file(tmp_path), "--dataset", csv, "--steps", 3)
    assert report["steps"] == 3 and report["test_accuracy"] is not None


def test_save_writes_the_trained_graph_with_the_settings_used(tmp_path, capsys):
    path, out = line_file(tmp_path), tmp_path / "trained.yaml"
    report = train_json(capsys, path, "--steps", 80, "--lr", "0.05", "--noise", "0.2", "--save", out)
    trained, original = fileformat.load(out), fileformat.load(path)
    assert trained.training.steps == 80 and trained.training.learning_rate == 0.05
    assert trained.dataset.noise == 0.2
    assert [n.value for n in trained.params()] != [n.value for n in original.params()]
    carried_on = train_json(capsys, out, "--steps", 1)  # the saved params start where they stopped
    fresh = train_json(capsys, path, "--steps", 1, "--noise", "0.2")
    assert carried_on["train_loss"] < fresh["train_loss"]
    assert carried_on["train_loss"] == pytest.approx(report["train_loss"], abs=0.05)


def test_the_human_summary_is_short_and_says_how_it_went(tmp_path, capsys):
    code, out, err = train(capsys, line_file(tmp_path), "--save", tmp_path / "out.yaml")
    assert code == 0 and err == ""
    assert "60 steps" in out and "test:" in out and "accuracy" in out and "out.yaml" in out
    assert len(out.splitlines()) <= 5


def test_a_progress_bar_is_drawn_only_on_a_terminal(tmp_path, capsys, monkeypatch):
    path = line_file(tmp_path)
    assert train(capsys, path)[2] == ""  # captured stderr is not a terminal

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert cli.main(["train", str(path), "--json"]) == 0
    drawn = terminal.getvalue()
    assert drawn.count("\r") >= 2 and "60/60" in drawn and drawn.endswith("\n")


def test_training_the_shipped_linear_example_reaches_its_accuracy(capsys):
    report = train_json(capsys, EXAMPLES / "linear.yaml")
    assert report["test_accuracy"] >= 0.97


def test_train_without_a_test_set_reports_null_test_metrics(tmp_path, capsys):
    builder = Builder(seed=0)
    out = tanh(builder.param() * builder.x())
    document = builder.finish(result=out, loss=builder.loss("squared_error", out))
    document.set_dataset(test_fraction=0.0, points=30)
    document.set_training(steps=5)
    fileformat.save(document, tmp_path / "all.yaml")
    report = train_json(capsys, tmp_path / "all.yaml")
    assert report["test_loss"] is None and report["test_accuracy"] is None
    assert report["train_loss"] is not None


# --- errors: exit code 2 and one line on stderr ---------------------------------------------------


def assert_one_line_error(code, out, err, *words):
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("mlgarden")
    assert "Traceback" not in err
    for word in words:
        assert word in err, (word, err)


@pytest.mark.parametrize("arguments, words", [
    (["--dataset", "nonsense"], ["unknown dataset", "nonsense"]),
    (["--dataset", "missing.csv"], ["missing.csv", "no such file"]),
    (["--steps", "0"], ["--steps"]),
    (["--steps", "ten"], ["--steps", "ten"]),
    (["--epochs", "-1"], ["--epochs"]),
    (["--steps", "3", "--epochs", "2"], ["not allowed with"]),
    (["--batch-size", "0"], ["--batch-size"]),
    (["--lr", "0"], ["--lr"]),
    (["--lr", "nan"], ["--lr"]),
    (["--lr", "1e9"], ["--lr"]),
    (["--optimizer", "rmsprop"], ["--optimizer", "rmsprop"]),
    (["--points", "0"], ["--points"]),
    (["--noise", "1.5"], ["--noise"]),
    (["--seed", "-2"], ["--seed"]),
])
def test_bad_arguments_fail_in_one_line(tmp_path, capsys, arguments, words):
    assert_one_line_error(*train(capsys, line_file(tmp_path), *arguments), *words)


def test_a_missing_or_broken_file_fails_in_one_line(tmp_path, capsys):
    assert_one_line_error(*train(capsys, tmp_path / "absent.yaml"), "absent.yaml", "no such file")
    broken = tmp_path / "broken.yaml"
    broken.write_text("mlgarden: 1\nnodes: [\n")
    assert_one_line_error(*train(capsys, broken), "broken.yaml")


def test_a_graph_without_a_loss_fails_in_one_line(tmp_path, capsys):
    builder = Builder(seed=0)
    out = tanh(builder.param() * builder.x())
    fileformat.save(builder.finish(result=out), tmp_path / "no-loss.yaml")
    assert_one_line_error(*train(capsys, tmp_path / "no-loss.yaml"), "no loss")


def test_a_non_finite_loss_fails_in_one_line_naming_the_node_and_saves_the_last_finite_params(
        tmp_path, capsys):
    builder = Builder(seed=0)
    p = builder.param(0.5, label="p")
    out = log(p, label="logp")
    document = builder.finish(result=out, loss=builder.loss("squared_error", out, builder.const(-10.0)))
    document.set_training(optimizer="sgd", learning_rate=0.2, steps=100)
    fileformat.save(document, tmp_path / "log.yaml")
    saved = tmp_path / "kept.yaml"
    result = train(capsys, tmp_path / "log.yaml", "--save", saved)
    assert_one_line_error(*result, "logp", "infinite or NaN", f"the last finite params are kept, in {saved}")
    kept = fileformat.load(saved).nodes[p.id].value
    assert math.isfinite(kept) and kept != 0.5  # trained, up to the step before the NaN


def test_a_non_finite_gradient_with_a_finite_loss_names_the_node_and_the_reader(tmp_path, capsys):
    builder = Builder(seed=0)
    weight = builder.param(0.0, label="w")
    product = builder.op("mul", weight, builder.x(), label="u")
    root = builder.op("sqrt", product, label="root")  # d root / d u = 0.5 / sqrt(0): infinite
    document = builder.finish(result=root, loss=builder.loss("squared_error", root), arrange=False)
    fileformat.save(document, tmp_path / "sqrt.yaml")
    code, out, err = train(capsys, tmp_path / "sqrt.yaml", "--steps", "3")
    assert_one_line_error(code, out, err, "node 'u' (mul) got an infinite or NaN gradient from node "
                               "'root' (sqrt) while the loss stayed finite")
    assert "the loss became" not in err


def test_an_unwritable_save_path_fails_in_one_line(tmp_path, capsys):
    assert_one_line_error(*train(capsys, line_file(tmp_path), "--save", tmp_path / "no" / "dir.yaml"),
                          "could not save")


def test_the_installed_command_runs_as_a_module(tmp_path):
    completed = subprocess.run([sys.executable, "-m", "mlgarden", "train", str(line_file(tmp_path)),
                                "--steps", "5", "--json"], capture_output=True, text=True, cwd=REPO,
                               timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert JSON_KEYS <= set(json.loads(completed.stdout))
    failed = subprocess.run([sys.executable, "-m", "mlgarden", "train", str(tmp_path / "absent.yaml")],
                            capture_output=True, text=True, cwd=REPO, timeout=120)
    assert failed.returncode == 2 and failed.stderr.count("\n") == 1
