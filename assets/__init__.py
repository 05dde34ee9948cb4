"""What the app draws with: the bundled font (DejaVu Sans, licence beside it) and the window
icon. Installed as the data package mlgarden.assets (see pyproject.toml's package-dir and
docs/architecture.md, "Shipped files"). This file holds no code."""
