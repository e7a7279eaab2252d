"""`python -m engine.cli`: the command line without `serve` (which needs the web package)."""

from engine.cli.main import main

main()
