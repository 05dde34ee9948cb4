"""Hostile graph files: however malformed, each one is refused by the command line with exit 2 and
one line naming the file, the line and the problem, never a traceback and never a hang; the file
reader refuses it the same way before building anything big.

Each text below once escaped as a traceback (ValueError, KeyError, RecursionError) or took tens of
seconds and hundreds of MB before being refused. None of these tests times anything: the speed
figures are in benchmarks/bench_hostile_files.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from mlgarden.document import function_edits
from mlgarden.cli import main
from mlgarden.document.function_limits import MAX_CALL_DEPTH, MAX_EXPANDED_LINKS, MAX_EXPANDED_NODES
from mlgarden.engine import point_code
from mlgarden.files import fileformat
from mlgarden.document.graph import GraphError
from mlgarden.files.fileformat import MAX_LIST, MAX_NODES, MAX_YAML_ITEMS, FileFormatError

sys.path.insert(0, str(Path(__file__).resolve().parent))
from hostile_texts import (  # noqa: E402  (tests/ is not a package)
    big_sum,
    compact_nodes,
    doubling_functions,
    nested_functions,
    node_with_value,
    scalar_flood,
)


def check(capsys, path: Path) -> tuple[int, str]:
    code = main(["check", str(path)])
    captured = capsys.readouterr()
    return code, captured.err


def assert_refused(capsys, tmp_path, text: str, line: int | None, *fragments: str) -> str:
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    code, err = check(capsys, path)
    assert code == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    where = f"mlgarden: {path}, line {line}: " if line else f"mlgarden: {path}: "
    assert err.startswith(where), err
    for fragment in fragments:
        assert fragment in err, err
    return err


# --- scalars that YAML cannot read --------------------------------------------------------------


@pytest.mark.parametrize(("value", "problem"), [
    ('!!float "abc"', "!!float 'abc' cannot be read as a number"),
    ('!!int "0b2"', "!!int '0b2' cannot be read as a whole number"),
    ('!!bool "maybe"', "!!bool 'maybe' cannot be read as true or false"),
    ("!!int 12x", "!!int '12x' cannot be read as a whole number"),
])
def test_an_explicit_tag_with_bad_content_is_refused_on_its_line(capsys, tmp_path, value, problem):
    assert_refused(capsys, tmp_path, node_with_value(value), 4, problem)


def test_an_integer_longer_than_pythons_digit_limit_is_refused(capsys, tmp_path):
    digits = sys.get_int_max_str_digits() + 1
    assert_refused(capsys, tmp_path, node_with_value("9" * digits), 4,
                   f"a whole number of {digits} digits is too long to read")


def test_a_long_integer_within_the_limit_still_reads(tmp_path):
    text = node_with_value("9" * 700)  # longer than a float: read as infinity, refused by the graph
    with pytest.raises(FileFormatError, match="value"):
        fileformat.loads(text, "long.yaml")


# --- functions that expand past every limit -------------------------------------------------------


def test_functions_nested_a_thousand_deep_are_refused_by_depth(capsys, tmp_path):
    line = 7 + 5 * (MAX_CALL_DEPTH - 1)  # function f_k's name: f0 takes lines 3-6, each next 5
    assert_refused(capsys, tmp_path, nested_functions(1000), line,
                   f"function 'f{MAX_CALL_DEPTH}' nests functions {MAX_CALL_DEPTH + 1} deep")


def test_functions_nested_to_the_limit_still_load(tmp_path):
    document = fileformat.loads(nested_functions(MAX_CALL_DEPTH), "deep.yaml")
    assert document.program().evaluate_point([], 0.25, 0.0, 1.0).result == 0.25


def test_functions_that_call_the_previous_one_twice_are_refused_by_expanded_size(capsys, tmp_path):
    text = doubling_functions(20)  # f14 alone expands to 2**15 - 1 nodes
    assert len(text.encode()) < 4096
    assert_refused(capsys, tmp_path, text, 7 + 6 * 13, "function 'f14' expands to 32767 nodes",
                   f"at most {MAX_EXPANDED_NODES}")


def test_many_instances_of_a_function_are_refused_by_the_graphs_expanded_size(capsys, tmp_path):
    calls = MAX_EXPANDED_NODES // 1000 + 1  # each instance of f9 expands to 1023 nodes
    text = doubling_functions(10, instances=calls)
    assert_refused(capsys, tmp_path, text, 63, f"the graph expands to {calls * 1023 + 1} nodes",
                   f"a graph may expand to at most {MAX_EXPANDED_NODES}")


def test_a_deep_doubling_is_refused_by_depth_before_its_size_is_even_a_number(capsys, tmp_path):
    assert_refused(capsys, tmp_path, doubling_functions(1000), 7 + 6 * (MAX_CALL_DEPTH - 1),
                   f"nests functions {MAX_CALL_DEPTH + 1} deep")


# --- sums the point route must compile ------------------------------------------------------------


@pytest.mark.parametrize("inputs", [5000, 20_000])
def test_a_sum_of_thousands_of_inputs_compiles_and_adds_in_order(capsys, tmp_path, inputs):
    path = tmp_path / "sum.yaml"
    path.write_text(big_sum(inputs), encoding="utf-8")
    code = main(["eval", str(path), "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert f'"s": {{"value": {0.5 * inputs}' in captured.out
    document = fileformat.load(path)
    program = document.program()
    point = program.evaluate_point(document.leaf_values(program), 0.0, 0.0, 1.0)
    assert point.grads["p0"] == 2 * (0.5 * inputs - 1.0) * (inputs // 100)  # p0 read inputs/100 times


def test_a_sum_longer_than_any_list_a_graph_needs_is_refused_while_reading(capsys, tmp_path):
    text = big_sum(MAX_LIST + 1)
    assert_refused(capsys, tmp_path, text, 104, f"a list holds more than {MAX_LIST} entries")


def test_sums_whose_links_add_up_past_the_limit_are_refused_before_compiling(capsys, tmp_path):
    sums = [f"  - {{id: s{k}, op: sum, inputs: [{', '.join(['w'] * 40_000)}]}}" for k in range(3)]
    text = "mlgarden: 1\nnodes:\n  - {id: w, op: param, value: 0.5}\n" + "\n".join(sums) + "\n"
    assert_refused(capsys, tmp_path, text, 4, f"the graph has 120000 links; a graph may have at most "
                                              f"{MAX_EXPANDED_LINKS}")


def test_a_long_sum_is_written_over_several_lines_in_the_same_order():
    lines = point_code._sum_lines("v9", [f"v{k}" for k in range(150)])
    assert len(lines) == 3
    assert lines[0] == "v9 = " + " + ".join(f"v{k}" for k in range(64))
    assert lines[1] == "v9 = v9 + " + " + ".join(f"v{k}" for k in range(64, 128))


# --- big files refused while they are read --------------------------------------------------------


def test_a_file_of_compact_nodes_is_refused_at_the_node_limit_while_reading(capsys, tmp_path):
    text = compact_nodes(5 * 1024 * 1024 - 1024)
    assert len(text.encode()) <= fileformat.MAX_FILE_BYTES
    assert_refused(capsys, tmp_path, text, MAX_NODES + 3,
                   f"lists more than {MAX_NODES} node entries")


def test_a_flood_of_values_is_refused_at_the_value_limit_while_reading(capsys, tmp_path):
    assert_refused(capsys, tmp_path, scalar_flood(MAX_YAML_ITEMS + 10), 3,
                   f"holds more than {MAX_YAML_ITEMS} values")


def test_a_graph_at_the_node_limit_still_loads(tmp_path):
    text = compact_nodes(None, count=MAX_NODES)
    assert len(fileformat.loads(text, "full.yaml").nodes) == MAX_NODES


# --- CSV datasets named by a graph file ---------------------------------------------------------


CSV_POINTS = "x,y,label\n0.5,0.5,1\n-0.5,-0.5,-1\n0.4,-0.3,1\n-0.2,0.6,-1\n0.1,0.1,1\n"


def graph_with_dataset(name: str) -> str:
    return ("mlgarden: 1\nnodes:\n  - {id: x, op: x}\n  - {id: w, op: param, value: 0.5}\n"
            "  - {id: m, op: mul, inputs: [w, x]}\n  - {id: l, op: label}\n"
            "  - {id: e, op: squared_error, inputs: [m, l]}\nresult: m\nloss: e\n"
            f"dataset:\n  name: {name}\n")


def test_a_csv_dataset_is_found_from_the_graph_files_folder(capsys, tmp_path, monkeypatch):
    project = tmp_path / "project"
    (project / "data").mkdir(parents=True)
    (project / "data" / "points.csv").write_text(CSV_POINTS)
    (project / "graph.yaml").write_text(graph_with_dataset("data/points.csv"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    code = main(["train", str(project / "graph.yaml"), "--steps", "2", "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert '"steps": 2' in captured.out


def test_a_csv_dataset_given_on_the_command_line_is_found_from_the_current_folder(capsys, tmp_path,
                                                                                   monkeypatch):
    (tmp_path / "graph.yaml").write_text(graph_with_dataset("linear"))
    here = tmp_path / "here"
    here.mkdir()
    (here / "points.csv").write_text(CSV_POINTS)
    monkeypatch.chdir(here)
    code = main(["train", str(tmp_path / "graph.yaml"), "--dataset", "points.csv", "--steps", "1"])
    captured = capsys.readouterr()
    assert code == 0, captured.err


def test_a_dataset_that_is_not_a_csv_never_has_a_line_printed(capsys, tmp_path):
    secret = "SECRET-TOKEN-4711,do not print"
    (tmp_path / "private.csv").write_text(f"{secret}\nmore,secret,lines\n")
    (tmp_path / "graph.yaml").write_text(graph_with_dataset("private.csv"))
    code = main(["train", str(tmp_path / "graph.yaml"), "--steps", "1"])
    err = capsys.readouterr().err
    assert code == 2
    assert err == (f"mlgarden: {tmp_path / 'private.csv'}, line 1: the first line must be the "
                   "header x,y,label; this is not a CSV dataset\n")
    assert "SECRET" not in err and "secret" not in err


# --- the same limits hold for edits -------------------------------------------------------------


def test_an_edit_that_would_expand_the_graph_past_the_limit_is_refused():
    document = fileformat.loads(doubling_functions(14), "edit.yaml")  # f13 expands to 16383 nodes
    before = document.copy()
    with pytest.raises(GraphError, match=f"the graph expands to 32767 nodes with its functions; "
                                         f"a graph may expand to at most {MAX_EXPANDED_NODES}"):
        function_edits.insert_function(document, "f13")
    assert document == before


@pytest.mark.parametrize("how", ["paste", "duplicate"])
def test_a_paste_or_duplicate_that_would_expand_the_graph_past_the_limit_is_refused(how):
    from mlgarden.session import Session

    document = fileformat.loads(doubling_functions(14), "edit.yaml")  # top0 expands to 16383 nodes
    session = Session(document)
    before = document.copy()
    if how == "paste":
        session.copy(["top0"])
        assert session.paste((300.0, 300.0)) is None
    else:
        assert session.duplicate(["top0"]) is None
    assert session.status == (f"the graph expands to 32767 nodes with its functions; "
                              f"a graph may expand to at most {MAX_EXPANDED_NODES}")
    assert session.document == before and not session.history.can_undo()


def test_a_paste_into_a_function_body_that_would_expand_it_past_the_limit_is_refused():
    from mlgarden.document.clipboard import copy_fragment, paste_fragment

    document = fileformat.loads(doubling_functions(14), "edit.yaml")  # f13 expands to 16383 nodes
    body = document.body("f13")
    fragment = copy_fragment(body, ["a"])  # a call of f12, 8191 nodes
    with pytest.raises(GraphError, match=f"function 'f13' expands to 24574 nodes; a graph may "
                                         f"expand to at most {MAX_EXPANDED_NODES}"):
        paste_fragment(body, fragment, (0.0, 0.0))


def test_the_app_finds_a_csv_dataset_from_the_graph_files_folder_too(tmp_path, monkeypatch):
    from mlgarden.session import Session

    (tmp_path / "project" / "data").mkdir(parents=True)
    (tmp_path / "project" / "data" / "points.csv").write_text(CSV_POINTS)
    graph = tmp_path / "project" / "graph.yaml"
    graph.write_text(graph_with_dataset("data/points.csv"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MLGARDEN_STATE_DIR", str(tmp_path / "state"))
    session = Session()
    assert session.open(graph)
    assert len(session.dataset.labels) == 5 and session.dataset.name == "points"


# --- a compiler that fails -----------------------------------------------------------------------


def test_whatever_stops_pythons_compiler_is_a_clear_error_naming_the_file(monkeypatch, tmp_path):
    from mlgarden.engine import program

    def too_deep(*arguments):
        raise RecursionError("maximum recursion depth exceeded during compilation")

    monkeypatch.setattr(program, "point_source", too_deep)
    with pytest.raises(program.CompileError, match=r"^the graph is too large to compile \(RecursionError\)$"):
        program.compile_graph([program.NodeSpec("w", "param")])
    with pytest.raises(FileFormatError, match=r"^big\.yaml: the graph is too large to compile"):
        fileformat.loads(node_with_value("0.5"), "big.yaml")


# --- the flood check counts in C and never refuses what fits -------------------------------------


def values_in(text: str) -> int:
    """Every scalar, list and mapping of a (single-document) YAML text, by PyYAML's own composer."""
    import yaml

    count, stack = 0, [yaml.compose(text, Loader=yaml.SafeLoader)]
    while stack:
        node = stack.pop()
        count += 1
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            stack.extend(part for pair in node.value for part in pair)
    return count


@pytest.mark.parametrize("text", [
    scalar_flood(3000),
    compact_nodes(None, count=300),
    big_sum(500),
    doubling_functions(5),
    'a: "[1, 2, 3, 4, 5, 6, 7, 8, 9]"\nb: |\n  1, 2, 3, 4, 5, 6\n  - [7, 8]\n# [9, 9, 9, 9, 9]\n',
    "--- \n- - - [1, {x: 2}, ? y]\n  - ''\n...\n",
    "a:\n  - b:\n    c: [[], {}, [[[]]]]\n  - ? k\n    : v\n",
])
def test_the_c_count_of_values_is_never_more_than_the_file_holds(text):
    from mlgarden.files.bounded_yaml import fewest_values

    assert fewest_values(text) <= values_in(text)


def test_a_flood_over_many_lines_is_refused_by_its_last_line():
    lists = MAX_YAML_ITEMS // 1000 + 1  # line 5 + j holds list j: the list and 1000 numbers
    text = "mlgarden: 1\nnodes: []\nview:\n  a:\n" + ("  - [" + ", ".join(["1"] * 1000) + "]\n") * lists
    with pytest.raises(FileFormatError) as refused:
        fileformat.loads(text, "flood.yaml")
    message = str(refused.value)
    assert message.startswith(f"flood.yaml, line {4 + lists}: ")
    assert message.endswith(f"holds more than {MAX_YAML_ITEMS} values by this line, more than a graph "
                            f"within mlgarden's limits needs")


def test_the_flood_check_refuses_nothing_a_graph_within_the_limits_holds():
    from mlgarden.files.bounded_yaml import refuse_a_flood

    points = "".join(f"  - [0.{k:016d}, -0.{k:016d}, {1 if k % 2 else -1}]\n"
                      for k in range(fileformat.MAX_CUSTOM_POINTS))
    nodes = "".join(f"  - {{id: n{k}, op: param, value: 0.5, label: p, pos: [1.5, 2.5]}}\n"
                    for k in range(MAX_NODES))
    refuse_a_flood(f"mlgarden: 3\nnodes:\n{nodes}custom_points:\n{points}", MAX_YAML_ITEMS)
