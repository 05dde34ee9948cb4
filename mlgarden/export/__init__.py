"""Export a graph as a standalone program: plain Python, or a PyTorch module.

Each exporter turns a Document into the text of a script that computes what `mlgarden eval`
computes, without mlgarden: `python_script` writes the engine's own straight-line point route with
node ids for names (standard library only), `torch_script` writes an `nn.Module` whose autograd
does the backward pass. Both take their numbers and rules from the compiled Program and from
`mlgarden.engine.report`, so `python OUT.py --json` prints what `mlgarden eval --json` prints.

Generated text is built from the op table, numbers, and ids written as escaped string literals or
as sanitised identifiers (`names`), never from graph text pasted as code. This package may import
the engine and the document only.
"""

EXPORT_KINDS = ("python", "torch")


def export_script(document, kind: str, title: str = "graph") -> str:
    """The text of the script of `kind` ("python" or "torch") for `document`."""
    from mlgarden.export.python_script import export_python
    from mlgarden.export.torch_script import export_torch

    if kind not in EXPORT_KINDS:
        raise ValueError(f"kind must be one of {EXPORT_KINDS}, got {kind!r}")
    return (export_python if kind == "python" else export_torch)(document, title)
