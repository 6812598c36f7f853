"""Hostile files, built here with pikepdf and Pillow (no file from elsewhere), and an inspector
written independently of anef/uploads.py that says what survives in a stored file.

Every payload carries the marker `EVIL`, written uncompressed, so that a stored file that still
holds any of it is caught on its raw bytes as well as on its object graph."""

import io
import struct
import zlib
from dataclasses import dataclass

import pikepdf
from pikepdf import Array, Dictionary, Name, String
from PIL import Image, PngImagePlugin

REFUSED, CLEANED = "refused", "cleaned"


@dataclass(frozen=True)
class Sample:
    id: str
    name: str
    content: bytes
    expected: str  # REFUSED, or CLEANED (stored, with nothing hostile left)


def js(code: str = "app.alert('EVIL')") -> Dictionary:
    return Dictionary(Type=Name.Action, S=Name.JavaScript, JS=String(code))


def _pdf(build, **save) -> bytes:
    output = io.BytesIO()
    with pikepdf.new() as pdf:
        pdf.add_blank_page(page_size=(595, 842))
        build(pdf)
        pdf.save(output, **save)
    return output.getvalue()


def _embedded(pdf) -> Dictionary:
    stream = pikepdf.Stream(pdf, b"MZ EVIL payload")
    stream.Type = Name.EmbeddedFile
    return pdf.make_indirect(
        Dictionary(
            Type=Name.Filespec, F=String("evil.exe"), UF=String("evil.exe"), EF=Dictionary(F=stream)
        )
    )


def _outline(pdf, action) -> None:
    item = pdf.make_indirect(Dictionary(Title=String("Chapter"), A=action))
    outlines = pdf.make_indirect(Dictionary(Type=Name.Outlines, First=item, Last=item, Count=1))
    item.Parent = outlines
    pdf.Root.Outlines = outlines


def _annotation(pdf, annotation) -> None:
    if "/Rect" not in annotation:
        annotation.Rect = Array([0, 0, 100, 100])
    pdf.pages[0].obj.Annots = pdf.make_indirect(Array([pdf.make_indirect(annotation)]))


def _set(path: str, value_builder):
    def build(pdf):
        target = pdf.Root if path == "root" else pdf.pages[0].obj
        for key, value in value_builder(pdf).items():
            target[key] = value

    return build


def _form_field_aa(pdf):
    widget = pdf.make_indirect(
        Dictionary(
            Type=Name.Annot,
            Subtype=Name.Widget,
            FT=Name.Tx,
            T=String("name"),
            Rect=Array([0, 0, 100, 20]),
            AA=Dictionary(K=js(), F=js(), V=js(), C=js()),
        )
    )
    pdf.pages[0].obj.Annots = Array([widget])
    pdf.Root.AcroForm = Dictionary(Fields=Array([widget]))


def _form_action(kind: str):
    def build(pdf):
        action = Dictionary(
            S=Name(f"/{kind}"), F=Dictionary(FS=Name.URL, F=String("https://EVIL.example/"))
        )
        widget = pdf.make_indirect(
            Dictionary(
                Type=Name.Annot,
                Subtype=Name.Widget,
                FT=Name.Btn,
                T=String("send"),
                Rect=Array([0, 0, 100, 20]),
                A=action,
            )
        )
        pdf.pages[0].obj.Annots = Array([widget])
        pdf.Root.AcroForm = Dictionary(Fields=Array([widget]))

    return build


def _next_only(pdf):
    # The script is reachable only through the /Next array of a harmless "go to" action.
    hidden = pdf.make_indirect(js())
    pdf.Root.OpenAction = Dictionary(
        S=Name.GoTo, D=Array([pdf.pages[0].obj, Name.Fit]), Next=Array([hidden])
    )


def _next_chain_link(pdf):
    _annotation(
        pdf,
        Dictionary(
            Type=Name.Annot,
            Subtype=Name.Link,
            A=Dictionary(S=Name.URI, URI=String("https://EVIL.example/"), Next=js()),
        ),
    )


def _outline_next(pdf):
    _outline(pdf, Dictionary(S=Name.GoTo, D=Array([pdf.pages[0].obj, Name.Fit]), Next=js()))


def _js_stream(pdf):
    code = pikepdf.Stream(pdf, b"app.alert('EVIL')")
    pdf.Root.OpenAction = Dictionary(S=Name.JavaScript, JS=code)


def _xfa(pdf):
    xfa = pikepdf.Stream(pdf, b"<xdp:xdp><script>app.alert('EVIL')</script></xdp:xdp>")
    pdf.Root.AcroForm = Dictionary(Fields=Array(), XFA=xfa, NeedsRendering=True)


def _richmedia(pdf):
    _annotation(
        pdf,
        Dictionary(
            Type=Name.Annot,
            Subtype=Name.RichMedia,
            RichMediaContent=Dictionary(
                Assets=Dictionary(Names=Array([String("a.swf"), _embedded(pdf)]))
            ),
            RichMediaSettings=Dictionary(),
        ),
    )


def _file_attachment(pdf):
    _annotation(pdf, Dictionary(Type=Name.Annot, Subtype=Name.FileAttachment, FS=_embedded(pdf)))


def _deep_direct(pdf):
    # Direct objects all the way down: an array of direct annotations with a direct action.
    launch = Dictionary(
        S=Name.Launch,
        F=String("cmd.exe"),
        Win=Dictionary(F=String("cmd.exe"), P=String("/c EVIL")),
    )
    link = Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=Array([0, 0, 9, 9]), A=launch)
    pdf.pages[0].obj.Annots = Array([link])


def _orphan(pdf):
    pdf.make_indirect(js())  # referenced by nothing
    pdf.Root.Orphan = pdf.make_indirect(Dictionary(Inner=Dictionary(Payload=js())))


def _names_javascript(pdf):
    pdf.Root.Names = Dictionary(
        JavaScript=Dictionary(Names=Array([String("a"), pdf.make_indirect(js())]))
    )


def _names_embedded(pdf):
    pdf.Root.Names = Dictionary(
        EmbeddedFiles=Dictionary(Names=Array([String("evil.exe"), _embedded(pdf)]))
    )


def _encrypted_with_script(pdf):
    pdf.Root.OpenAction = js()


def _polyglot() -> bytes:
    html = b"<html><body><script>alert('EVIL')</script></body></html>\n"
    return html + _pdf(lambda pdf: None)


def _png_bomb() -> bytes:
    """A 1-bit PNG of 30,000 x 30,000 pixels (900 megapixels) in a few hundred kilobytes."""
    width = height = 30_000
    row = b"\x00" + b"\x00" * (width // 8)
    compressor = zlib.compressobj(9)
    data = (
        b"".join(compressor.compress(row * 1000) for _ in range(height // 1000))
        + compressor.flush()
    )

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def _huge_jpeg() -> bytes:
    """A real JPEG whose frame header claims 65,000 x 65,000 pixels."""
    output = io.BytesIO()
    Image.new("RGB", (16, 16), "white").save(output, "JPEG")
    data = bytearray(output.getvalue())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", 65_000, 65_000)
    return bytes(data)


def _png_with_script_text() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<script>alert('EVIL')</script>")
    output = io.BytesIO()
    Image.new("RGB", (32, 32), "white").save(output, "PNG", pnginfo=info)
    return output.getvalue()


def _jpeg_with_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010E] = "EVIL description"
    exif[0x8825] = {2: (48.0, 51.0, 0.0)}
    output = io.BytesIO()
    Image.new("RGB", (32, 32), "white").save(output, "JPEG", exif=exif)
    return output.getvalue()


def samples() -> list[Sample]:
    pdf = "application/pdf"  # noqa: F841 (documentation of what the .pdf names announce)
    built = [
        ("openaction_js", _pdf(_set("root", lambda p: {"/OpenAction": js()}))),
        ("catalog_aa", _pdf(_set("root", lambda p: {"/AA": Dictionary(WC=js(), DP=js())}))),
        ("names_javascript", _pdf(_names_javascript)),
        ("names_embedded_files", _pdf(_names_embedded)),
        ("catalog_af", _pdf(_set("root", lambda p: {"/AF": Array([_embedded(p)])}))),
        ("page_af", _pdf(_set("page", lambda p: {"/AF": Array([_embedded(p)])}))),
        ("page_aa", _pdf(_set("page", lambda p: {"/AA": Dictionary(O=js(), C=js())}))),
        ("outline_js", _pdf(lambda p: _outline(p, js()))),
        (
            "outline_launch",
            _pdf(lambda p: _outline(p, Dictionary(S=Name.Launch, F=String("cmd.exe")))),
        ),
        ("outline_next_js", _pdf(_outline_next)),
        ("next_array_only", _pdf(_next_only)),
        ("link_uri_next_js", _pdf(_next_chain_link)),
        (
            "annotation_a_js",
            _pdf(lambda p: _annotation(p, Dictionary(Type=Name.Annot, Subtype=Name.Link, A=js()))),
        ),
        ("form_field_aa", _pdf(_form_field_aa)),
        ("form_submit", _pdf(_form_action("SubmitForm"))),
        ("form_reset", _pdf(_form_action("ResetForm"))),
        ("form_import", _pdf(_form_action("ImportData"))),
        ("xfa", _pdf(_xfa)),
        ("richmedia", _pdf(_richmedia)),
        ("file_attachment_annotation", _pdf(_file_attachment)),
        ("js_as_stream", _pdf(_js_stream)),
        ("deep_direct_launch", _pdf(_deep_direct)),
        ("orphan_objects", _pdf(_orphan)),
        (
            "object_stream",
            _pdf(
                _set("root", lambda p: {"/OpenAction": p.make_indirect(js())}),
                object_stream_mode=pikepdf.ObjectStreamMode.generate,
            ),
        ),
        (
            "encrypted_no_user_password",
            _pdf(_encrypted_with_script, encryption=pikepdf.Encryption(owner="owner", user="")),
        ),
        ("polyglot_html_pdf", _polyglot()),
    ]
    corpus = [Sample(key, f"{key}.pdf", content, CLEANED) for key, content in built]
    corpus += [
        Sample(
            "encrypted_with_password",
            "locked.pdf",
            _pdf(lambda p: None, encryption=pikepdf.Encryption(owner="owner", user="secret")),
            REFUSED,
        ),
        Sample(
            "elf_named_pdf",
            "passport.pdf",
            b"\x7fELF\x02\x01\x01" + b"\x00" * 200 + b"EVIL",
            REFUSED,
        ),
        Sample(
            "html_named_png",
            "screenshot.png",
            b"<html><script>alert('EVIL')</script></html>",
            REFUSED,
        ),
        Sample("png_decompression_bomb", "bomb.png", _png_bomb(), REFUSED),
        Sample("jpeg_huge_pixels", "huge.jpg", _huge_jpeg(), REFUSED),
        Sample("png_text_script", "shot.png", _png_with_script_text(), CLEANED),
        Sample("jpeg_exif", "photo.pdf", _jpeg_with_exif(), CLEANED),  # named .pdf: stored as JPEG
    ]
    return corpus


CORPUS = samples()
BY_ID = {sample.id: sample for sample in CORPUS}

# --- The inspector ------------------------------------------------------------------------------

_BAD_KEYS = {
    "/JS",
    "/JavaScript",
    "/OpenAction",
    "/AA",
    "/EmbeddedFiles",
    "/AF",
    "/EF",
    "/XFA",
    "/RichMediaContent",
    "/Launch",
    "/Next",
    "/URI",
    "/SubmitForm",
    "/ImportData",
}
_BAD_ACTIONS = {
    "/JavaScript",
    "/Launch",
    "/URI",
    "/SubmitForm",
    "/ResetForm",
    "/ImportData",
    "/GoToR",
    "/GoToE",
    "/Rendition",
    "/RichMediaExecute",
    "/Named",
    "/Sound",
    "/Movie",
    "/Hide",
    "/SetOCGState",
    "/GoTo3DView",
    "/Thread",
    "/GoTo",
    "/Trans",
}
_BAD_SUBTYPES = {"/FileAttachment", "/RichMedia", "/Screen", "/Movie", "/Sound", "/3D"}
_RAW_MARKERS = [
    b"EVIL",
    b"<script",
    b"/JavaScript",
    b"/JS",
    b"/Launch",
    b"/EmbeddedFile",
    b"/AF",
    b"/OpenAction",
    b"/AA",
    b"/XFA",
    b"/RichMedia",
    b"/Next",
    b"/SubmitForm",
    b"/URI",
]


def pdf_findings(content: bytes) -> list[str]:
    """What survives in a stored PDF that must not: empty when the file is clean."""
    found = [f"raw bytes hold {marker!r}" for marker in _RAW_MARKERS if marker in content]
    if not content.startswith(b"%PDF-"):
        found.append("does not start with %PDF-")
    with pikepdf.open(io.BytesIO(content)) as pdf:
        if pdf.is_encrypted:
            found.append("still encrypted")
        todo = [*pdf.objects, pdf.trailer]
        while todo:
            obj = todo.pop()
            if isinstance(obj, pikepdf.Array):
                todo.extend(
                    item
                    for item in obj
                    if isinstance(item, pikepdf.Array | pikepdf.Dictionary | pikepdf.Stream)
                    and not item.is_indirect
                )
                continue
            if not isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
                continue
            keys = set(obj.keys())
            found += [f"key {key}" for key in keys & _BAD_KEYS]
            if "/A" in keys and isinstance(obj.A, pikepdf.Dictionary) and "/S" in obj.A:
                found.append(f"action /A {obj.A.S}")
            if (
                str(obj.get("/S", "")) in _BAD_ACTIONS
                and str(obj.get("/Type", "/Action")) == "/Action"
            ):
                found.append(f"action {obj.S}")
            if str(obj.get("/Subtype", "")) in _BAD_SUBTYPES:
                found.append(f"annotation {obj.Subtype}")
            if str(obj.get("/Type", "")) == "/EmbeddedFile":
                found.append("embedded file stream")
            todo.extend(
                obj.get(key)
                for key in keys
                if isinstance(obj.get(key), pikepdf.Array | pikepdf.Dictionary | pikepdf.Stream)
                and not obj.get(key).is_indirect
            )
    return found


def image_findings(content: bytes, expected_format: str) -> list[str]:
    found = [
        f"raw bytes hold {marker!r}"
        for marker in (b"EVIL", b"<script", b"Exif")
        if marker in content
    ]
    with Image.open(io.BytesIO(content)) as image:
        if image.format != expected_format:
            found.append(f"stored as {image.format}, not {expected_format}")
        if image.getexif():
            found.append("EXIF kept")
        found += [f"text chunk {key}" for key in getattr(image, "text", {})]
    return found


def findings(content: bytes, content_type: str) -> list[str]:
    if content_type == "application/pdf":
        return pdf_findings(content)
    return image_findings(content, {"image/jpeg": "JPEG", "image/png": "PNG"}[content_type])


def sniffed(content: bytes) -> str:
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return "unknown"
