"""`sciatica --help` lists every command with its first line, without importing the commands other
packages register (importing them all takes seconds: NumPy, the BDD library, Matplotlib)."""

import subprocess
import sys
from importlib.metadata import entry_points

from click.testing import CliRunner

from pathway.cli import main


def test_help_lists_every_command_with_its_first_line():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for entry in entry_points(group="sciatica.commands"):
        command = entry.load()
        first = command.get_short_help_str(limit=40).rstrip(".")[:30]
        line = next(line for line in result.output.splitlines() if line.strip().startswith(entry.name + " "))
        assert first in line, (entry.name, first, line)


def test_help_imports_no_command_module():
    code = ("import sys; from pathway.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('numpy', 'dd', 'simulations', 'diagrams', 'review', 'exports') if m in sys.modules]\n"
            "print(heavy, file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stderr.strip() == "[]"
