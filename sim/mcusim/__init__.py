"""mcusim: an instruction-level Cortex-M simulator, profiler and int8 TFLite model compiler."""
__version__ = "0.1.0"
