"""Audio front end: presets, build-time tables and the C they become (firmware/dsp runs it).

    preset = presets.get("mlperf-kws")
    c_text = codegen.frontend_c(preset, input_scale=0.5847, input_zero_point=83)
"""
