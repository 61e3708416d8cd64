"""shell: input and output. The command line (cli.py), batch mode (batch.py), the REPL
(repl.py), following a log (watch.py), the shell's own commands and what they ask
(effects.py), the outside world as one object tests can replace (environment.py), XDG
paths, and reading knowledge/*.yaml from disk (knowledge.py)."""
