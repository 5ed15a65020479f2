"""Allow `python -m wagents`."""

from wagents.cli.app import main

main()
