from advisor.shell.start import main

main()
