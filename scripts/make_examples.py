"""Build the example graphs shipped in saved_graphs/, each with the Builder API.

Every example retells one step of the MLGarden write-up: a function of x and y, a loss that says
how wrong it is, and the dataset and training settings that take it from its starting params to
the accuracy its description states. Reading a function below shows how its network is made; the
files are only ever written by this script, so they can be rebuilt exactly:

    python scripts/make_examples.py            # rewrites saved_graphs/*.yaml
    python scripts/make_examples.py --out DIR  # writes them somewhere else
    python scripts/make_examples.py --report   # trains each from its settings and prints how it does

The saved params are the untrained starting values drawn from each builder's seed; pressing play
(or `mlgarden train FILE`) trains them with the stored settings. tests/test_examples.py trains every
example for its stated steps and checks the accuracy its description states, and checks that this
script still writes the committed files byte for byte.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script from anywhere in the checkout
    sys.path.insert(0, str(REPO))

from mlgarden.document.build import Builder, Value, sin, sqrt, square, tanh  # noqa: E402
from mlgarden.document.graph import Document  # noqa: E402

DEFAULT_OUT = REPO / "saved_graphs"
DISTANCE_EPSILON = 1e-3  # sqrt(u + eps): the derivative 1 / (2 sqrt(u)) stays finite at u = 0


def _settings(document: Document, dataset: dict, training: dict) -> Document:
    """Store the dataset and training settings, and wrap the description as the files do."""
    document.set_dataset(**dataset)
    document.set_training(**training)
    document.description = textwrap.fill(document.description, width=80) + "\n"
    return document


def _distance(builder: Builder, dx: Value, dy: Value, label: str) -> Value:
    """sqrt(dx² + dy² + eps): a distance whose gradient stays finite where it is zero."""
    squares = builder.total([square(dx), square(dy), builder.const(DISTANCE_EPSILON, label="eps")])
    return sqrt(squares, label=label)


# --- the examples, in the order of the write-up -------------------------------------------------


def fit_ten() -> Document:
    builder = Builder(seed=0)
    a, b, c = builder.param(5.0, label="a"), builder.param(3.0, label="b"), builder.param(2.0, label="c")
    result = builder.op("mul", builder.op("add", a, b, label="a+b"), c, label="result")
    error = builder.loss("squared_error", result, builder.const(10.0, label="target"))
    document = builder.finish(result=result, loss=error, description=(
        "(a + b) * c with a = 5, b = 3, c = 2 is 16. To make it 10 instead, the loss is the "
        "squared error (result - 10)²: its derivative says, for each of a, b and c, which way "
        "and how hard to nudge it, and training nudges all three at once against their "
        "derivatives. The data points play no part: x, y and label are not used. "
        "With plain gradient descent the result is 10.000 after 40 steps. "
        "Try next: press Step in the Training window a few times and watch a, b and c move against "
        "their orange gradients, then Play; set the target const to another number and train "
        "again. Then open line, where the target is each data point's label."
    ))
    return _settings(document, dict(name="linear", points=40, noise=0.0, seed=0, test_fraction=0.25),
                     dict(optimizer="sgd", learning_rate=0.01, batch_size=30, seed=0, steps=40))


def line() -> Document:
    builder = Builder(seed=1)
    w, b = builder.param(label="w"), builder.param(label="b")
    result = tanh(w * builder.x() + b, label="result")
    document = builder.finish(result=result, loss=builder.loss("squared_error", result), description=(
        "The first guess at a classifier: take x, multiply it by a param w, add a param b and "
        "slam the sum to -1 or +1 with tanh. The loss is (prediction - label)². It only ever "
        "sees each point's x, so all it can draw is a vertical line, and the linear dataset's "
        "boundary is tilted. Training finds the best vertical line it can, which reaches a "
        "test accuracy of 65.0% after 250 steps: better than a coin, far from right. "
        "Try next: press Play and watch the Dataset window's surface settle on a vertical band; "
        "click a point to see every node's value for it. Then open linear, which reads y too."
    ))
    return _settings(document, dict(name="linear", points=400, noise=0.1, seed=1, test_fraction=0.2),
                     dict(optimizer="adam", learning_rate=0.1, batch_size=64, seed=1, steps=250))


def linear() -> Document:
    builder = Builder(seed=2)
    x, y = builder.x(), builder.y()
    w1, w2, b = builder.param(label="w1"), builder.param(label="w2"), builder.param(label="b")
    result = tanh(w1 * x + w2 * y + b, label="result")
    document = builder.finish(result=result, loss=builder.loss("squared_error", result), description=(
        "Add the y coordinate, times its own param, to the line model: tanh(w1 x + w2 y + b). "
        "Now the boundary, where w1 x + w2 y + b = 0, can be any line, and training turns it to "
        "the data's: it reaches a test accuracy of 98.8% after 200 steps (the few points it "
        "misses were pushed across the boundary by the dataset's noise). Multiply each input "
        "by a weight, add a bias, squash with tanh: this is exactly one perceptron. "
        "Try next: switch the Dataset window to the donut and train again: the line gives up "
        "and predicts 0 everywhere, since no line splits a disc from a ring. Then open "
        "donut-distance."
    ))
    return _settings(document, dict(name="linear", points=400, noise=0.1, seed=1, test_fraction=0.2),
                     dict(optimizer="adam", learning_rate=0.1, batch_size=64, seed=1, steps=200))


def donut_distance() -> Document:
    builder = Builder(seed=3)
    w, b = builder.param(label="w"), builder.param(label="b")
    distance = _distance(builder, builder.x(), builder.y(), label="distance")
    result = tanh(w * distance + b, label="result")
    document = builder.finish(result=result, loss=builder.loss("squared_error", result), description=(
        "A disc of red inside a ring of blue: no line can split it, so the line model gives up "
        "and predicts 0 everywhere. Hand it a better feature instead, each point's distance to "
        "the origin, sqrt(x² + y² + eps) (the small eps keeps the derivative finite at the "
        "centre), and the same multiply, add and tanh draws a circle: a test accuracy of 100.0% "
        "after 100 steps. It works, but it feels like cheating: we designed the model from the "
        "shape we saw in the data. Try next: open perceptrons-2-1, which learns the donut "
        "without being told about circles."
    ))
    return _settings(document, dict(name="donut", points=200, noise=0.1, seed=3, test_fraction=0.2),
                     dict(optimizer="adam", learning_rate=0.1, batch_size=32, seed=3, steps=100))


def perceptrons_2_1() -> Document:
    builder = Builder(seed=4)
    x, y = builder.x(), builder.y()
    hidden = builder.layer([x, y], width=2, label="h")
    result = builder.neuron(hidden, label="result")
    document = builder.finish(result=result, loss=builder.loss("squared_error", result), description=(
        "Perceptrons: each takes its inputs, multiplies each by a weight, adds a bias and puts "
        "the sum through tanh. One alone is the linear model and cannot do the donut; two of "
        "them, each drawing a line, fed into a third that combines their answers, can cut out "
        "a band between two lines. It already does quite well, a test accuracy of 90.0% after "
        "300 steps, though a band is not a disc: the ends of the band stay wrong. Other "
        "starting params land between 80% and 90%. Each of the three is a call of one "
        "perceptron function: right-click one and choose Edit definition to see its weights, "
        "products, sum and tanh (drag a weight there to nudge that perceptron's own; a node "
        "or link edited there changes all three), or Expand function to wire it out as plain "
        "nodes. Try next: select h1 and h2 and press ctrl+L to insert a "
        "layer of perceptrons reading them, or Re-initialise and train again. Then open "
        "mlp-2x4."
    ))
    return _settings(document, dict(name="donut", points=200, noise=0.1, seed=4, test_fraction=0.2),
                     dict(optimizer="adam", learning_rate=0.05, batch_size=32, seed=4, steps=300))


def mlp_2x4() -> Document:
    builder = Builder(seed=5)
    x, y = builder.x(), builder.y()
    first = builder.layer([x, y], width=4, label="a")
    second = builder.layer(first, width=4, label="b")
    result = builder.neuron(second, label="result")
    document = builder.finish(result=result, loss=builder.loss("squared_error", result), description=(
        "The spiral, with two layers of 4 perceptrons instead of one layer of 8: every "
        "perceptron of the second layer reads all 4 of the first, so there is a lot of "
        "connecting to do. The first layer draws lines, the second bends them into "
        "shapes, the output combines the shapes. Somewhat better than one wide layer, it "
        "reaches a test accuracy of 86.2% after 1800 steps, the learning rate decaying as the "
        "epochs pass, but the spiral's inner turns stay blurred. Insert layer (ctrl+L) makes "
        "each layer in one step, one call of a shared perceptron function per perceptron. Try "
        "next: lower the learning rate when the loss curve ping-pongs, or make the first layer "
        "8 wide. Then open final-boss."
    ))
    return _settings(document, dict(name="spiral", points=400, noise=0.1, seed=5, test_fraction=0.2),
                     dict(optimizer="adam", learning_rate=0.05, batch_size=64, lr_decay=0.02, seed=5,
                          steps=1800))


def final_boss() -> Document:
    builder = Builder(seed=6)
    x, y = builder.x(), builder.y()
    wave_x = sin(builder.param(label="a") * x + builder.param(label="b"), label="sin x")
    wave_y = sin(builder.param(label="c") * y + builder.param(label="d"), label="sin y")
    centre_x, centre_y = builder.param(label="px"), builder.param(label="py")
    distance = _distance(builder, x - centre_x, y - centre_y, label="distance")
    features = [x, y, wave_x, wave_y, distance]
    first = builder.layer(features, width=8, label="a")
    second = builder.layer(first + features, width=4, label="b")
    result = builder.neuron(second, label="result")
    document = builder.finish(result=result, loss=builder.loss("squared_error", result), description=(
        "The final boss: the spiral. Besides x and y the first layer gets engineered features "
        "with learned params: sin(a x + b), sin(c y + d), and the distance to a learned point "
        "(px, py). Eight perceptrons read them, then four more read those eight and the "
        "features again, then one output: it reaches a test accuracy of 100.0% after 500 steps. "
        "Notice that it never continues the spiral beyond the data: only the points matter, "
        "the spiral is our inductive bias. Each perceptron is one call of a perceptron "
        "function, so the canvas holds 36 nodes; expanded, it is the 254 scalar nodes the "
        "write-up wired by hand. Try next: right-click a perceptron and choose Edit definition "
        "to change every perceptron of that shape at once (swap its tanh for a relu), or "
        "Expand function to see one wired out; then open final-boss-built."
    ))
    return _settings(document, dict(name="spiral", points=400, noise=0.1, seed=6, test_fraction=0.2),
                     dict(optimizer="adam", learning_rate=0.05, batch_size=64, seed=6, steps=500))


class ActionLog:
    """Counts the editor actions that build a graph: each call is one thing a user does."""

    def __init__(self, session) -> None:
        self.session = session
        self.count = 0

    def __call__(self, method: str, *args, **kwargs):
        self.count += 1
        outcome = getattr(self.session, method)(*args, **kwargs)
        if outcome is None:
            raise RuntimeError(f"{method} was refused: {self.session.status}")
        return outcome


def final_boss_by_actions() -> tuple[Document, int]:
    """The final boss rebuilt from an empty canvas with the editor's actions (the same Session
    calls the app's menus and gestures make); return the document and how many actions it took.
    A box selection before an Insert layer counts as one action."""
    from mlgarden.session import Session

    session = Session(Document())
    session.document.set_training(seed=8)
    act = ActionLog(session)
    x = act("edit", "add_node", "x", pos=(0.0, 0.0))
    y = act("edit", "add_node", "y", pos=(0.0, 150.0))
    act("edit", "add_template", "sine_feature")
    act("edit", "add_template", "distance")
    features = [x, y]
    for source in (x, y):
        wave = act("edit", "insert_function", "sine_feature", (200.0, 0.0))
        act("edit", "connect", source, wave, 0)
        features.append(wave)
    distance = act("edit", "insert_function", "distance", (200.0, 300.0))
    act("edit", "connect", x, distance, 0)
    act("edit", "connect", y, distance, 1)
    features.append(distance)
    act.count += 1  # box-select the five features
    first = act("insert_layer", features, 8, "tanh", (450.0, 0.0))
    act.count += 1  # box-select the first layer's outputs and ctrl+click the features
    second = act("insert_layer", first + features, 4, "tanh", (1100.0, 0.0))
    act.count += 1  # box-select the second layer's outputs
    (result,) = act("insert_layer", second, 1, "tanh", (1700.0, 0.0))
    label = act("edit", "add_node", "label", pos=(1900.0, 300.0))
    loss = act("edit", "add_node", "squared_error", pos=(2100.0, 0.0))
    act("edit", "connect", result, loss, 0)
    act("edit", "connect", label, loss, 1)
    act("edit", "set_result", result)
    act("edit", "set_loss", loss)
    act("arrange")
    return session.document, act.count


def final_boss_built() -> Document:
    document, actions = final_boss_by_actions()
    document.description = (
        f"The final boss again, rebuilt from an empty canvas in {actions} editor actions instead of "
        "hundreds of drags: x and y, two sine_feature and one distance function from the built-in "
        "templates, Insert layer of 8 reading the five features, Insert layer of 4 reading those "
        "eight and the features again, a 1-wide output layer, a label, a squared-error loss. "
        "It reaches a test accuracy of 98.8% after 1200 steps. Try next: build it yourself from "
        "File > New, or add a layer or a feature and see what changes. Then open moons-mlp."
    )
    return _settings(document, dict(name="spiral", points=400, noise=0.1, seed=6, test_fraction=0.2),
                     dict(optimizer="adam", learning_rate=0.05, batch_size=64, seed=8, steps=1200))


def moons_mlp() -> Document:
    builder = Builder(seed=7)
    x, y = builder.x(), builder.y()
    first = builder.layer([x, y], width=16, activation="relu", label="a")
    second = builder.layer(first, width=16, activation="relu", label="b")
    result = builder.neuron(second, activation=None, label="result")
    document = builder.finish(result=result, loss=builder.loss("hinge", result), description=(
        "micrograd's demo network: 2 inputs, two hidden layers of 16 relu perceptrons and a "
        "linear output, trained with the hinge loss max(0, 1 - label * score) on the moons. "
        "Expanded into scalar nodes it is big, 710 of them, one per weight and per product; as "
        "one call per perceptron it is 37 nodes. With a batch of 100 points it reaches a test "
        "accuracy of 100.0% after 70 steps. Try next: go make your own network, as the "
        "write-up ends: wider layers, more layers, new features, another loss."
    ))
    return _settings(document, dict(name="moons", points=200, noise=0.4, seed=7, test_fraction=0.2),
                     dict(optimizer="adam", learning_rate=0.02, batch_size=100, seed=7, steps=70))


EXAMPLES: dict[str, Callable[[], Document]] = {
    "fit-ten": fit_ten,
    "line": line,
    "linear": linear,
    "donut-distance": donut_distance,
    "perceptrons-2-1": perceptrons_2_1,
    "mlp-2x4": mlp_2x4,
    "final-boss": final_boss,
    "final-boss-built": final_boss_built,
    "moons-mlp": moons_mlp,
}


# --- writing and reporting -----------------------------------------------------------------


def write_examples(directory: Path) -> list[Path]:
    from mlgarden.files import fileformat

    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, make in EXAMPLES.items():
        path = directory / f"{name}.yaml"
        fileformat.save(make(), path)
        written.append(path)
    return written


def train_example(document: Document):
    """Train a built example from its own settings; return (trainer, test set, seconds)."""
    from mlgarden.learning.datasets import load_dataset
    from mlgarden.learning.training import Trainer

    data = document.dataset
    full = load_dataset(data.name, data.points, data.noise, data.seed)
    train, test = full.split(data.test_fraction, data.seed)
    trainer = Trainer(document, train.points, train.labels, test.points, test.labels)
    started = time.perf_counter()
    trainer.run_steps(document.training.steps)
    seconds = time.perf_counter() - started
    trainer.measure_test()
    return trainer, test, seconds


def report(names: list[str]) -> None:
    for name in names:
        document = EXAMPLES[name]()
        trainer, _, seconds = train_example(document)
        metrics = trainer.metrics
        result = document.program().evaluate_point(document.leaf_values()).result
        print(f"{name:16} nodes {len(document.nodes):4d}  steps {metrics.steps:5d}  "
              f"test accuracy {100 * (metrics.test_accuracy or 0):5.1f}%  "
              f"train accuracy {100 * (metrics.train_accuracy or 0):5.1f}%  "
              f"test loss {metrics.test_loss:.4f}  result at (0, 0) {result:.4f}  {seconds:.2f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder to write the files to")
    parser.add_argument("--report", nargs="*", metavar="NAME",
                        help="train the named examples (all by default) and print how they do")
    arguments = parser.parse_args(argv)
    if arguments.report is not None:
        report(arguments.report or list(EXAMPLES))
        return 0
    for path in write_examples(arguments.out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
