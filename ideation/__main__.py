"""Runs the command line as `python -m ideation`, the same as the `ideation` script."""

from ideation.cli import main

main()
