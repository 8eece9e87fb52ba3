import io
import json
import os
from pathlib import Path

import pytest

from obdoctor.cli.environment import Environment
from obdoctor.cli.main import main

os.environ["OBDOCTOR_STRICT_NEEDS"] = "1"  # a rule reading evidence it does not declare fails the suite (rules/base.py)

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
EXAMPLES = ROOT / "examples"


class CliResult:
    def __init__(self, code: int, out: str, err: str):
        self.code, self.out, self.err = code, out, err

    def json(self):
        return json.loads(self.out)


@pytest.fixture
def run_cli():
    """Run ``obdoctor`` in-process with captured output: ``run_cli("analyze", path, "--format", "json")``."""

    def run(*argv: str, env: dict | None = None) -> CliResult:
        out, err = io.StringIO(), io.StringIO()
        code = main([str(a) for a in argv], Environment(stdout=out, stderr=err, env=env or {}, color=False))
        return CliResult(code, out.getvalue(), err.getvalue())

    return run
