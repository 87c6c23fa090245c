"""Before `make run` does any work: the ports it will listen on are free, or the local index's is
held by this clone's own index (reused). Otherwise one line names the setting that moves it.

    python -m titanic_release.free_ports --api-port 8001 --index-port 8090 --index-state FILE

Standard library only (and titanic_release.servers): it runs before any environment exists.
"""

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from titanic_release.servers import HOST, is_alive, port_in_use, port_setting


def held_by_own_index(port: int, state_file: Path) -> bool:
    """Whether the background index recorded in `state_file` runs on `port`."""
    try:
        state = json.loads(state_file.read_text(encoding="utf-8"))
        return int(state["port"]) == port and is_alive(int(state["pid"]))
    except (OSError, ValueError, KeyError, TypeError):
        return False


def busy_ports(api_port: int, index_port: int, index_state: Path) -> list[str]:
    """One message per port that is taken, naming the variable that chooses another."""
    problems = []
    if port_in_use(api_port):
        problems.append(
            f"port {api_port} on {HOST} (the API's, PORT) is in use; "
            f"choose another: make run PORT={api_port + 1}"
        )
    if port_in_use(index_port) and not held_by_own_index(index_port, index_state):
        problems.append(
            f"port {index_port} on {HOST} (the local index's, INDEX_PORT) is in use by another "
            f"program; choose another: make run INDEX_PORT={index_port + 1}"
        )
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--api-port", required=True, help="PORT's value")
    parser.add_argument("--index-port", required=True, help="INDEX_PORT's value")
    parser.add_argument("--index-state", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        api_port = port_setting("PORT", args.api_port)
        index_port = port_setting("INDEX_PORT", args.index_port)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    problems = busy_ports(api_port, index_port, args.index_state)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
