"""Build hook for the documentation site (mkdocs.yml `hooks`; not a page).

`sciatica` adds most of its commands from the `sciatica.commands` entry points when asked for
them (`pathway.cli._PluginGroup`), so its click group's own `commands` holds only the core ones.
mkdocs-click documents a group's `commands`, so list every command there, in the order
`sciatica --help` gives them, before the CLI reference page is rendered.
"""

from __future__ import annotations

import click

from pathway.cli import main


def on_config(config):
    ctx = click.Context(main, info_name="sciatica")
    main.commands = {name: main.get_command(ctx, name) for name in main.list_commands(ctx)}
    return config
