"""`python -m automation` runs the `mentorship` command."""

from automation.cli import main

main(prog_name="mentorship")
