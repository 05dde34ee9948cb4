"""The write-up's final network, rebuilt from an empty canvas with the editor's own actions."""

import sys
from pathlib import Path

from mlgarden.files import fileformat

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import make_examples  # noqa: E402


def test_a_handful_of_actions_build_the_final_network_the_write_up_wired_by_hand():
    document, actions = make_examples.final_boss_by_actions()
    hand_wired = fileformat.load(make_examples.DEFAULT_OUT / "final-boss.yaml")
    assert actions <= 30
    assert len(document.links()) >= 300 and len(hand_wired.links()) >= 300
    assert f"in {actions} editor actions" in make_examples.final_boss_built().description
    calls = [node for node in document.nodes.values() if node.op == "call"]
    assert sorted(node.function for node in calls) == ["distance", "sine_feature", "sine_feature"]
    evaluation = document.program().evaluate_point(document.leaf_values(), 0.3, -0.2, 1.0)
    assert evaluation.loss is not None and evaluation.result is not None
