"""What a benchmark or a test needs of this machine's loopback: a free port, and whether
Redis answers. Nothing here imports Django."""

import socket

REDIS = ("127.0.0.1", 6379)


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_answers(address=REDIS):
    """Whether a Redis server answers PING at ``address`` within half a second."""
    try:
        with socket.create_connection(address, timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False
