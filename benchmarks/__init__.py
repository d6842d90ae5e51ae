"""bandstand benchmarks: `python -m benchmarks` runs them (see run.py)."""
