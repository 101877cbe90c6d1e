"""Front door: `python cli.py run scenarios/brigade.yaml` (same commands as `kazsim`).

On a machine without the dependencies, the first command sets up `.venv` with them and
runs itself there (sim/bootstrap.py); later commands reuse it.
"""
from sim.bootstrap import ensure_environment

if __name__ == "__main__":
    ensure_environment()
    from sim.cli import run_and_exit

    run_and_exit("kazsim")  # help and usage name the command one way, as the docs do
