"""Build the Passerelle demo corpus from its Markdown sources.

Run from the repository root::

    .venv/bin/python -m tools.corpus_builder            # build everything
    .venv/bin/python -m tools.corpus_builder --check    # only parse and validate the sources
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from tools.corpus_builder.build import run
from tools.corpus_builder.sources import CORPUS_DIR, BuildError


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.corpus_builder", description=__doc__.splitlines()[0] if __doc__ else None
    )
    parser.add_argument("--corpus", type=Path, default=CORPUS_DIR, help="corpus folder (default: %(default)s)")
    parser.add_argument("--check", action="store_true", help="only parse and validate the sources")
    args = parser.parse_args(argv)
    try:
        run(corpus_dir=args.corpus.resolve(), check_only=args.check)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
