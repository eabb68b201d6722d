"""Several gunicorn workers starting at once on a fresh instance folder read one secret key
(a session signed by one worker is valid on every other)."""
import multiprocessing


def _key(folder, barrier, out):
    import os
    from pathlib import Path

    os.environ.pop("ZHIBU_SECRET_KEY", None)
    from config import _secret_key

    barrier.wait()
    out.put(_secret_key(Path(folder)))


def test_workers_starting_together_share_one_generated_key(tmp_path):
    ctx = multiprocessing.get_context("fork")
    barrier, out = ctx.Barrier(8), ctx.Queue()
    workers = [ctx.Process(target=_key, args=(str(tmp_path / "instance"), barrier, out)) for _ in range(8)]
    for w in workers:
        w.start()
    keys = {out.get(timeout=30) for _ in workers}
    for w in workers:
        w.join(timeout=30)
    assert len(keys) == 1 and len(keys.pop()) == 64
    assert sorted(p.name for p in (tmp_path / "instance").iterdir()) == ["secret_key"]
