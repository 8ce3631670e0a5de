"""The start-up floor gkplan is measured against: a one-command Typer app that prints one line."""

import typer

typer.run(lambda: print("hello"))
