"""The QR code printed on attestations (attestations/signing.py qr_svg, drawn by segno): the
compact SVG draws exactly the code's modules, and a reader decodes the verification URL from it."""

import re
import xml.etree.ElementTree as ET

import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from attestations import signing

SVG = "{http://www.w3.org/2000/svg}"
URL = "https://anef.example/verify/API-2026-84H968VG-B/?t=ANEF1.dev-1." + "x" * 380
COMMAND = re.compile(r"([Mmh])(-?\d+(?:\.\d+)?)(?: (-?\d+(?:\.\d+)?))?")


def modules_drawn(svg: str) -> list[list[bool]]:
    """Read the SVG back: a white square of the code's size, then one path of strokes of width
    1 (`M x y`, `m dx dy` move the pen, `h w` draws w modules of the row the pen is on)."""
    root = ET.fromstring(svg)  # noqa: S314 - our own output, not untrusted XML
    size = int(root.get("viewBox").split()[2])
    background, path = root.findall(f"{SVG}path")
    assert background.get("fill") == "#fff"
    assert background.get("d") == f"M0 0h{size}v{size}h-{size}z"
    assert path.get("stroke-width", "1") == "1" and path.get("transform") is None
    commands = COMMAND.findall(path.get("d"))
    assert "".join(f"{c}{a}" + (f" {b}" if b else "") for c, a, b in commands) == path.get("d")
    drawn = [[False] * size for _ in range(size)]
    x = y = 0.0
    for command, a, b in commands:
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        else:
            assert y % 1 == 0.5, "a stroke between two rows"
            for column in range(int(x), int(x) + int(a)):
                assert not drawn[int(y)][column], "a module drawn twice"
                drawn[int(y)][column] = True
            x += float(a)
    return drawn


def modules(data: str) -> list[list[bool]]:
    code = signing.qr_make(data)
    return [[bool(dark) for dark in row] for row in code.matrix_iter(border=signing.QR_QUIET_ZONE)]


def decoded(drawn: list[list[bool]], pixels: int = 4) -> list:
    """What a reader finds in the modules printed black on white, `pixels` per module."""
    size = len(drawn)
    image = Image.new("L", (size * pixels, size * pixels), 255)
    for y, row in enumerate(drawn):
        for x, dark in enumerate(row):
            if dark:
                image.paste(0, (x * pixels, y * pixels, (x + 1) * pixels, (y + 1) * pixels))
    return zxingcpp.read_barcodes(image)


def test_qr_svg_of_a_verification_url_decodes_to_that_url():
    (code,) = decoded(modules_drawn(signing.qr_svg(URL)))
    assert code.format == zxingcpp.BarcodeFormat.QRCode
    assert code.text == URL
    assert code.ec_level == "M"


def test_qr_svg_draws_every_module_of_a_verification_url_and_nothing_else():
    assert modules_drawn(signing.qr_svg(URL)) == modules(URL)


def test_qr_modules_keep_a_quiet_zone_of_two_white_modules():
    drawn = modules_drawn(signing.qr_svg("https://anef.example/verify/X/"))
    for ring in range(signing.QR_QUIET_ZONE):
        assert not any(drawn[ring]) and not any(drawn[-1 - ring])
        assert not any(row[ring] or row[-1 - ring] for row in drawn)
    assert any(drawn[signing.QR_QUIET_ZONE])


def test_qr_svg_is_far_smaller_than_one_square_per_module():
    dark = sum(map(sum, modules(URL)))
    assert len(signing.qr_svg(URL)) < dark * 8


@settings(max_examples=25, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=300))
def test_qr_svg_reads_back_as_the_modules_whatever_the_data(data):
    assert modules_drawn(signing.qr_svg(data)) == modules(data)
