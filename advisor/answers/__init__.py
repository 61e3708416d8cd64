"""answers: one question = one function of a Context (registry.py lists them); the Answer
it returns is locale-neutral data for a template (answer.py)."""
