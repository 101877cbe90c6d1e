"""The command line: parsing and printing over `sim.api` (`app.py` holds the command
group). `main` is the `kazsim` console entry point."""
from sim.cli.app import main, run_and_exit

__all__ = ["main", "run_and_exit"]
