"""mcusim quantize MODEL --calibration DATA -o model_int8.tflite: post-training quantization of
a float model (.tflite; .onnx and .keras/SavedModel with their extras) and the accuracy report.

Nothing is written to -o unless the whole conversion succeeded (temporary file, then rename)."""
from __future__ import annotations

import json
from pathlib import Path

from mcusim import files
from mcusim.errors import BadInput


def add_arguments(p) -> None:
    p.add_argument("model", help="a float model: .tflite, .onnx (extra onnx), .keras/.h5 or a "
                                 "SavedModel folder (extra tensorflow)")
    p.add_argument("--calibration", "-c", required=True, metavar="DATA",
                   help="representative inputs: .npy, .npz, a folder of .npy files, or other "
                        "files with --preprocess")
    p.add_argument("-o", "--output", metavar="OUT.tflite", type=files.argparse_output("-o"),
                   help="the quantized model (default: MODEL_int8.tflite in this folder)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--per-channel", dest="per_channel", action="store_true", default=True,
                   help="one weight scale per output channel (default)")
    g.add_argument("--per-tensor", dest="per_channel", action="store_false",
                   help="one weight scale per tensor")
    p.add_argument("--int16-activations", action="store_true",
                   help="int16 activations, int8 weights (TFLM runs it; mcusim's kernels are "
                        "int8 only)")
    p.add_argument("--float-io", action="store_true",
                   help="keep float32 model inputs and outputs (default: int8)")
    p.add_argument("--eval", metavar="DATA",
                   help="accuracy report on this set instead of the calibration set; an .npz "
                        "may hold 'labels' (class index per sample)")
    p.add_argument("--preprocess", metavar="FILE.py:FUNCTION",
                   help="FUNCTION(path) -> array, for WAV/PNG/... calibration files")
    p.add_argument("--no-optimize", action="store_true",
                   help="skip the graph optimizations before quantization")
    p.add_argument("--json", metavar="FILE", type=files.argparse_output("--json"),
                   help="write the accuracy report as JSON")
    p.add_argument("--html", metavar="FILE", type=files.argparse_output("--html"),
                   help="write the accuracy report as an HTML page")
    p.add_argument("--worst", type=int, default=5, help="layers shown, lowest SNR first")


def main(args) -> int:
    from mcusim.quantize import QuantizeOptions, quantize_model, write_atomic
    from mcusim.quantize import report
    model = Path(args.model)
    out = Path(args.output) if args.output else Path(f"{model.stem}_int8.tflite")
    files.output_file(out, "-o")
    if out.resolve() == model.resolve():
        raise BadInput(f"-o {out}: is the input model; give another file")
    if args.worst < 0:
        raise BadInput(f"--worst must be 0 or more, got {args.worst}")
    opts = QuantizeOptions(per_channel=args.per_channel, int16=args.int16_activations,
                           float_io=args.float_io, preprocess=args.preprocess,
                           optimize=not args.no_optimize)
    if args.eval is not None and not Path(args.eval).exists():
        raise BadInput(f"--eval {args.eval}: no such file or directory")
    q = quantize_model(model, args.calibration, opts, report=True, eval_data=args.eval)
    for line in q.log:
        print(f"optimized: {line}")
    acc = q.accuracy
    write_atomic(out, q.data)
    scheme = ("int16 activations" if opts.int16 else "int8") + \
        (", per-channel" if opts.per_channel else ", per-tensor") + \
        (", float I/O" if opts.float_io else ", int8 I/O")
    print(f"{q.name} -> {out} ({scheme}; calibrated on {len(q.calibration.samples)} "
          f"sample(s))")
    for line in report.lines(acc, worst=args.worst):
        print(line)
    if opts.int16:
        print("note: mcusim's kernels are int8: TFLM runs this model, `mcusim run` refuses it")
    if args.json:
        doc = {"model": q.name, "output": str(out), "scheme": scheme,
               "calibration_samples": len(q.calibration.samples), "optimizations": q.log,
               "accuracy": acc}
        files.write_text(args.json, json.dumps(doc, indent=2) + "\n", "--json")
    if args.html:
        files.write_text(args.html, report.page(q.name, acc, q.log), "--html")
    return 0
