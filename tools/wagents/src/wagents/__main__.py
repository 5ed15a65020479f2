"""Allow `python -m wagents`."""

from wagents.cli import main

main()
