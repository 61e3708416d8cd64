from advisor.shell.cli import entry_point

entry_point()
