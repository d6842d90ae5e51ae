"""Shared fixtures: the bundled 2018 framework and Bedfordshire's published results."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

# bandstand's cache of checked files: a fresh folder for each run of the suite (inherited by the command-line
# tests' processes), so the suite starts cold, exercises both the misses and the hits, and leaves no trace
_CACHE = tempfile.mkdtemp(prefix="bandstand-test-cache-")
os.environ["BANDSTAND_CACHE_DIR"] = _CACHE
os.environ.pop("BANDSTAND_NO_CACHE", None)
atexit.register(shutil.rmtree, _CACHE, True)

from bandstand import Catalogue  # noqa: E402
from bandstand.dsl.loader import load_file  # noqa: E402
from helpers import DATA, ROOT, build_site, copy_framework, hostile_edit, site_config  # noqa: E402


@pytest.fixture(scope="session")
def hmip():
    """The bundled hmip-youth@2018 framework."""
    return Catalogue().resolve("hmip-youth@2018")


@pytest.fixture(scope="session")
def published():
    """Bedfordshire 2021 as published (tests/data/bedfordshire-2021.yaml)."""
    # read with bandstand's loader: yaml.safe_load would turn the key `yes` into True
    return load_file(DATA / "bedfordshire-2021.yaml").data


@pytest.fixture(scope="session")
def docs_site(tmp_path_factory) -> Path:
    """The project's own site (mkdocs.yml, docs/), built with --strict: any warning fails it."""
    site = tmp_path_factory.mktemp("site")
    done = build_site(ROOT / "mkdocs.yml", site)
    assert done.returncode == 0, f"mkdocs build --strict failed:\n{done.stderr}"
    return site


@pytest.fixture(scope="session")
def hostile_site(tmp_path_factory) -> Path:
    """A site publishing, by path, a framework whose text is HTML and script."""
    folder = tmp_path_factory.mktemp("hostile")
    copy_framework(folder / "fw", hostile_edit)
    done = build_site(site_config(folder, ["fw/youth-2018.yaml"]), folder / "site")
    assert done.returncode == 0, f"mkdocs build --strict failed:\n{done.stderr}"
    return folder / "site"


CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")


def _install_chromium() -> str | None:
    """Install Debian's chromium and its driver; None on success, else why not (one line)."""
    if shutil.which("apt-get") is None:
        return "apt-get is not available to install chromium and chromium-driver"
    if os.geteuid() != 0:
        return "not running as root, so apt-get cannot install chromium and chromium-driver"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command, timeout in ((["apt-get", "update"], 600),
                             (["apt-get", "install", "-y", "--no-install-recommends", "chromium", "chromium-driver"],
                              1200)):
        try:
            done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return f"'{' '.join(command)}' did not finish in {timeout} s"
        if done.returncode != 0:
            last = (done.stderr.strip() or done.stdout.strip() or "no output").splitlines()[-1]
            return f"'{' '.join(command)}' failed with exit code {done.returncode}: {last}"
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        return f"apt-get installed chromium but {CHROMIUM} or {CHROMEDRIVER} is still missing"
    return None


@pytest.fixture(scope="session")
def chromium() -> tuple[Path, Path]:
    """Debian's chromium and chromedriver, installed with apt-get when missing.

    The browser tests skip, saying why, only when no browser can be installed here.
    """
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        reason = _install_chromium()
        if reason is not None:
            pytest.skip(f"no headless browser for the site tests: {reason}")
    return CHROMIUM, CHROMEDRIVER
