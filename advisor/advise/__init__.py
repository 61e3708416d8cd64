"""advise: the named signals computed from a Context (signals/) and the sandboxed rules
that read them (rules.py)."""
