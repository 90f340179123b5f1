"""Starting and stopping real server processes on loopback ports (tests and benchmarks)."""

import socket
import subprocess
import time
from collections.abc import Generator, Mapping
from contextlib import contextmanager
from typing import IO, Any

HANDSHAKE: list[dict[str, Any]] = [
    {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-11-25",
            "capabilities": {},
            "clientInfo": {"name": "raw-stdio", "version": "1"},
        },
    },
    {"jsonrpc": "2.0", "method": "notifications/initialized"},
]
"""The handshake-era opening of a raw stdio session (request id 1)."""


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def listening(
    command: list[str], port: int, env: Mapping[str, str], timeout: float = 60, stderr: IO[str] | None = None
) -> Generator[subprocess.Popen[bytes]]:
    """Run ``command`` until the block ends, once it accepts connections on ``port``, yielding the
    process (to look at it from outside, e.g. in ``/proc``); its stderr goes to ``stderr`` when
    given. A process that does not stop within 20 s of SIGTERM is killed."""
    process = subprocess.Popen(
        command,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL if stderr is None else stderr,
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError(f"{command[:4]} exited with {process.returncode}{_said(stderr)}") from None
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{command[:4]} did not listen on {port} within {timeout:g} s") from None
                time.sleep(0.05)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)


def _said(stderr: IO[str] | None) -> str:
    """The end of what a process wrote to ``stderr`` (a seekable file), to say why it exited."""
    if stderr is None or not stderr.seekable():
        return ""
    stderr.seek(0)
    return ": " + stderr.read()[-500:].strip()
