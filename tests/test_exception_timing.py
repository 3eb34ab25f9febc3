"""Exception latencies in profiles/<core>.toml [exceptions]: loaded, validated, refused when bad."""
from __future__ import annotations

import pytest

from mcusim.cost.model import ExceptionTiming, load_profile
from mcusim.errors import BadInput
from mcusim.paths import profiles_dir

# The figures each profile cites (see the comments above its [exceptions] table).
EXPECTED = {
    "cortex-m0plus": (15, 10, 6, 0),    # M0+ TRM: 15; exit/tail-chain assumed from M3/M4
    "cortex-m3": (12, 10, 6, 0),        # M3 TRM ch. 5; exit 10 per Arm KA 103489845
    "cortex-m4": (12, 10, 6, 17),       # Arm KA 103489845 (M4 TRM): 12 / 10, +17 with FP frame
    "cortex-m7": (12, 10, 6, 17),       # Cortex-M for Beginners: typically 12; rest assumed
    "cortex-m33": (12, 10, 6, 17),      # Cortex-M for Beginners: 12; rest assumed
}


@pytest.mark.parametrize("core", sorted(EXPECTED))
def test_every_profile_has_cited_exception_timing(core):
    t = load_profile(core).exceptions
    assert isinstance(t, ExceptionTiming)
    assert (t.entry, t.exit, t.tail_chain, t.fp_frame_extra) == EXPECTED[core]
    assert t.source                                   # every figure cites its source


def _profile_with(tmp_path, exceptions: str):
    text = (profiles_dir() / "cortex-m4.toml").read_text()
    text = text[:text.index("[exceptions]")] + exceptions
    path = tmp_path / "custom.toml"
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize("table, complaint", [
    ("", "lacks the [exceptions] table"),
    ("[exceptions]\nentry = 12\nexit = 10\ntail_chain = 6\n", "fp_frame_extra must be"),
    ("[exceptions]\nentry = -1\nexit = 10\ntail_chain = 6\nfp_frame_extra = 0\n", "entry must be"),
    ("[exceptions]\nentry = 12\nexit = '10'\ntail_chain = 6\nfp_frame_extra = 0\n", "exit must be"),
    ("[exceptions]\nentry = 0\nexit = 10\ntail_chain = 6\nfp_frame_extra = 0\n", "cannot be 0"),
])
def test_bad_exception_table_is_refused_in_one_line(tmp_path, table, complaint):
    with pytest.raises(BadInput) as e:
        load_profile(_profile_with(tmp_path, table))
    assert complaint in str(e.value) and "\n" not in str(e.value)


def test_custom_exception_table_is_read(tmp_path):
    path = _profile_with(tmp_path, "[exceptions]\nentry = 20\nexit = 18\ntail_chain = 9\n"
                                   "fp_frame_extra = 30\nsource = 'measured'\n")
    assert load_profile(path).exceptions == ExceptionTiming(20, 18, 9, 30, "measured")
