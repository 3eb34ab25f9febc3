"""Example: a model's cost as a pytest test, with the `mcusim` fixture (docs/pytest.md).

Run with:  .venv/bin/python -m pytest examples/
"""


def test_kws_on_stm32f4(mcusim):
    r = mcusim.run("../models/kws_ref_model.tflite", board="stm32f4")
    assert r.exit_code == 0
    assert [layer.op for layer in r.layers][-1] == "SOFTMAX"
    r.check(max_cycles=3_890_000,              # about 1% above today's 3.85 M
            max_arena_bytes=16_640,            # arena high-water mark measured in simulation
            max_flash_bytes=104 * 1024,        # today 103,288 B: packed weights + the loops this model names (docs/kernels.md)
            layers={"CONV_2D": 3_100_000})     # all CONV_2D layers together (3.06 M)


def test_kws_arena_fits_an_m0plus(mcusim):
    r = mcusim.run("../models/kws_ref_model.tflite", board="rp2040")
    assert r.arena_peak == r.arena["planned"]  # the plan is what the firmware really touches
    r.check(max_arena_bytes=16 * 1024, max_stack_bytes=1024)
