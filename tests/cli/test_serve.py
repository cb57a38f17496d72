"""`agentshield serve`: starts uvicorn on the configured database and stops on SIGTERM."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import httpx

Run = Callable[..., subprocess.CompletedProcess[str]]
START_TIMEOUT = 20.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, server: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        assert server.poll() is None, f"serve exited: {server.communicate()}"
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"serve did not answer /health within {START_TIMEOUT} s")


def test_serve_answers_with_the_keys_init_printed_and_stops_on_sigterm(
    cli: Run, script: Path, cli_env: dict[str, str], tmp_path: Path
) -> None:
    init = cli("init")
    assert init.returncode == 0, init.stderr
    admin_key, gateway_key = init.stdout.split()
    port = free_port()
    server = subprocess.Popen(
        [str(script), "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path,
        env=cli_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_up(url, server)
        admin = {"Authorization": f"Bearer {admin_key}"}
        gateway = {"Authorization": f"Bearer {gateway_key}"}
        assert httpx.get(f"{url}/v1/tenant", headers=admin).json()["slug"] == "default"
        assert httpx.get(f"{url}/v1/models", headers=gateway).status_code == 200
        assert httpx.get(f"{url}/v1/tenant", headers=gateway).status_code == 403

        server.send_signal(signal.SIGTERM)
        _, stderr = server.communicate(timeout=20)
    finally:
        if server.poll() is None:
            server.kill()
            server.communicate()
    # A clean shutdown: uvicorn finishes the app's shutdown (its writers flush), then exits
    # by the signal it was sent, as service managers expect.
    assert server.returncode in (0, -signal.SIGTERM), stderr
    assert "Application shutdown complete" in stderr
    assert "Traceback" not in stderr
    assert admin_key not in stderr and gateway_key not in stderr
