"""Shared fixtures: the bundled 2018 framework and Bedfordshire's published results."""

from __future__ import annotations

import pytest

from bandstand import Catalogue
from bandstand.dsl.loader import load_file
from helpers import DATA


@pytest.fixture(scope="session")
def hmip():
    """The bundled hmip-youth@2018 framework."""
    return Catalogue().resolve("hmip-youth@2018")


@pytest.fixture(scope="session")
def published():
    """Bedfordshire 2021 as published (tests/data/bedfordshire-2021.yaml)."""
    # read with bandstand's loader: yaml.safe_load would turn the key `yes` into True
    return load_file(DATA / "bedfordshire-2021.yaml").data
