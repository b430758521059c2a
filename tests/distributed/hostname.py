"""[core] hostname_callable for the distributed test: each Celery worker process names itself
(WHOLEPLACE_TEST_WORKER), so the task instances Airflow records say which worker ran them."""

import os
import socket


def worker_name() -> str:
    return os.environ.get("WHOLEPLACE_TEST_WORKER") or socket.getfqdn()
