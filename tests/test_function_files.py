"""Functions in graph files (format 2): documents with functions survive a round trip exactly, a
graph without functions is still written as format 1, and every broken rule of a function is one
line naming the file and the line at fault."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import random_graphs
from mlgarden.document import function_edits
from mlgarden.files.fileformat import (
    FileFormatError,
    document_from_dict,
    document_to_dict,
    dumps,
    load,
    loads,
    save,
)
from mlgarden.document.function_templates import TEMPLATES
from mlgarden.document.graph import GraphError
from test_functions import connected_selection, document_of

EXAMPLE = Path(__file__).resolve().parent.parent / "docs" / "graph-format.md"

GOOD = """\
mlgarden: 2
functions:
  feature:
    description: |-
      sin(a*x + b)
    nodes:
      - id: x
        op: input
        label: x
      - id: a
        op: param
        value: 1.0
      - id: b
        op: param
        value: 0.0
        shared: true
      - id: ax
        op: mul
        inputs: [a, x]
      - id: u
        op: add
        inputs: [ax, b]
      - id: s
        op: sin
        inputs: [u]
      - id: out
        op: output
        label: sin
        inputs: [s]
      - id: pre
        op: output
        label: pre
        inputs: [u]
nodes:
  - id: x
    op: x
  - id: f1
    op: call
    function: feature
    values: {a: 2.0}
    inputs: [x]
  - id: n
    op: neg
    inputs: ['f1:1']
result: f1
loss: n
"""


def test_a_file_with_a_function_loads_and_computes():
    document = loads(GOOD, "good.yaml")
    assert list(document.functions) == ["feature"]
    assert document.nodes["n"].inputs == ["f1:1"]
    evaluation = document.program().evaluate_point(document.leaf_values(), 0.5)
    assert evaluation.values["f1/pre"] == 2.0 * 0.5 and evaluation.loss == -1.0
    assert evaluation.result == pytest.approx(0.8414709848078965)
    assert dumps(document).startswith(GOOD) and loads(dumps(document)) == document


def test_a_graph_without_functions_is_written_as_format_1_and_one_with_them_as_format_2():
    document = loads(GOOD)
    assert dumps(document).startswith("mlgarden: 2\n")
    function_edits.expand(document, "f1")
    function_edits.remove_function(document, "feature")
    assert dumps(document).startswith("mlgarden: 1\n")


def test_the_example_in_the_format_documentation_loads_and_round_trips():
    text = EXAMPLE.read_text(encoding="utf-8")
    section = text.split("## A complete example with functions", 1)[1]
    block = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    document = loads(block, "docs example")
    assert dumps(document) == block
    assert document.program().incomplete == []


def test_a_reference_written_with_output_0_reads_as_the_plain_id():
    document = loads(GOOD.replace("inputs: ['f1:1']", "inputs: [f1:0]").replace("result: f1", "result: f1:0"))
    assert document.nodes["n"].inputs == ["f1"] and document.result == "f1"


# --- every new error names its line -------------------------------------------------------------------


def error_of(tmp_path: Path, text: str) -> str:
    path = tmp_path / "graph.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FileFormatError) as caught:
        load(path)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(str(path)), message
    return message


def changed(old: str, new: str, text: str = GOOD) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


BODY = "  feature:\n    description: |-\n      sin(a*x + b)\n    nodes:\n"


@pytest.mark.parametrize("text, line, fragment", [
    (changed("mlgarden: 2", "mlgarden: 1"), 2,
     "unknown key 'functions' at the top level (functions need format 2"),
    (changed("function: feature", "function: featur"), 39,
     "node 'f1' calls 'featur', which is not a function of this graph (functions: feature)"),
    (changed("    function: feature\n", ""), 37, "node 'f1' is a call, which needs `function: NAME`"),
    (changed("inputs: [x]\n  - id: n", "inputs: [x, x]\n  - id: n"), 37,
     "node 'f1' (feature) takes 1 input(s), got 2"),
    (changed("inputs: ['f1:1']", "inputs: [f1:2]"), 42,
     "node 'n' reads 'f1:2', which is not an output: feature 'f1' has 2 output(s), f1 to f1:1"),
    (changed("inputs: ['f1:1']", "inputs: [x:1]"), 42,
     "node 'n' reads 'x:1', which is not an output: node 'x' has one"),
    (changed("inputs: ['f1:1']", "inputs: [f1:one]"), 42, "'f1:one' is neither a node id nor a reference"),
    (changed("result: f1", "result: f1:5"), 45, "the result is node 'f1:5', which is not an output"),
    (changed("values: {a: 2.0}", "values: {w: 2.0}"), 40,
     "node 'f1' has a value for 'w', which is not a param of 'feature' of its own (its params: a)"),
    (changed("values: {a: 2.0}", "values: {b: 2.0}"), 40, "a value for 'b', which is not a param"),
    (changed("values: {a: 2.0}", "values: [2.0]"), 40, "node 'f1': values must be a mapping of param paths"),
    (changed("op: input\n        label: x", "op: input\n        shared: true"), 9,
     "node 'x' is an input node, which has no shared"),
    (changed("  - id: x\n    op: x\n", "  - id: x\n    op: param\n    shared: true\n"), 37,
     "param 'x' is marked shared, but only a param inside a function's body can be shared"),
    (changed("  - id: x\n    op: x\n", "  - id: x\n    op: input\n"), 36,
     "node 'x': input nodes are the pins of a function and belong in its body"),
    (changed("        inputs: [ax, b]", "        inputs: [ax, pre]"), 20,
     "function 'feature': node 'u' reads 'pre', which is an output pin of the function"),
    (changed("        inputs: [ax, b]", "        inputs: [ax, zz]"), 20,
     "function 'feature': node 'u' reads 'zz', which does not exist"),
    (changed("        inputs: [a, x]", "        inputs: [a, s]"), 17,
     "function 'feature': a cycle passes through node 'ax'"),
    (changed("      - id: pre\n", "      - id: out\n"), 30,
     "node id 'out' is used twice in function 'feature' (first on line 26)"),
    (changed("  feature:\n", "  2feature:\n"), 3, "function name '2feature' must start with a letter"),
    (changed(BODY, "  feature: 3\n  other:\n    nodes:\n"), 3, "function 'feature' must be a mapping"),
    (changed("    nodes:\n      - id: x\n", "    colour: red\n    nodes:\n      - id: x\n"), 6,
     "unknown key 'colour' in function 'feature'; known keys: description, nodes"),
    (changed("      - id: pre\n        op: output\n        label: pre\n        inputs: [u]\n", "")
     .replace("      - id: out\n        op: output\n        label: sin\n        inputs: [s]\n", "")
     .replace("inputs: ['f1:1']", "inputs: [x]"), 3, "function 'feature' has no output node"),
    (changed("functions:\n", "functions: []\n").split("  feature:")[0] + "nodes: []\n", 2,
     "functions must be a mapping of names to functions"),
])
def test_each_broken_function_rule_is_one_line_with_its_line_number(tmp_path, text, line, fragment):
    message = error_of(tmp_path, text)
    assert f", line {line}: " in message, message
    assert fragment in message, message


def test_recursion_in_a_file_names_the_function_and_its_line(tmp_path):
    text = textwrap.dedent("""\
        mlgarden: 2
        functions:
          f:
            nodes:
              - id: i
                op: input
              - id: g1
                op: call
                function: g
                inputs: [i]
              - id: o
                op: output
                inputs: [g1]
          g:
            nodes:
              - id: i
                op: input
              - id: f1
                op: call
                function: f
                inputs: [i]
              - id: o
                op: output
                inputs: [f1]
        nodes: []
        """)
    message = error_of(tmp_path, text)
    assert ", line 3: function 'f' would call itself through 'g' (f -> g -> f)" in message


def test_a_call_written_without_inputs_has_all_its_pins_free():
    document = loads(changed("    inputs: [x]\n  - id: n", "  - id: n"))
    assert document.nodes["f1"].inputs == [None]


# --- round trips ----------------------------------------------------------------------------------


@st.composite
def documents_with_functions(draw):
    """A random graph with collapsed parts (nested sometimes), templates and their instances,
    shared params and instance values changed."""
    document = document_of(draw(random_graphs(max_nodes=20)))
    data = draw(st.data())
    for round_number in range(draw(st.integers(0, 3))):
        try:
            function_edits.collapse(document, connected_selection(data, document), f"f{round_number}",)
        except GraphError:
            pass
    for template in draw(st.lists(st.sampled_from(sorted(TEMPLATES)), max_size=3, unique=True)):
        function_edits.add_template(document, template)
        instance = function_edits.insert_function(document, template, (draw(st.integers(-500, 500)), 0.5))
        for pin in range(document.pin_count(instance)):
            if draw(st.booleans()):
                document.connect(draw(st.sampled_from(sorted(n for n in document.nodes if n != instance
                                                            and not document.depends_on(n, instance)))),
                                 instance, pin)
    for name in list(document.functions):
        params = [n.id for n in document.functions[name].nodes.values() if n.op == "param"]
        if params and draw(st.booleans()):
            function_edits.set_shared(document, name, draw(st.sampled_from(params)))
    for node in list(document.nodes.values()):
        if node.op == "call" and node.values and draw(st.booleans()):
            path = draw(st.sampled_from(sorted(node.values)))
            document.set_values({f"{node.id}/{path}": draw(st.floats(-1e12, 1e12))})
    return document


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(document=documents_with_functions())
def test_any_document_with_functions_survives_a_round_trip(tmp_path, document):
    text = dumps(document)
    again = loads(text, "round-trip.yaml")
    assert document_to_dict(again) == document_to_dict(document)
    assert again == document
    assert dumps(again) == text
    path = tmp_path / "round-trip.yaml"
    save(document, path)
    assert load(path) == document
    assert document_from_dict(document_to_dict(document)) == document


def test_check_and_eval_count_and_list_what_is_inside_the_instances(capsys, tmp_path):
    from mlgarden import cli

    path = tmp_path / "example.yaml"
    text = EXAMPLE.read_text(encoding="utf-8")
    path.write_text(text.split("## A complete example with functions", 1)[1].split("```yaml\n", 1)[1]
                    .split("```", 1)[0], encoding="utf-8")
    assert cli.main(["check", str(path)]) == 0
    assert capsys.readouterr().out == (f"{path}: 7 nodes (25 expanded, 9 params), 1 function (3 calls), "
                                       "8 links, result out, loss loss\n")
    assert cli.main(["eval", str(path), "--x", "0.5", "--y", "-0.5"]) == 0
    table = capsys.readouterr().out
    assert "h1/w1    param          0.8" in table and "loss = 0.388496" in table
