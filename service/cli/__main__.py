"""``python -m service.cli``: the ``passerelle`` command without its console script."""

from service.cli.commands import main

main()
