"""The write-up's final network, rebuilt from an empty canvas with the editor's own actions."""

import sys
from collections import Counter
from pathlib import Path

from mlgarden.document.functions import expanded_node_count
from mlgarden.files import fileformat

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import make_examples  # noqa: E402


def test_a_handful_of_actions_build_the_final_network_the_write_up_wired_by_hand():
    document, actions = make_examples.final_boss_by_actions()
    hand_wired = fileformat.load(make_examples.DEFAULT_OUT / "final-boss.yaml")
    assert actions <= 30
    assert f"in {actions} editor actions" in make_examples.final_boss_built().description
    calls = Counter(node.function for node in document.nodes.values() if node.op == "call")
    assert calls == {"distance": 1, "sine_feature": 2, "perceptron5_tanh": 8, "perceptron13_tanh": 4,
                     "perceptron4_tanh": 1}
    assert len(document.nodes) == 2 + 3 + 13 + 2  # x, y, the features, the perceptrons, label, loss
    assert len(hand_wired.nodes) <= 40
    flat_links = [spec for spec in document.node_specs() for source in spec.inputs]
    assert len(flat_links) >= 300  # what the write-up wired by hand, link by link
    assert expanded_node_count(document.functions, document.nodes) >= 230
    evaluation = document.program().evaluate_point(document.leaf_values(), 0.3, -0.2, 1.0)
    assert evaluation.loss is not None and evaluation.result is not None
