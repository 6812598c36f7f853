"""Uploaded files are rewritten before they are stored (issue 8, "Uploads").

Identity documents reach agents' screens: a PDF must not carry anything that runs or opens by
itself, and a phone photo must not carry the place and time it was taken. So a PDF is rewritten by
qpdf (pikepdf) without JavaScript, automatic actions, launch actions or embedded files, and an
image is decoded and encoded again with no metadata (its orientation applied first, so that a
phone photo stays upright). A file that cannot be read this way is refused with a plain message:
an agent could not read it either.
"""

import io

import pikepdf
from PIL import Image, ImageOps, UnidentifiedImageError

# A photo of a document needs no more than this (a 50-megapixel phone camera is already above
# what the portal shows); beyond it, decoding could exhaust the worker's memory.
MAX_IMAGE_PIXELS = 60_000_000

_ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToE", "/Rendition"}


class UnreadableFile(ValueError):
    """The file could not be read as the type its first bytes announce, or is locked."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "damaged", "password" or "too_large"


def _is_active_action(action) -> bool:
    return isinstance(action, pikepdf.Dictionary) and str(action.get("/S", "")) in _ACTIVE_ACTIONS


def _clean_pdf(pdf: pikepdf.Pdf) -> None:
    root = pdf.Root
    for key in ("/OpenAction", "/AA"):
        if key in root:
            del root[key]
    names = root.get("/Names")
    if isinstance(names, pikepdf.Dictionary):
        for key in ("/JavaScript", "/EmbeddedFiles"):
            if key in names:
                del names[key]
    acroform = root.get("/AcroForm")
    if isinstance(acroform, pikepdf.Dictionary) and "/XFA" in acroform:
        del acroform["/XFA"]  # XFA forms carry their own scripts
    for page in pdf.pages:
        if "/AA" in page.obj:
            del page.obj["/AA"]
        annotations = page.obj.get("/Annots")
        if not isinstance(annotations, pikepdf.Array):
            continue
        kept = pikepdf.Array()
        for annotation in annotations:
            if not isinstance(annotation, pikepdf.Dictionary):
                continue
            if str(annotation.get("/Subtype", "")) == "/FileAttachment":
                continue
            if _is_active_action(annotation.get("/A")):
                del annotation["/A"]
            if "/AA" in annotation:
                del annotation["/AA"]
            kept.append(annotation)
        page.obj["/Annots"] = kept


def sanitise_pdf(content: bytes) -> bytes:
    try:
        with pikepdf.open(io.BytesIO(content)) as pdf:
            _clean_pdf(pdf)
            output = io.BytesIO()
            pdf.save(output, deterministic_id=True)
    except pikepdf.PasswordError as error:
        raise UnreadableFile("password") from error
    except (pikepdf.PdfError, ValueError, KeyError) as error:
        raise UnreadableFile("damaged") from error
    return output.getvalue()


def sanitise_image(content: bytes, content_type: str) -> bytes:
    try:
        with Image.open(io.BytesIO(content)) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise UnreadableFile("too_large")
            image.load()
            upright = ImageOps.exif_transpose(image)
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as error:
        raise UnreadableFile("damaged") from error
    output = io.BytesIO()
    if content_type == "image/jpeg":
        upright.convert("RGB").save(output, "JPEG", quality=90, optimize=True)
    else:  # PNG: keep transparency; no text chunks are written
        upright.save(output, "PNG", optimize=True)
    return output.getvalue()


def sanitise(content: bytes, content_type: str) -> bytes:
    """The file as it will be stored: `content_type` is the one sniffed from its bytes."""
    if content_type == "application/pdf":
        return sanitise_pdf(content)
    return sanitise_image(content, content_type)
