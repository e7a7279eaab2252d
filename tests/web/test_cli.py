"""`turnus serve` and `turnus users add --password-stdin`, run as a person would."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.web.conftest import HERE, ROOT

TURNUS = [sys.executable, "-c", "from web.cli import main; main()"]


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TURNUS_")}
    env.update(PYTHONPATH=str(ROOT), TURNUS_DATABASE_URL=f"sqlite:///{tmp_path / 'cli.db'}",
               TURNUS_INSTANCE_DIR=str(tmp_path / "instance"), TURNUS_TIMER_INTERVAL="0")
    return env


def test_users_add_with_password_from_stdin(tmp_path: Path) -> None:
    result = subprocess.run([*TURNUS, "users", "add", "nina", "--group", "reviewers", "--password-stdin"],
                            input="a-long-password\n", capture_output=True, text=True, env=_env(tmp_path),
                            cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "nina added"
    from engine.passwords import verify_password
    from engine.service import Engine

    engine = Engine.create(f"sqlite:///{tmp_path / 'cli.db'}")
    assert verify_password(engine.password_hash("nina"), "a-long-password")
    engine.close()


def test_serve_prints_the_address_and_serves(tmp_path: Path) -> None:
    cmd = [*TURNUS, "serve", "--host", "127.0.0.1", "--port", "0", "--demo", "--processes", str(HERE / "processes")]
    env = {**_env(tmp_path), "TURNUS_TRUSTED_PROXIES": "1"}  # as behind nginx (README, production)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    try:
        address = ""
        deadline = time.monotonic() + 60
        lines = []
        while time.monotonic() < deadline and proc.stdout is not None:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "running at" in line:
                address = line.split("running at ", 1)[1].split(" ", 1)[0]
                break
        assert address.startswith("http://127.0.0.1:"), lines
        assert any("demo users: emma" in line for line in lines)
        assert any("deployed widgets 1 new" in line for line in lines)
        with urllib.request.urlopen(address + "login", timeout=10) as response:
            body = response.read().decode()
            assert response.status == 200 and "Log ind" in body
            cookie = response.headers["Set-Cookie"]
            assert "HttpOnly" in cookie and "Secure" not in cookie  # plain HTTP on one machine
            assert "Strict-Transport-Security" not in response.headers
        # The same server behind a trusted HTTPS proxy: the cookie must never travel over plain HTTP, and the
        # browser is told to use HTTPS from now on.
        behind = urllib.request.Request(address + "login", headers={"X-Forwarded-Proto": "https"})
        with urllib.request.urlopen(behind, timeout=10) as response:
            assert "Secure" in response.headers["Set-Cookie"]
            assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
        assert (tmp_path / "instance" / "secret_key").exists()
        assert oct((tmp_path / "instance" / "secret_key").stat().st_mode & 0o777) == "0o600"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_serve_is_in_the_help(tmp_path: Path) -> None:
    result = subprocess.run([*TURNUS, "--help"], capture_output=True, text=True, env=_env(tmp_path), timeout=60)
    assert result.returncode == 0 and "serve" in result.stdout
    result = subprocess.run([*TURNUS, "serve", "--help"], capture_output=True, text=True, env=_env(tmp_path),
                            timeout=60)
    assert "--host" in result.stdout and "--port" in result.stdout
