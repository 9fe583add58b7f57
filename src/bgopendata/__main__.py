"""``python -m bgopendata``: the same command line as the ``bgopendata`` script."""

from bgopendata.cli import main

main()
