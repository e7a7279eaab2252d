"""Issue 14: every command says in one line what it does, and its --help shows an example."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from engine.cli import main as engine_cli
from tests.conftest import ROOT
from web import cli as web_cli


def leaf_commands() -> list[tuple[str, click.Command]]:
    if "serve" not in engine_cli.cli.commands:
        engine_cli.cli.add_command(web_cli.serve)
    found: list[tuple[str, click.Command]] = []

    def walk(prefix: str, group: click.Group) -> None:
        for name, command in group.commands.items():
            path = f"{prefix} {name}".strip()
            if isinstance(command, click.Group):
                assert command.get_short_help_str(), f"turnus {path} has no help line"
                walk(path, command)
            else:
                found.append((path, command))

    walk("", engine_cli.cli)
    return found


@pytest.mark.parametrize("path,command", leaf_commands(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_command_has_a_help_line_and_an_example(path: str, command: click.Command) -> None:
    assert command.help and command.help.strip(), f"turnus {path} has no description"
    assert command.epilog and f"turnus {path.split()[0]}" in command.epilog, f"turnus {path} --help has no example"


def test_top_level_help_describes_claim_and_release() -> None:
    result = subprocess.run([sys.executable, "-m", "web.cli", "--help"], cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line.startswith("  ")}
    for name in ("claim", "release", "assign", "complete", "serve"):
        assert len(lines[name].split()) > 2, f"`turnus --help` lists {name} without a description"


def test_demo_refuses_a_missing_processes_folder(tmp_path) -> None:
    result = subprocess.run([sys.executable, "-m", "web.cli", "--db", f"sqlite:///{tmp_path / 'd.db'}", "demo",
                             "--processes", str(tmp_path / "nowhere")], cwd=tmp_path, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 1
    assert "no processes folder" in result.stderr and "--processes" in result.stderr


def test_demo_deploys_the_rotation_from_another_folder(tmp_path) -> None:
    result = subprocess.run([sys.executable, "-m", "web.cli", "--db", f"sqlite:///{tmp_path / 'd.db'}", "demo"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "deployed netvaerksturnus 1 new" in result.stdout
