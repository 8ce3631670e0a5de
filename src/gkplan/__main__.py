"""The ``gkplan`` command's entry point (also ``python -m gkplan``).

It only switches Python's cyclic garbage collector off before anything is imported, then
hands over to the CLI: importing Typer, pydantic and gkplan allocates ~200,000 objects,
and the collections they set off cost ~5 ms of every start-up for nothing (a command is
a short process, and the model holds no reference cycles; see ``cli.main``). Tests and
other programs that import gkplan keep their collector.
"""

import gc


def main() -> None:
    gc.disable()
    from gkplan.cli import main as run_cli

    run_cli()


if __name__ == "__main__":
    main()
