"""Each command's work: `<name>.py`'s `run()`, called by cli.py with the parsed parameters,
prints with click.echo and returns the exit code."""
