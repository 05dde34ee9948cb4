"""mlgarden: build neural networks from scalar nodes, nudge them, train them."""

__version__ = "0.1.0"
