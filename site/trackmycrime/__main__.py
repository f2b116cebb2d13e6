"""`python -m trackmycrime` is the `tmc` command."""

from .cli import main

main()
