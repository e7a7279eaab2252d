"""`turnus serve`: the web inbox on top of the engine's command line (the console script's entry point)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from engine.cli import main as engine_cli
from engine.cli.common import Ctx
from engine.demo import DEFAULT_PROCESSES


@click.command("serve", epilog="\b\nExample:\n  turnus serve --demo --port 5000")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--demo", is_flag=True,
              help="Also set up the embedded default: demo users and the processes in --processes deployed.")
@click.option("--processes", "folder", default=str(DEFAULT_PROCESSES), type=click.Path(path_type=Path),
              help="Folder of BPMN/DMN files deployed with --demo (default: the repository's processes/).")
@click.pass_obj
def serve(obj: Ctx, host: str, port: int, demo: bool, folder: Path) -> None:
    """Serve the web inbox (schema upgraded first); prints the address. Production: gunicorn, see README."""
    # Imported here, not at the top: the scheduler pulls in SQLAlchemy, which `turnus --help` does not need.
    from werkzeug.serving import make_server

    from engine.scheduler import TimerThread
    from web import create_app
    from web.settings import load_web_settings

    engine = obj.engine()  # creates or upgrades the schema
    if demo:
        from engine.demo import set_up

        for line in set_up(engine, folder):
            click.echo(line)
    settings = load_web_settings()
    if "TURNUS_COOKIE_SECURE" not in os.environ:  # plain HTTP on one machine: a Secure cookie would never be sent
        from dataclasses import replace

        settings = replace(settings, cookie_secure=False)
    app = create_app(engine, settings=settings)
    server = make_server(host, port, app, threaded=True)
    shown_host = f"[{host}]" if ":" in host else host
    click.echo(f"Turnus is running at http://{shown_host}:{server.server_port}/ (press Ctrl+C to stop)", err=False)
    timers = TimerThread(engine, settings.timer_interval)
    if engine.settings.timers == "workers":
        click.echo("Timers and mail: left to `turnus worker` processes (TURNUS_TIMERS=workers)")
    elif settings.timer_interval > 0:
        timers.start()
        click.echo("Timers and mail: run by this process")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        timers.stop()
        server.server_close()


def main() -> None:
    """The `turnus` console script: the engine's commands plus `serve`."""
    if "serve" not in engine_cli.cli.commands:
        engine_cli.cli.add_command(serve)
    engine_cli.main()


if __name__ == "__main__":
    main()
