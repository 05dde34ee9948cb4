"""`python -m mlgarden` runs the command line, which opens the app by default."""

from mlgarden.cli import main

raise SystemExit(main())
