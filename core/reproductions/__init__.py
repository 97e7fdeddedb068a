"""Famous results of the field, recomputed by this package's own code (each module has a `python -m` entry
that rewrites its cached table under results/)."""
