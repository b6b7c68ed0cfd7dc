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


def post_worker_init(worker):
    """Leave what the app loaded (about 270,000 objects: SQLAlchemy, marshmallow, the matching
    code's tables) out of garbage collection, and collect the youngest objects less often.

    Requests make and drop objects by the thousand, and each collection of the oldest
    generation walked all of the app as well: under bench/bench_load.py that took 5% of a
    worker's CPU, in pauses of up to 90 ms with the GIL held. Frozen, and with a first
    threshold of 20,000 instead of 700, it takes 3%; whatever a request leaves in a cycle is
    still collected."""
    import gc

    gc.freeze()
    gc.set_threshold(20_000, 10, 10)
