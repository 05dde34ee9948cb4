"""The document: the graph a user edits, and the operations on it.

It owns the Document (nodes, links, result, loss, functions, settings, view; `graph`), the pieces
every part of it shares (Node, references, the rules of ids and values; `nodes`), user functions
(`functions`) and the edits that make and change them (`function_edits`, templates), the table of
named edits (`edits`), undo history, the clipboard, tidy layout and the Python builder API. Inside
it the imports run one way, nodes < functions < graph < layout, function edits < edits, so the
Document never imports what builds on it. It may import the engine (to expand calls into flat node
specs and compile); it never imports files, learning, the session or the GUI.
"""
