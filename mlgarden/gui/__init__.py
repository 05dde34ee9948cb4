"""The Dear PyGui app: windows that draw a Session and turn gestures into its methods.

Nothing outside this package imports it or `dearpygui`; the CLI reaches `app.run_app` lazily.
"""
