"""``python -m iacgov``: the command line (also what profilers run: ``python -m cProfile -m iacgov scan .``)."""

from iacgov.cli import main

main()
