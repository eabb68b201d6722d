"""First page on a fresh machine: clone, install (README command 1), start, first page.

    python benchmarks/first_page.py [--repo .] [--port 5077] [--keep]

Prints the seconds of each phase: the clone, `pip install -e .` in a new venv (pip's cache
is whatever this machine has: say so beside the figure), and `run.py` from start to the first
200 of the login page, split into the migration, the demo load and the server start by the
lines run.py prints. Nothing is asserted: the figures are for the issue note.
"""
import argparse
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path


def _run(cmd, cwd):
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", default=str(Path(__file__).resolve().parents[1]))
    parser.add_argument("--port", type=int, default=5077)
    parser.add_argument("--keep", action="store_true", help="leave the clone in place")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="zhibu-first-page-"))
    clone = work / "zhibu"
    figures = {"clone": _run(["git", "clone", "-q", args.repo, str(clone)], work)}
    figures["venv"] = _run([sys.executable, "-m", "venv", ".venv"], clone)
    figures["pip install -e ."] = _run([".venv/bin/pip", "install", "-q", "-e", "."], clone)
    start = time.perf_counter()
    marks = {}
    server = subprocess.Popen([".venv/bin/python", "run.py", "--port", str(args.port)], cwd=clone,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    try:
        for line in server.stdout:
            now = time.perf_counter() - start
            if "loading demo data" in line and "demo start" not in marks:
                marks["demo start"] = now
            if "Running on" in line or "Serving Flask app" in line:
                marks["server start"] = now
                break
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{args.port}/login/", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        first = time.perf_counter() - start
    finally:
        server.terminate()
        server.wait(timeout=30)
    migrate = marks.get("demo start", 0.0)
    demo = marks.get("server start", first) - migrate
    figures["run.py: migrate + init"] = migrate
    figures["run.py: demo data"] = demo
    figures["run.py: server to first page"] = first - migrate - demo
    width = max(len(k) for k in figures)
    for name, seconds in figures.items():
        print(f"{name:<{width}}  {seconds:7.1f} s")
    print(f"{'first page, in all':<{width}}  {sum(figures.values()):7.1f} s")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
