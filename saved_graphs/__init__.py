"""The example graphs mlgarden ships: installed as the data package mlgarden.example_graphs (see
pyproject.toml's package-dir and docs/architecture.md, "Shipped files"). This file makes the
folder a package for the build and for editable installs; it holds no code."""
