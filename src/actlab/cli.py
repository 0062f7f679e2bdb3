"""The ``actlab`` command line."""
from __future__ import annotations

import argparse
import json
import sys

import actlab as al


def _cmd_list(args: argparse.Namespace) -> int:
    rows = [info.as_dict() for info in al.catalog() if not args.family or info.family == args.family]
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    print(f"{'name':<14}{'family':<18}{'range':<22}{'mono':<6}{'zero-c':<8}{'smooth':<15}params")
    for r in rows:
        lo, hi = r["output_range"]
        params = ", ".join(f"{p['name']}={p['default']}" for p in r["parameters"])
        print(f"{r['name']:<14}{r['family']:<18}{f'[{lo}, {hi}]':<22}{'yes' if r['monotonic'] else 'no':<6}"
              f"{'yes' if r['zero_centred'] else 'no':<8}{r['smoothness']:<15}{params}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="actlab", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("list", help="table of all activations and their properties")
    p.add_argument("--family", help="only this family")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_cmd_list)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except al.ActlabError as exc:
        print(f"actlab: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
