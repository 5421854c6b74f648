"""An export job slowed down at its first attempt's start (`pause` seconds in small steps, each a progress report),
so a test can kill the process that runs it; registered in every process that imports this module
(the test's and the worker it starts). Each run that finishes appends a line to `runs` beside the
instance folder."""
import time
from pathlib import Path

from flask import current_app

from portfolio.jobs import runner
from portfolio.registry.views import projects_export_job


def slow_export(parameters: dict, progress: runner.Progress):
    """Slow on its first attempt only (the one the test kills)."""
    steps = int(parameters["pause"] * 20) if parameters[runner.CLAIM][1] == 1 else 0
    for step in range(steps):
        progress(step, steps, "准备")
        time.sleep(0.05)
    result = projects_export_job(parameters, progress)
    with (Path(current_app.instance_path) / "runs").open("a") as runs:
        runs.write(f"{parameters[runner.CLAIM]}\n")
    return result


runner.register_kind("test_slow_export", slow_export, ("项目库", "projects.index"))
