"""The engine: scalar graphs compiled into programs that compute values and gradients.

It owns the op table (`ops`), the compiler and its three routes (`program`: a point route of
straight-line Python over floats written by `point_code`, and the fused numpy batch and surface
routes planned by `fusion` and written by `fused_steps`). It sees only flat node specs, never a
document, a function or a file, and imports nothing of mlgarden outside this package.
"""
