from orbwatch.cli import main

main()
