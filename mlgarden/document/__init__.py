"""The document: the graph a user edits, and the operations on it.

It owns the Document (nodes, links, result, loss, functions, settings, view) and its named edits,
user functions and their edits and templates, undo history, the clipboard, tidy layout and the
Python builder API. It may import the engine (to expand calls into flat node specs and compile);
it never imports files, learning, the session or the GUI.
"""
