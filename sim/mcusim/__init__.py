"""mcusim: an instruction-level Cortex-M simulator, profiler and int8 TFLite model compiler."""
__version__ = "0.1.0"


def sweep(models, boards, **kwargs):
    """Run models x boards x option axes and rank them: see mcusim.sweeps.sweep (docs/sweep.md)."""
    from mcusim.sweeps import sweep as run_sweep
    return run_sweep(models, boards, **kwargs)
