"""Finding free TCP ports and checking whether something listens."""

import socket
from collections.abc import Mapping

from payroute_devstack.errors import PortInUseError

LOCAL_HOST = "127.0.0.1"


def free_port(host: str = LOCAL_HOST) -> int:
    """A port the OS reports free right now (racy by nature, fine for local use)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


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
