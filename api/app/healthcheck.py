"""`python -m app.healthcheck`: exit 0 when the local server answers its liveness (health,
status ok).

Used by the Dockerfile's HEALTHCHECK; the slim image has no curl, and Python is there anyway.
Liveness, not readiness: Docker restarts nothing on its own and marks a container unhealthy
for good reasons only; a replica that is draining, or waits for `titanic-store upgrade`, is alive
and must not be reported unhealthy (an orchestrator acting on it would kill it mid-drain).
Readiness (/api/v1/ready) is what a balancer and Railway's healthcheck ask.
"""

import json
import sys
import urllib.request

from app.core.config import API_V1_PREFIX, get_settings


def main() -> int:
    url = f"http://127.0.0.1:{get_settings().PORT}{API_V1_PREFIX}/health"
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            healthy = json.load(response).get("status") == "ok"
    except (OSError, ValueError):
        healthy = False
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
