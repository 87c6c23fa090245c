"""HAProxy (Debian's package, `make haproxy-bin`) in front of API replicas on 127.0.0.1.

Health-checked on /api/v1/ready every CHECK_INTERVAL_MS: a replica is taken out at its first 503
(it drains after SIGTERM for SHUTDOWN_DELAY_S, longer than the interval) and put back at its
first 200. A connection refused by a replica that stopped listening is retried on another one
(`retries` with `option redispatch`): nothing was sent, so nothing is answered twice. No
server-side keep-alive (`option http-server-close`): a connection a stopping replica closes
can never be reused for a new request.
"""

import shutil
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from titanic_release.servers import HOST, answers_health, free_port, log_tail, stop_server

HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
CHECK_INTERVAL_MS = 300

CONFIG = """\
global
    maxconn 512

defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout queue 30s
    retries 3
    option redispatch 1
    option http-server-close

frontend api
    bind {host}:{port}
    default_backend replicas

backend replicas
    balance roundrobin
    option httpchk GET /api/v1/ready
    http-check expect status 200
    default-server check inter {inter} fall 1 rise 1
{servers}
"""


@contextmanager
def haproxy(replica_ports: Sequence[int], root: Path) -> Iterator[str]:
    """HAProxy in the foreground, as our child; its base URL. Stopped by PID on the way out."""
    port = free_port()
    servers = "\n".join(
        f"    server replica{index} {HOST}:{replica} maxconn 64"
        for index, replica in enumerate(replica_ports)
    )
    config = root / "haproxy.cfg"
    config.write_text(CONFIG.format(host=HOST, port=port, inter=CHECK_INTERVAL_MS, servers=servers))
    check = subprocess.run([HAPROXY, "-c", "-f", str(config)], capture_output=True, timeout=30)
    assert check.returncode == 0, check.stdout + check.stderr
    log = root / "haproxy.log"
    with log.open("ab") as output:
        process = subprocess.Popen(
            [HAPROXY, "-db", "-f", str(config)],
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base_url = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 30
        while not answers_health(base_url + "/api/v1/health"):
            assert process.poll() is None, log_tail(log)
            assert time.monotonic() < deadline, log_tail(log)
            time.sleep(0.1)
        yield base_url
    finally:
        stop_server(process.pid)
