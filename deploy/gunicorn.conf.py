"""gunicorn's settings for Turnus (deploy/systemd/turnus-web.service starts `gunicorn -c deploy/gunicorn.conf.py`).

With PROMETHEUS_MULTIPROC_DIR set (the unit sets it to a fresh runtime folder), every process writes its
histograms there and /metrics, answered by any of them, adds them up; a process that exits is marked dead so its
gauges stop counting (Turnus's gauges are read from the database and are not per process anyway).
"""

import os

bind = os.environ.get("TURNUS_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("TURNUS_WEB_PROCESSES", "4"))
wsgi_app = "web:create_app()"


def child_exit(server: object, worker: object) -> None:  # gunicorn calls it with these
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]
