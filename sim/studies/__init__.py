"""The studies: what a user asks of the model (run, compare, sweep, discover, optimize,
capacity, ...). Each is a plan step that checks the inputs and the size of the work
before anything runs, and an execute step on the one execution path
(`sim.execution.runner`). `sim.api` re-exports their functions."""
