"""What the partner check of issue 16 costs per challenge, and how many partners it drops.

A partner institute or programme is attached only when it shares a substantive term with the
challenge (``services.matching._substance_check``). This loads capabilities (every fourth an
institute) and programmes from bench/corpus.py into a fresh SQLite database, then matches the
same challenges twice, with the check and with it switched off, each in a rolled-back
transaction, and prints the time per challenge and the partners attached.

    .venv/bin/python bench/bench_partners.py --n 5000 --challenges 200
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_pipeline import load
from corpus import build


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--challenges", type=int, default=200)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="xeco-bench-partners-"))
    os.environ.update(
        DATABASE_URL=f"sqlite:///{tmp}/bench.db", XECO_INSTANCE_PATH=str(tmp), LOG_LEVEL="WARNING"
    )
    os.environ.pop("CELERY_BROKER_URL", None)

    import sqlalchemy as sa
    from flask_migrate import upgrade

    from xeco import create_app
    from xeco.extensions import db
    from xeco.models import Capability, CapabilityKind, Challenge, Programme
    from xeco.services import matching, matching_index

    app = create_app()
    with app.app_context():
        upgrade()
    caps, chals = build(args.n, args.challenges)
    load(app, caps, chals)
    with app.app_context():
        db.session.execute(
            sa.update(Capability)
            .where(Capability.id % 4 == 0)
            .values(kind=CapabilityKind.INSTITUTE)
        )
        agency = db.session.scalar(sa.select(Capability.organisation_id).limit(1))
        owner = db.session.scalar(sa.select(Capability.owner_id).limit(1))
        for c in caps[: max(args.n // 50, 10)]:
            db.session.add(
                Programme(
                    organisation_id=agency,
                    owner_id=owner,
                    title=c["title"][:200],
                    summary=c["summary"],
                    keywords=[],
                    sectors=[],
                    regions=[],
                )
            )
        db.session.commit()
        ids = db.session.scalars(sa.select(Challenge.id)).all()
        matching_index.clear_cache()
        indexes = matching.current_indexes()
        checked = matching._substance_check

        def run(label: str) -> None:
            times, partners = [], 0
            for cid in ids:
                t = time.perf_counter()
                matching.match_challenge(cid, indexes)
                times.append((time.perf_counter() - t) * 1000)
                rows = db.session.scalars(
                    sa.select(matching.Match).where(matching.Match.challenge_id == cid)
                ).all()
                partners += sum(
                    (m.institute_id is not None) + (m.programme_id is not None) for m in rows
                )
                db.session.rollback()
            print(
                f"{label}: median {statistics.median(times):.1f} ms, "
                f"p95 {sorted(times)[int(len(times) * 0.95)]:.1f} ms per challenge; "
                f"{partners} partners attached over {len(ids)} challenges"
            )

        run("warm-up")
        run("with the partner check")
        matching._substance_check = lambda *a: lambda item: True
        run("without it")
        matching._substance_check = checked


if __name__ == "__main__":
    main()
