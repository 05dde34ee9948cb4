"""Learning: data sets, the Trainer and the decision surface.

It owns the seeded dataset generators and CSV datasets, training (batches, optimisers, metrics,
history, the NaN guard) and the grid of values the Dataset window and `mlgarden render` shade. It
may import the engine and the document, never files, the session or the GUI.
"""
