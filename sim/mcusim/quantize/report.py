"""The accuracy report as terminal lines and as a self-contained HTML page."""
from __future__ import annotations

import html


def _db(v) -> str:
    return "exact" if v is None else f"{v:.1f} dB"


def _pct(v) -> str:
    return f"{100 * v:.1f}%"


def lines(acc: dict, worst: int = 5) -> list[str]:
    out = [f"accuracy on {acc['samples']} sample(s){' with labels' if acc['labels'] else ''} "
           f"(float: LiteRT, quantized: TFLM = the firmware)"]
    for o in acc["outputs"]:
        s = f"  output {o['name']}: SNR {_db(o['snr_db'])}, max abs error {o['max_abs_error']:.4g}"
        if "top1_agreement" in o:
            s += f", top-1 agreement {_pct(o['top1_agreement'])}"
        if "accuracy_float" in o:
            s += (f", accuracy float {_pct(o['accuracy_float'])} -> quantized "
                  f"{_pct(o['accuracy_quantized'])}")
        out.append(s)
    if acc["layers"] and worst > 0:
        out.append(f"  layers that lose the most (of {len(acc['layers'])}; keep these at int16 "
                   f"if the output SNR is too low):")
        for r in acc["layers"][:worst]:
            out.append(f"    node {r['node']:>3} {r['op']:<18} SNR {_db(r['snr_db']):>9}  "
                       f"max abs error {r['max_abs_error']:<9.4g} {_short(r['tensor'])}")
    s, a = acc["size"], acc["arena"]
    out.append(f"  size: file {s['float_file_bytes']:,} B -> {s['quantized_file_bytes']:,} B, "
               f"weights {s['float_weight_bytes']:,} B -> {s['quantized_weight_bytes']:,} B")
    if a["float_bytes"] is not None:
        q = f"{a['quantized_bytes']:,} B" if a["quantized_bytes"] is not None else \
            "n/a (mcusim cannot compile it)"
        out.append(f"  arena (activations, mcusim's planner): {a['float_bytes']:,} B -> {q}")
    return out


def _short(name: str, n: int = 60) -> str:
    return name if len(name) <= n else "…" + name[-(n - 1):]


def page(model: str, acc: dict, log: list[str]) -> str:
    e = html.escape
    rows = "".join(
        f"<tr><td>{r['node']}</td><td>{e(r['op'])}</td><td>{e(r['tensor'])}</td>"
        f"<td>{e(_db(r['snr_db']))}</td><td>{r['max_abs_error']:.4g}</td></tr>"
        for r in acc["layers"])
    outs = "".join(f"<li>{e(x)}</li>" for x in lines(acc, worst=0)[1:])
    opts = "".join(f"<li>{e(x)}</li>" for x in log) or "<li>none</li>"
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>mcusim quantize: "
            f"{e(model)}</title><style>body{{font-family:sans-serif;margin:2em}}"
            f"table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:2px 8px;"
            f"text-align:left}}</style></head><body><h1>{e(model)}: float vs quantized</h1>"
            f"<p>{e(lines(acc)[0])}</p><ul>{outs}</ul><h2>Graph optimizations</h2><ul>{opts}"
            f"</ul><h2>Layers, lowest SNR first</h2><table><tr><th>node</th><th>op</th>"
            f"<th>tensor</th><th>SNR</th><th>max abs error</th></tr>{rows}</table>"
            f"</body></html>\n")
