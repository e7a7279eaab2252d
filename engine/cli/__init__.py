"""The `turnus` command line: ``engine.cli.main`` is the entry point, one module per command group."""
