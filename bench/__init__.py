"""bakegen's benchmark suite: a seeded synthetic monorepo generator and a timing harness.

`python -m bench` runs the harness (see `bench/run.py`) and writes `bench/RESULTS.md`;
`python -m bench.synth N DEST` only writes a synthetic repository.
"""
