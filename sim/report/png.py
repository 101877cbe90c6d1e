"""PNG files straight from an RGBA pixel buffer: numpy's "Up" filter and zlib.

Pillow's encoder tries every PNG filter on every row, which at 150 dpi is a quarter of a
figure's drawing time; one fixed filter (each row minus the one above: a plot's rows
mostly repeat) with fast zlib gives files of the same size in less than half the time.
"""
from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

import numpy as np

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_UP = 2  # PNG filter type: each byte minus the byte above it


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def encode_png(rgba: Any, dpi: float, software: str = "") -> bytes:
    """The PNG bytes of an (height, width, 4) uint8 array, with its resolution recorded
    (pHYs, as pixels per metre) so that viewers and Pillow read `dpi` back."""
    pixels = np.ascontiguousarray(rgba, dtype=np.uint8)
    height, width, depth = pixels.shape
    if depth != 4:
        raise ValueError(f"expected RGBA pixels, found {depth} channels")
    rows = np.empty((height, width * 4 + 1), dtype=np.uint8)
    rows[:, 0] = _UP
    flat = pixels.reshape(height, width * 4)
    rows[0, 1:] = flat[0]
    np.subtract(flat[1:], flat[:-1], out=rows[1:, 1:])  # wraps modulo 256, as PNG wants
    packer = zlib.compressobj(1, zlib.DEFLATED, 15, 9, zlib.Z_FILTERED)
    data = packer.compress(rows.data) + packer.flush()
    per_metre = round(dpi / 0.0254)
    parts = [_SIGNATURE,
             _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)),
             _chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1))]
    if software:
        parts.append(_chunk(b"tEXt", b"Software\0" + software.encode("latin-1", "replace")))
    parts += [_chunk(b"IDAT", data), _chunk(b"IEND", b"")]
    return b"".join(parts)


def write_png(path: Path, rgba: Any, dpi: float, software: str = "") -> None:
    path.write_bytes(encode_png(rgba, dpi, software))
