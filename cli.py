"""Front door: `python cli.py run scenarios/brigade.yaml` (same commands as `kazsim`)."""
from sim.cli import main

if __name__ == "__main__":
    main()
