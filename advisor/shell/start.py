"""The program's first code: nothing is imported before a Ctrl-C can be caught, so that an
interrupt while advisor starts ends it quietly (exit 130), never with a traceback."""

import sys

INTERRUPTED = 130


def main() -> None:
    try:
        from advisor.shell.cli import entry_point    # lazy: a Ctrl-C during start-up is caught here
    except KeyboardInterrupt:
        sys.exit(INTERRUPTED)
    entry_point()
