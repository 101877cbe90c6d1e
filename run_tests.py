"""The test suite: `python run_tests.py [pytest options]` (what .ci/run calls).

On a machine without the test dependencies, it first sets up `.venv` with them and runs
itself there (sim/bootstrap.py); later runs reuse it.
"""
import sys

from sim.bootstrap import ensure_environment

if __name__ == "__main__":
    ensure_environment("test")
    import pytest

    sys.exit(pytest.main(sys.argv[1:]))
