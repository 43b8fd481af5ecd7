"""Finding free TCP ports and checking whether something listens."""

import contextlib
import socket
from collections.abc import Mapping

from payroute_devstack.errors import PortInUseError

LOCAL_HOST = "127.0.0.1"


def free_port(host: str = LOCAL_HOST) -> int:
    """A port the OS reports free right now (racy by nature, fine for local use)."""
    return free_ports(1, host)[0]


def free_ports(count: int, host: str = LOCAL_HOST) -> list[int]:
    """`count` distinct free ports: every socket stays bound until all are chosen, since
    the OS may hand a just-released port out again."""
    with contextlib.ExitStack() as held:
        sockets = [held.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind((host, 0))
        return [int(sock.getsockname()[1]) for sock in sockets]


def port_is_open(host: str, port: int, timeout: float = 0.5) -> bool:
    """True when something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def ensure_ports_free(ports: Mapping[str, int], host: str = LOCAL_HOST) -> None:
    """Raise PortInUseError naming every owner whose port is already taken."""
    taken = [f"{name} ({host}:{port})" for name, port in ports.items() if port_is_open(host, port)]
    if taken:
        raise PortInUseError(
            "ports already in use: "
            + ", ".join(taken)
            + ". Stop whatever listens there (a previous stack: `make stop`) "
            "or choose other ports with the <PREFIX>PORT variables."
        )
