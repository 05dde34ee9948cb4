"""The Dear PyGui app: windows that draw a Session and turn gestures into its methods.

It owns everything on screen: the app shell and its hand-run frame loop (`app`), the canvas, a
drawlist of mlgarden's own (`canvas*`, pure geometry in `geometry`), the panels and dialogs, the
file dialog (`file_browser`) and the widget ids (`ids`). A callback only unpacks its arguments and
calls one Session or view method. It may import every core part (engine, document, files,
learning, export), the session and user state; it is the only package that imports `dearpygui`,
and nothing imports it but `cli`, lazily, when the app is asked for.
"""
