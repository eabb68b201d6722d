"""The import-linter contracts in pyproject.toml: layers import downward only, and the pure
core (scoring, rules, forms, imports, data) imports no framework. Lazy imports count too."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = "from importlinter.cli import lint_imports_command; lint_imports_command()"


def test_import_contracts_are_kept():
    run = subprocess.run([sys.executable, "-c", LINT_IMPORTS, "--no-cache"],
                         cwd=ROOT, capture_output=True, text=True)
    if run.returncode != 0:
        pytest.fail(run.stdout + run.stderr, pytrace=False)
