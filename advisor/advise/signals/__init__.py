"""The named facts advice rules see (names.py), computed from a Context by gather.py from
its log (log.py), model (size.py) and GPU (gpu.py) halves. Importing the names alone, as
the knowledge loader does, computes nothing."""
