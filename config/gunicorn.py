"""gunicorn's settings for the web server: ``gunicorn -c config/gunicorn.py xeco.wsgi:app``.

An API request spends much of its time waiting on PostgreSQL (its token check, its query,
the commit: several round trips), and a sync worker sits idle meanwhile. Threads let each
worker serve other requests during those waits; the processes use the cores. Each thread
holds at most one database connection at a time (the pool keeps 5 per process), so the
connections a web host needs stay workers x threads at most.
"""

import os

workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "4"))
