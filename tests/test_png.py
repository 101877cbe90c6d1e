"""The report's own PNG encoder: what Pillow reads back is exactly what Agg drew."""
from __future__ import annotations

import io

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from sim.report.draw import DPI, save
from sim.report.png import encode_png


def test_random_pixels_round_trip_with_their_resolution() -> None:
    rng = np.random.default_rng(3)
    pixels = rng.integers(0, 256, size=(37, 53, 4), dtype=np.uint8)
    image = Image.open(io.BytesIO(encode_png(pixels, 150, "kazsim")))
    assert image.mode == "RGBA" and image.size == (53, 37)
    assert np.array_equal(np.asarray(image), pixels)
    assert image.info["dpi"][0] == pytest.approx(150, abs=0.05)
    assert image.info["Software"] == "kazsim"


def test_refuses_pixels_without_alpha() -> None:
    with pytest.raises(ValueError, match="RGBA"):
        encode_png(np.zeros((2, 2, 3), dtype=np.uint8), 150)


def test_saved_figure_is_what_savefig_draws(tmp_path) -> None:  # type: ignore[no-untyped-def]
    def figure() -> Figure:
        fig = Figure(figsize=(4, 2.5))
        ax = fig.subplots()
        ax.plot([0, 1, 2, 3], [3, 1, 4, 1], label="line")
        ax.set_title("a title")
        ax.legend()
        return fig

    save(figure(), tmp_path / "f")
    ref = figure()
    FigureCanvasAgg(ref)
    buf = io.BytesIO()
    ref.savefig(buf, format="png", dpi=DPI)
    ours = Image.open(tmp_path / "f.png")
    assert ours.size == (4 * DPI, int(2.5 * DPI))
    assert np.array_equal(np.asarray(ours), np.asarray(Image.open(buf)))
    assert ours.info["dpi"][0] >= 150
    assert (tmp_path / "f.svg").read_text().startswith("<?xml")
