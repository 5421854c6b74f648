"""What every benchmark script shares; standard library only, so measuring it costs nothing."""
import resource
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"


def peak_memory_mb() -> float:
    """This process's peak resident memory so far (max RSS)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
