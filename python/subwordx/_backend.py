"""Chooses the implementation behind the public API: the Rust core, or the Python reference.

``SUBWORDX_BACKEND`` selects it: ``rust`` (fail if the compiled core is missing), ``python``
(always the pure-Python reference: slow, readable, the oracle) or ``auto`` (default: Rust when it is
importable, else Python). Everything public goes through :func:`use_rust`.
"""

from __future__ import annotations

import os
from types import ModuleType

from subwordx.errors import ConfigError

try:  # The compiled extension is absent in a source checkout that was never built.
    import subwordx._core as _compiled_core

    _core: ModuleType | None = _compiled_core
except ImportError:  # pragma: no cover - depends on how the package was installed
    _core = None

_CHOICES = ("auto", "rust", "python")


def requested() -> str:
    """The backend named by ``SUBWORDX_BACKEND`` (``auto`` when unset)."""
    value = os.environ.get("SUBWORDX_BACKEND", "auto").strip().lower() or "auto"
    if value not in _CHOICES:
        raise ConfigError(f"SUBWORDX_BACKEND={value!r} is not one of {', '.join(_CHOICES)}")
    return value


def use_rust(backend: str | None = None) -> bool:
    """True when the Rust core serves this call.

    Args:
        backend: ``"rust"``, ``"python"``, ``"auto"``, or None for ``SUBWORDX_BACKEND``.
    """
    choice = requested() if backend is None else backend
    if choice not in _CHOICES:
        raise ConfigError(f"backend={choice!r} is not one of {', '.join(_CHOICES)}")
    if choice == "python":
        return False
    if _core is None:
        if choice == "rust":
            raise ImportError(
                "SUBWORDX_BACKEND=rust but the compiled core subwordx._core is not installed; "
                "install subwordx with pip (it builds the core) or use SUBWORDX_BACKEND=python"
            )
        return False
    return True


def core() -> ModuleType:
    """The compiled core module (raises ImportError when it is absent)."""
    if _core is None:
        raise ImportError("the compiled core subwordx._core is not installed")
    return _core


def name(backend: str | None = None) -> str:
    """``"rust"`` or ``"python"``: what :func:`use_rust` resolves to."""
    return "rust" if use_rust(backend) else "python"
