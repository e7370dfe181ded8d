"""Clearsight: scan, match, explain and assess suspected abuse media, AI-generated included."""

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    # Parallelism comes from worker processes and FFmpeg's decoder threads; BLAS threads on the
    # small PDQ matrices only spin and take cores from them (video hashing ran 30% slower).
    # Set before numpy is first imported, which the command line guarantees.
    os.environ.setdefault(_variable, "1")

__version__ = "0.1.0"
