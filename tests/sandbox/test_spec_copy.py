"""The Bot API spec shipped in the package is the project's shared one, byte for byte."""

from __future__ import annotations

import pytest

from bot.sandbox.spec import BUNDLED_SPEC_PATH, SHARED_SPEC_PATH


def test_bundled_spec_is_the_shared_spec() -> None:
    if not SHARED_SPEC_PATH.is_file():
        # A clone on its own: the bundled copy is all there is, nothing to compare it with.
        pytest.skip(f"no shared/ checkout next to the repository ({SHARED_SPEC_PATH})")
    assert BUNDLED_SPEC_PATH.read_bytes() == SHARED_SPEC_PATH.read_bytes()
