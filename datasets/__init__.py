"""The CSV datasets mlgarden ships: installed as the data package mlgarden.csv_datasets (see
pyproject.toml's package-dir and docs/architecture.md, "Shipped files"). This file makes the
folder a package for the build and for editable installs; it holds no code."""
