"""A small progress bar on stderr, driven by the core's progress callback.

The core reports ``(stage, done, total, info)`` about ten times a second (see the binding's
``run_blocking``); this class draws one line that it rewrites in place. It draws nothing when
stderr is not a terminal, so logs and CI output stay clean.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    """Callable progress sink: ``bar(stage, done, total, info)``."""

    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self._stage = ""
        self._stage_start = time.monotonic()
        self._drawn = False

    def __call__(self, stage: str, done: int, total: int, info: str = "") -> None:
        if not self.enabled or not stage:
            return
        now = time.monotonic()
        if stage != self._stage:
            if self._drawn:
                self.stream.write("\n")
            self._stage, self._stage_start = stage, now
        elapsed = max(now - self._stage_start, 1e-9)
        if total > 0:
            frac = min(done / total, 1.0)
            filled = int(frac * 30)
            bar = "█" * filled + "░" * (30 - filled)
            eta = (elapsed / frac - elapsed) if frac > 0 else 0.0
            line = f"{stage:<12} {bar} {frac:6.1%}  {_human(done)}/{_human(total)}  eta {eta:4.0f}s"
        else:
            line = f"{stage:<12} {_human(done)}  {elapsed:5.1f}s"
        if info:
            line += f"  {info}"
        self.stream.write("\r" + line[:160] + "\x1b[K")
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        """Ends the bar's line."""
        if self.enabled and self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False


def _human(n: int) -> str:
    for unit, size in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if n >= size:
            return f"{n / size:.1f}{unit}"
    return str(n)
