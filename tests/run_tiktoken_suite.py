"""Runs tiktoken's own test suite against subwordx.tiktoken.

The suite is the ``tests/`` folder of tiktoken's source distribution (pinned version and SHA-256
below), downloaded from PyPI with pip. Only ``tests/`` is unpacked, into a temporary folder, so
tiktoken's own sources cannot shadow the module under test; ``tests/tiktoken_shim/`` goes first on
``PYTHONPATH``, so ``import tiktoken`` (in the tests and in the subprocesses they start) gives
``subwordx.tiktoken``, and the ``subwordx_tiktoken_guard`` plugin stops the run if it does not, or
if the real tiktoken gets imported.

The rank files come from ``$SUBWORDX_TIKTOKEN_DIR`` (default ``<shared>/data/tokenizers/openai``:
r50k_base, cl100k_base, o200k_base), tiktoken's cache, or the network. p50k_base's file is not in
the shared data: when it cannot be found or downloaded, the tests that need it are deselected, by
name, each with that reason (``NEEDS_P50K``); no other test is.

Usage::

    python tests/run_tiktoken_suite.py                       # ../shared beside the repository
    python tests/run_tiktoken_suite.py --shared ../shared -- -x -k offsets   # pytest arguments
    python tests/run_tiktoken_suite.py --sdist tiktoken-0.14.0.tar.gz        # no download

Exit status: pytest's.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

TIKTOKEN_VERSION = "0.14.0"
SDIST = f"tiktoken-{TIKTOKEN_VERSION}.tar.gz"
SDIST_SHA256 = "231dec90efcdccf1b565a1416107736f1e09b1a08fe736ef9d6363e626d03874"

REPO = Path(__file__).resolve().parents[1]
SHIM = Path(__file__).resolve().parent / "tiktoken_shim"

# The tests that load p50k_base (directly, through list_encoding_names() or through a model
# name), deselected only when its rank file cannot be had.
NEEDS_P50K = {
    "tests/test_encoding.py::test_simple": "get_encoding() of every name, p50k_base/p50k_edit too",
    "tests/test_encoding.py::test_basic_encode": 'get_encoding("p50k_base")',
    "tests/test_simple_public.py::test_simple": "get_encoding() of every name, p50k_* too",
    "tests/test_simple_public.py::test_encoding_for_model": '"text-davinci-003" is p50k_base',
    "tests/test_misc.py::test_encoding_for_model": '"text-davinci-003" is p50k_base',
}


def fetch_sdist(folder: Path) -> Path:
    """The pinned sdist, downloaded by pip with its hash checked."""
    requirements = folder / "requirements.txt"
    requirements.write_text(f"tiktoken=={TIKTOKEN_VERSION} --hash=sha256:{SDIST_SHA256}\n")
    cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"]
    cmd += ["--no-binary", ":all:", "-r", str(requirements), "-d", str(folder)]
    subprocess.run(cmd, check=True)
    return folder / SDIST


def unpack_tests(sdist: Path, folder: Path) -> Path:
    """Only the sdist's ``tests/`` folder, as ``folder/tests``."""
    digest = hashlib.sha256(sdist.read_bytes()).hexdigest()
    if digest != SDIST_SHA256:
        sys.exit(f"error: {sdist} has sha256 {digest}, not {SDIST_SHA256} ({SDIST})")
    prefix = f"tiktoken-{TIKTOKEN_VERSION}/tests/"
    with tarfile.open(sdist) as tar:
        members = [m for m in tar.getmembers() if m.name.startswith(prefix) and m.isfile()]
        for m in members:
            m.name = m.name[len(f"tiktoken-{TIKTOKEN_VERSION}/") :]
        if hasattr(tarfile, "data_filter"):  # Python >= 3.10.12 / 3.11.4
            tar.extractall(folder, members=members, filter="data")
        else:  # pragma: no cover - the members are plain files under tests/
            tar.extractall(folder, members=members)
    return folder / "tests"


def stage_as_installed(env: dict[str, str], folder: Path) -> str | None:
    """Makes subwordx importable from a ``site-packages`` folder if it is not already.

    tiktoken's suite runs against an installed tiktoken. Hypothesis draws strings from the
    constants of *local* source files (any module imported from outside ``site-packages``), so a
    subwordx imported from a source tree would feed its own literals, special tokens among them,
    to tests such as ``test_hyp_roundtrip`` that assume generated text never spells one. A copy
    of the package in ``<tmp>/site-packages``, first on PYTHONPATH, is what an installation looks
    like (CI installs subwordx into its virtual environment and needs none). Returns where the
    package came from when it was copied.
    """
    find = [sys.executable, "-c", "import subwordx; print(subwordx.__file__)"]
    where = subprocess.run(find, env=env, capture_output=True, text=True, check=True)
    package = Path(where.stdout.strip()).parent
    if "site-packages" in package.parts:
        return None
    target = folder / "site-packages"
    shutil.copytree(package, target / "subwordx", ignore=shutil.ignore_patterns("__pycache__"))
    env["PYTHONPATH"] = os.pathsep.join([str(SHIM), str(target), env["PYTHONPATH"]])
    return str(package)


def p50k_missing(env: dict[str, str]) -> str | None:
    """Why p50k_base's rank file cannot be had (None: it can), asked in a child process with the
    suite's environment."""
    probe = (
        "from subwordx.tiktoken import load, openai_public as p\n"
        "f = p.RANK_FILES['p50k_base']\n"
        "load.rank_file_bytes(f.name, f.url, f.sha256)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=False
    )
    if run.returncode == 0:
        return None
    last = (run.stderr.strip().splitlines() or ["?"])[-1]
    return last[:600]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--shared", default=str(REPO.parent / "shared"), help="default: ../shared")
    p.add_argument("--sdist", help=f"use this {SDIST} instead of downloading it")
    p.add_argument("pytest_args", nargs="*", help="more pytest arguments (after --)")
    args = p.parse_args(argv)

    env = dict(os.environ)
    # The suite runs in a temporary folder: entries of PYTHONPATH become absolute.
    paths = [str(Path(x).resolve()) for x in env.get("PYTHONPATH", "").split(os.pathsep) if x]
    env["PYTHONPATH"] = os.pathsep.join([str(SHIM), *paths])
    if not env.get("SUBWORDX_TIKTOKEN_DIR"):
        ranks = Path(args.shared).resolve() / "data" / "tokenizers" / "openai"
        if not ranks.is_dir():
            sys.exit(f"error: {ranks} not found; pass --shared or set SUBWORDX_TIKTOKEN_DIR")
        env["SUBWORDX_TIKTOKEN_DIR"] = str(ranks)

    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="tiktoken-suite-") as tmp:
        folder = Path(tmp)
        sdist = Path(args.sdist).resolve() if args.sdist else fetch_sdist(folder)
        tests = unpack_tests(sdist, folder / "suite")
        copied = stage_as_installed(env, folder)
        if copied:
            print(f"subwordx from a source tree ({copied}): copied into {folder}/site-packages")
        cmd = [sys.executable, "-m", "pytest", str(tests), "-p", "subwordx_tiktoken_guard"]
        cmd += ["-p", "no:cacheprovider", "-ra", "--rootdir", str(tests.parent)]
        reason = p50k_missing(env)
        print(f"SUBWORDX_TIKTOKEN_DIR={env['SUBWORDX_TIKTOKEN_DIR']}")
        if reason is not None:
            print(f"p50k_base.tiktoken is not available: {reason}")
            env["SUBWORDX_TIKTOKEN_DESELECT"] = json.dumps(
                {
                    node: f"needs p50k_base ({why}), not available"
                    for node, why in NEEDS_P50K.items()
                }
            )
        cmd += args.pytest_args
        print(f"tiktoken {TIKTOKEN_VERSION} suite ({sdist.name}), in {tests}", flush=True)
        code = subprocess.run(cmd, env=env, cwd=tests.parent, check=False).returncode
    print(f"tiktoken suite: exit status {code}, {time.perf_counter() - start:.1f} s in all")
    return code


if __name__ == "__main__":
    sys.exit(main())
