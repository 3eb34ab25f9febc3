"""Horizontal bars in text: eighth-block resolution, readable without colour."""
from __future__ import annotations

from rich.text import Text

_EIGHTHS = " ▏▎▍▌▋▊▉"


def bar(fraction: float, width: int, style: str = "cyan", track: bool = True) -> Text:
    """A bar `width` cells wide filled to `fraction` (clamped to 0..1); over 1 shows a '!'."""
    over = fraction > 1.0
    f = min(max(fraction, 0.0), 1.0)
    eighths = round(f * width * 8)
    full, part = divmod(eighths, 8)
    text = Text("█" * full, style=style)
    if part and full < width:
        text.append(_EIGHTHS[part], style=style)
    rest = width - len(text)
    if rest > 0:
        text.append(("·" if track else " ") * rest, style="grey37")
    if over:
        text = Text(text.plain[:-1], style="red") + Text("!", style="bold red")
    return text


def usage_style(fraction: float) -> str:
    return "red" if fraction > 0.9 else "yellow" if fraction > 0.75 else "green"
