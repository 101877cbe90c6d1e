"""`python -m sim ...`: the same commands as `python cli.py` and `kazsim`."""
from sim.bootstrap import ensure_environment

if __name__ == "__main__":
    ensure_environment(rerun=["-m", "sim"])
    from sim.cli import run_and_exit

    run_and_exit("kazsim")  # help and usage name the command one way, as the docs do
