"""Looking at a PDF the way a reader does: every page rendered to an image (pypdfium2), then

* ``low_contrast_chars``: characters whose text is hard to read on what is behind them (WCAG
  contrast below 4.5:1 between the character's fill colour, as the PDF gives it, and the most
  frequent pixel of the rendered page around it);
* ``broken_words``: words of the PDF's text that are not whole words of what the report says
  (a word wrapped inside itself, "Betweenn" / "ess", leaves two fragments that are not);
* ``dot_spread``: where the coloured dots of a figure lie (their bounding box and how many of a
  grid's cells they reach): a figure with most actors on one line reaches few rows.
"""
from __future__ import annotations

import ctypes
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pypdfium2 as pdfium

WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def luminance(rgb: tuple[int, int, int]) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = rgb
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@dataclass
class Page:
    number: int
    image: Any                    # PIL image, RGB
    scale: float                  # pixels per PDF point
    text: str
    chars: list[tuple[str, tuple[float, float, float, float], tuple[int, int, int]]]   # char, box (l, b, r, t), colour


def pages(data: bytes, dpi: int = 150) -> list[Page]:
    document = pdfium.PdfDocument(data)
    result = []
    try:
        for index in range(len(document)):
            page = document[index]
            scale = dpi / 72
            image = page.render(scale=scale).to_pil().convert("RGB")
            textpage = page.get_textpage()
            count = textpage.count_chars()
            chars = [(textpage.get_text_range(i, 1), textpage.get_charbox(i), _fill(textpage, i)) for i in range(count)]
            result.append(Page(index + 1, image, scale, textpage.get_text_range(), chars))
            textpage.close()
            page.close()
    finally:
        document.close()
    return result


def _fill(textpage: Any, index: int) -> tuple[int, int, int]:
    r, g, b, a = (ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint())
    pdfium.raw.FPDFText_GetFillColor(textpage.raw, index, ctypes.byref(r), ctypes.byref(g), ctypes.byref(b),
                                     ctypes.byref(a))
    return (r.value, g.value, b.value)


def low_contrast_chars(page: Page, minimum: float = 4.5) -> list[tuple[str, float]]:
    """(character, contrast) of every letter or digit below ``minimum``."""
    failures = []
    height = page.image.height
    pixels = page.image.load()
    for char, (left, bottom, right, top), ink in page.chars:
        if not char.strip() or not char.isalnum():
            continue
        x0, x1 = int(left * page.scale), int(right * page.scale) + 1
        y0, y1 = int(height - top * page.scale), int(height - bottom * page.scale) + 1
        if x1 - x0 < 2 or y1 - y0 < 2:
            continue
        # the ring just outside the character's box: what the character stands on
        xa, xb = max(0, x0 - 2), min(page.image.width - 1, x1 + 1)
        ya, yb = max(0, y0 - 2), min(height - 1, y1 + 1)
        ring = [pixels[x, y] for x in range(xa, xb + 1) for y in (ya, yb)]
        ring += [pixels[x, y] for y in range(ya, yb + 1) for x in (xa, xb)]
        background = Counter(ring).most_common(1)[0][0]
        ratio = contrast(ink, background)
        if ratio < minimum:
            failures.append((char, round(ratio, 2)))
    return failures


def words(texts: Iterable[str]) -> set[str]:
    return {w.lower() for text in texts for w in WORD.findall(text)}


def broken_words(page: Page, known: set[str]) -> list[str]:
    """Words on the page that are no whole word of ``known`` (lower case)."""
    return sorted({w for w in WORD.findall(page.text) if w.lower() not in known})


def dot_spread(page: Page, region: tuple[float, float, float, float] = (0.0, 0.1, 1.0, 0.8),
               grid: int = 8) -> dict[str, float]:
    """Saturated (coloured) pixels inside ``region`` (fractions of the page: left, top, right,
    bottom): the share of the page's width and height their bounding box spans, and the share of
    the grid's cells and rows over that region that contain some."""
    image = page.image
    width, height = image.size
    left, top, right, bottom = (int(region[0] * width), int(region[1] * height), int(region[2] * width),
                                int(region[3] * height))
    pixels = image.load()
    xs, ys = [], []
    cells: set[tuple[int, int]] = set()
    for y in range(top, bottom, 2):
        for x in range(left, right, 2):
            r, g, b = pixels[x, y]
            if max(r, g, b) - min(r, g, b) > 60:     # coloured, not grey lines or black text
                xs.append(x)
                ys.append(y)
                cells.add((grid * (x - left) // (right - left), grid * (y - top) // (bottom - top)))
    if not xs:
        return {"width": 0.0, "height": 0.0, "cells": 0.0, "rows": 0.0, "pixels": 0}
    return {"width": (max(xs) - min(xs)) / width, "height": (max(ys) - min(ys)) / height,
            "cells": len(cells) / grid ** 2, "rows": len({row for _, row in cells}) / grid, "pixels": len(xs)}
