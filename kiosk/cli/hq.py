"""`sanaq hq ...`: the reference headquarters intake (issue 15), the same as the `intake`
command: `sanaq hq serve|import|aggregate [options]` (see `intake --help`, docs/sync.md)."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "hq",
        help="the reference headquarters intake: serve, import DIR, aggregate (as `intake`)",
        add_help=False,
    )
    p.add_argument(
        "rest", nargs=argparse.REMAINDER, help="serve | import DIR | aggregate, with their options"
    )


def run(args: argparse.Namespace) -> int:
    from intake.cli import main

    return main(args.rest or ["--help"])
