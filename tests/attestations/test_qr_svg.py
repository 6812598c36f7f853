"""The QR code printed on attestations: the compact SVG draws exactly qrcode's modules
(attestations/signing.py qr_svg), so a phone reads the same URL as before."""

import re
import xml.etree.ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st

from attestations import signing

SVG = "{http://www.w3.org/2000/svg}"


def modules_drawn(svg: str) -> list[list[bool]]:
    """Read the SVG back: each `M<x> <y>.5h<w>` stroke of width 1 darkens w modules of row y."""
    root = ET.fromstring(svg)  # noqa: S314 - our own output, not untrusted XML
    size = int(root.get("viewBox").split()[2])
    path = root.find(f"{SVG}path")
    assert path.get("stroke-width") == "1"
    drawn = [[False] * size for _ in range(size)]
    commands = re.findall(r"M(\d+) (\d+)\.5h(\d+)", path.get("d"))
    assert "".join(f"M{x} {y}.5h{w}" for x, y, w in commands) == path.get("d")
    for x, y, width in commands:
        for column in range(int(x), int(x) + int(width)):
            assert not drawn[int(y)][column], "a module drawn twice"
            drawn[int(y)][column] = True
    return drawn


def test_qr_svg_draws_every_module_of_a_verification_url_and_nothing_else():
    url = "https://anef.example/verify/API-2026-84H968VG-B/?t=ANEF1.dev-1." + "x" * 380
    modules = signing.qr_modules(url)
    assert modules_drawn(signing.qr_svg(modules)) == modules


def test_qr_modules_keep_a_quiet_zone_of_two_white_modules():
    modules = signing.qr_modules("https://anef.example/verify/X/")
    for ring in range(signing.QR_QUIET_ZONE):
        assert not any(modules[ring]) and not any(modules[-1 - ring])
        assert not any(row[ring] or row[-1 - ring] for row in modules)


def test_qr_svg_is_far_smaller_than_one_square_per_module():
    url = "https://anef.example/verify/API-2026-84H968VG-B/?t=" + "x" * 420
    modules = signing.qr_modules(url)
    dark = sum(map(sum, modules))
    assert len(signing.qr_svg(modules)) < dark * 8


@settings(max_examples=25, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=300))
def test_qr_svg_reads_back_as_the_modules_whatever_the_data(data):
    modules = signing.qr_modules(data)
    assert modules_drawn(signing.qr_svg(modules)) == modules
