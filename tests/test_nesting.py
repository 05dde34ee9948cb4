"""The nesting measure runs before YAML reads a file, so a deep file gets mlgarden's message and
never the YAML library's ("exceeded maximum nesting depth") or a RecursionError."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from mlgarden.files.fileformat import MAX_NESTING, FileFormatError, load
from mlgarden.files.nesting import first_too_deep

DEEP = 3000  # past both libyaml's limit (1000) and the pure-Python parser's recursion


def block_mappings(depth: int) -> str:
    return "".join(" " * level + f"k{level}:\n" for level in range(depth)) + " " * depth + "v\n"


@pytest.mark.parametrize(("text", "line"), [
    ("view: {a: " + "[" * DEEP + "]" * DEEP + "}\n", 1),
    ("view: " + "{a: " * DEEP + "1" + "}" * DEEP + "\n", 1),
    ("view:\n" + "".join(" " * (level + 1) + f"k{level}:\n" for level in range(DEEP)) + "  v\n",
     MAX_NESTING + 1),
    ("view:\n  " + "- " * DEEP + "x\n", 2),
])
def test_deep_text_is_refused_with_mlgarden_words_at_its_line(tmp_path, text, line):
    path = tmp_path / "deep.yaml"
    path.write_text("mlgarden: 1\nnodes: []\n" + text, encoding="utf-8")
    with pytest.raises(FileFormatError) as caught:
        load(path)
    assert str(caught.value) == (f"{path}, line {line + 2}: lists and mappings are nested more "
                                 f"than {MAX_NESTING} deep")


def test_the_measure_refuses_what_both_yaml_libraries_refuse_first():
    for text in (block_mappings(DEEP), "- " * DEEP + "x\n", "[" * DEEP + "]" * DEEP):
        for loader in (yaml.SafeLoader, getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
            with pytest.raises((yaml.YAMLError, RecursionError)):
                loader(text).get_single_node()
        assert first_too_deep(text, MAX_NESTING) is not None


@pytest.mark.parametrize("text", [
    "a: '" + "[" * 300 + "'\n",                      # brackets in a single-quoted scalar
    'a: "' + "{" * 300 + '\\"' + '"\n',              # in a double-quoted one, with an escape
    "a: 1  # " + "[" * 300 + "\n",                   # in a comment
    "a: |\n" + "".join(" " * (level + 2) + "x:\n" for level in range(300)),  # in a block scalar
    "a: it's [fine]\nb: don't\n",
])
def test_brackets_and_indents_that_are_text_do_not_count(text):
    assert first_too_deep(text, MAX_NESTING) is None


nested = st.recursive(st.integers(0, 9), lambda inner: st.one_of(
    st.lists(inner, min_size=1, max_size=2), st.dictionaries(st.sampled_from("ab"), inner, min_size=1)),
    max_leaves=40)


def depth_of(value) -> int:
    if isinstance(value, list):
        return 1 + max(map(depth_of, value))
    if isinstance(value, dict):
        return 1 + max(map(depth_of, value.values()))
    return 0


@settings(max_examples=60, deadline=None)
@given(value=nested, limit=st.integers(1, 8), flow=st.booleans())
def test_the_measure_never_refuses_a_text_within_the_limit(value, limit, flow):
    """What YAML writes, in block or flow style, is refused only when it is really too deep."""
    text = yaml.safe_dump(value, default_flow_style=flow)
    refused = first_too_deep(text, limit) is not None
    assert not refused or depth_of(value) > limit
