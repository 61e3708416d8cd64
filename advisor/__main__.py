from advisor.cli import entry_point

entry_point()
