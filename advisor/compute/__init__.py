"""compute: facts -> numbers (pure). The Context a computation reads (context.py), the ETA
(eta*.py), the size of a run (sizing.py), its peak memory (memory.py), the GPU (hardware.py),
two runs compared (compare.py)."""
