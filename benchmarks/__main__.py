"""python -m benchmarks all --db URL   (the city-scale table, benchmarks/suite.py)
python -m benchmarks pages [...]      (the demo-university page benchmark, benchmarks/pages.py)
"""
import sys


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv.pop(0) if argv else "all"
    if command == "all":
        from benchmarks.suite import main as run
    elif command == "pages":
        from benchmarks.pages import main as run
    else:
        sys.exit(f"unknown benchmark {command!r}: all | pages")
    run(argv)


if __name__ == "__main__":
    main()
