"""One pipeline for every file a person or an agent sends (issue 15, "one upload pipeline").

Dossier documents, error-report evidence, ticket attachments (portal, console and the anonymous
contact form), the contact form's screenshot, mandate scans and substitution deposits all go
through `process` / `process_all`. Nothing of the sender is trusted: the type is sniffed from the
bytes, the stored extension and the served `Content-Type` come from that type, an image is decoded
and encoded again (no metadata, orientation applied), a PDF is rebuilt by qpdf (pikepdf) after
every object of its graph has been walked and every action, script, embedded file, form action,
XFA form and rich-media content removed. A refused file is named in a message that says what to
do.

One request may not keep a worker busy: the number of files and their total size are limited
(settings `UPLOAD_MAX_FILES_PER_REQUEST`, `UPLOAD_MAX_REQUEST_BYTES`), and images are given a
share of a CPU budget (`UPLOAD_REQUEST_CPU_SECONDS`) estimated from their dimensions BEFORE any
pixel is decoded, from costs measured on the development machine (see `_COST`): a JPEG is
decoded at a reduced scale when it is larger than its share allows, any picture is stored
smaller when needed, and a picture that would cost more than what is left is refused. A PDF's
actual CPU time is charged once rebuilt.
"""

import hashlib
import io
import math
import os
import time
import unicodedata
import warnings
from dataclasses import dataclass, field

import pikepdf
from django.conf import settings
from django.core.files.base import ContentFile
from django.http import FileResponse
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
ACCEPTED_TYPES: dict[str, str] = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png"}
# What a browser offers to pick; the server checks the bytes anyway.
ACCEPT_ATTRIBUTE = ",".join(ACCEPTED_TYPES)
SERVED_FALLBACK_TYPE = "application/octet-stream"

DEFAULTS = {
    "UPLOAD_MAX_FILES_PER_REQUEST": 10,
    "UPLOAD_MAX_REQUEST_BYTES": 60 * 1000 * 1000,
    "UPLOAD_REQUEST_CPU_SECONDS": 1.2,  # keeps one request well under 2 s with Django around it
    "UPLOAD_IMAGE_MAX_PIXELS": 80_000_000,  # read from the header; beyond, refused undecoded
    "UPLOAD_IMAGE_STORED_PIXELS": 12_000_000,  # a 12-megapixel photo is stored as it is
}
# Below this, a picture of a document is no longer readable: refuse rather than store a thumbnail.
MIN_STORED_PIXELS = 500_000

# CPU seconds per megapixel, measured with random-noise pictures (the worst case for the
# encoders) on the development machine, rounded up. `tests/security` checks the total against a
# wall of large PNGs.
_COST = {
    ("decode", JPEG): 0.015,
    ("decode", PNG): 0.05,
    ("encode", JPEG): 0.015,
    ("encode", PNG): 0.2,
    ("resize", None): 0.025,
}


def setting(name: str):
    return getattr(settings, name, DEFAULTS[name])


# --- Refusals ------------------------------------------------------------------------------------

MESSAGES = {
    "file_empty": _("The file « %(name)s » is empty."),
    "file_too_large": _(
        "The file « %(name)s » is too large (%(size)s MB). The limit is %(limit)s MB."
    ),
    "file_type": _(
        "The file « %(name)s » is not a PDF, JPEG or PNG file. Scan or photograph the document "
        "again and save it as PDF, JPEG or PNG."
    ),
    "file_type_narrow": _("The file « %(name)s » is not a %(types)s file."),
    "file_password_protected": _(
        "The file « %(name)s » is protected by a password. Save it again without a password, "
        "or scan the paper document."
    ),
    "file_too_many_pixels": _(
        "The picture « %(name)s » is too big to be read. Take the photo again with a lower "
        "resolution."
    ),
    "file_unreadable": _(
        "The file « %(name)s » could not be read: it may be damaged. Scan or photograph the "
        "document again and save it as PDF, JPEG or PNG."
    ),
    "too_many_files": _(
        "The file « %(name)s » was not added: %(limit)s files at most can be sent at once. "
        "Send it again separately."
    ),
    "request_too_large": _(
        "The file « %(name)s » was not added: the files sent at once exceed %(limit)s MB. "
        "Send it again separately."
    ),
    "request_too_heavy": _(
        "The picture « %(name)s » was not added: too many large pictures were sent at once. "
        "Send it again separately."
    ),
}


class UploadRefused(ValueError):
    """A file the pipeline will not store; `message` names it and says what to do."""

    def __init__(self, code: str, name: str, **params):
        self.code, self.name, self.params = code, name, params
        self.message = MESSAGES[code] % {"name": name, **params}
        super().__init__(f"{code}: {name}")


# --- The result ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CleanFile:
    """What is stored: the rewritten bytes, their sniffed type, and the sender's file name with
    the extension of that type (shown and offered on download, never used as a storage key)."""

    content: bytes
    content_type: str
    name: str

    @property
    def extension(self) -> str:
        return ACCEPTED_TYPES[self.content_type]

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    def as_content_file(self) -> ContentFile:
        return ContentFile(self.content, name=self.name)


@dataclass
class Batch:
    """What one request may still send: files, bytes and CPU (see the module's docstring).
    `expected` is how many files the request holds, to give each its fair share of CPU."""

    expected: int = 1
    max_files: int = field(default_factory=lambda: setting("UPLOAD_MAX_FILES_PER_REQUEST"))
    max_bytes: int = field(default_factory=lambda: setting("UPLOAD_MAX_REQUEST_BYTES"))
    cpu_seconds: float = field(default_factory=lambda: setting("UPLOAD_REQUEST_CPU_SECONDS"))
    files: int = 0
    bytes: int = 0
    spent: float = 0.0

    def admit(self, name: str, size: int) -> None:
        if self.files + 1 > self.max_files:
            raise UploadRefused("too_many_files", name, limit=self.max_files)
        if self.bytes + size > self.max_bytes:
            raise UploadRefused("request_too_large", name, limit=round(self.max_bytes / 1_000_000))
        self.files += 1
        self.bytes += size

    def left(self) -> float:
        return max(self.cpu_seconds - self.spent, 0.0)

    def share(self) -> float:
        """The CPU this file may use: what is left, divided among the files still to come."""
        return self.left() / max(self.expected - self.files + 1, 1)


# --- Names and types ------------------------------------------------------------------------------


def sniff(head: bytes) -> str | None:
    """The real type of a file from its first bytes (never from its name or declared type).

    PDF files start with `%PDF-` (some writers put a few bytes before it: the specification
    allows the header within the first 1024 bytes), JPEG with FF D8 FF, PNG with its 8-byte
    signature. Anything else is refused.
    """
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if b"%PDF-" in head[:1024]:
        return PDF
    return None


def display_name(name: str | None, content_type: str | None = None, default: str = "file") -> str:
    """The sender's file name, safe to show and to offer on download: no directory, no control
    character, at most 200 characters, and (given the sniffed type) the extension of that type
    instead of whatever the sender wrote."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip(" .") or default
    if content_type is not None:
        stem, dot, extension = base.rpartition(".")
        if dot and stem and len(extension) <= 5:
            base = stem
        base = base[:190] + served_extension(content_type)
    return base[-200:]


def served_extension(content_type: str) -> str:
    return ACCEPTED_TYPES.get(content_type, "")


def served_type(content_type: str) -> str:
    """The `Content-Type` a download is served with: the sniffed one, or opaque bytes."""
    return content_type if content_type in ACCEPTED_TYPES else SERVED_FALLBACK_TYPE


def file_response(file, *, content_type: str, name: str, inline: bool = False) -> FileResponse:
    """A stored upload served to the browser: its sniffed type (or opaque bytes), a safe file
    name, a download unless `inline`, never sniffed or run by the browser in our origin."""
    response = FileResponse(
        file.open("rb"),
        content_type=served_type(content_type),
        as_attachment=not inline,
        filename=display_name(name, content_type),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- Images ---------------------------------------------------------------------------------------


def _plan(width: int, height: int, content_type: str, share: float) -> tuple[int, int, float]:
    """(decoding scale 1/2/4/8, stored pixels, estimated CPU seconds) for the largest stored
    picture that fits `share`; scale > 1 only for JPEG (decoded at a reduced size)."""
    source = width * height / 1e6
    cap = setting("UPLOAD_IMAGE_STORED_PIXELS") / 1e6
    best: tuple[int, int, float] | None = None
    for scale in (1, 2, 4, 8) if content_type == JPEG else (1,):
        decoded = source / scale**2
        cost = _COST["decode", content_type] * decoded
        stored = min(decoded, cap, max(share - cost, 0) / _COST["encode", content_type])
        if stored < decoded:
            cost += _COST["resize", None] * decoded
            stored = min(stored, max(share - cost, 0) / _COST["encode", content_type])
        cost += _COST["encode", content_type] * stored
        if stored * 1e6 >= min(MIN_STORED_PIXELS, width * height) and (
            best is None or stored * 1e6 > best[1]
        ):
            best = (scale, int(stored * 1e6), cost)
    if best is None:
        raise OverflowError
    return best


def clean_image(
    content: bytes, content_type: str, *, share: float = math.inf
) -> tuple[bytes, float]:
    """(The picture encoded again without metadata, estimated CPU seconds). Raises
    `UnreadableFile`; `OverflowError` when it cannot fit `share`."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                if image.format != {JPEG: "JPEG", PNG: "PNG"}[content_type]:
                    raise UnreadableFile("damaged")
                width, height = image.size
                if width * height > setting("UPLOAD_IMAGE_MAX_PIXELS") or not width * height:
                    raise UnreadableFile("too_large")
                scale, stored, cost = _plan(width, height, content_type, share)
                if scale > 1:
                    image.draft(image.mode, (math.ceil(width / scale), math.ceil(height / scale)))
                image.load()
                picture = ImageOps.exif_transpose(image)
    except UnreadableFile:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise UnreadableFile("too_large") from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        raise UnreadableFile("damaged") from error
    if picture.mode not in ("1", "L", "LA", "RGB", "RGBA", "P"):
        picture = picture.convert("RGBA" if "A" in picture.getbands() else "RGB")
    if picture.width * picture.height > stored:
        if picture.mode in ("P", "1"):
            picture = picture.convert("RGBA" if content_type == PNG else "RGB")
        ratio = math.sqrt(stored / (picture.width * picture.height))
        picture = picture.resize(
            (max(int(picture.width * ratio), 1), max(int(picture.height * ratio), 1)),
            Image.Resampling.LANCZOS,
            reducing_gap=2.0,
        )
    output = io.BytesIO()
    if content_type == JPEG:
        if picture.mode not in ("L", "RGB"):
            picture = picture.convert("RGB")
        picture.save(output, "JPEG", quality=90)
    else:
        # PNG keeps transparency; no text chunk is written. Z_RLE: as small as the default on
        # screenshots and the cheapest on noise (the attacker's choice).
        picture.save(output, "PNG", compress_level=6, compress_type=3)
    return output.getvalue(), cost


# --- PDF ----------------------------------------------------------------------------------------

# Every action type of ISO 32000-2 §12.6.4, harmless ones included: a stored document needs none
# (a "go to page" link becomes a plain destination).
ACTION_TYPES = frozenset(
    {
        "/GoTo",
        "/GoToR",
        "/GoToE",
        "/GoToDp",
        "/Launch",
        "/Thread",
        "/URI",
        "/Sound",
        "/Movie",
        "/Hide",
        "/Named",
        "/SubmitForm",
        "/ResetForm",
        "/ImportData",
        "/JavaScript",
        "/SetOCGState",
        "/Rendition",
        "/Trans",
        "/GoTo3DView",
        "/RichMediaExecute",
    }
)
# Keys removed wherever they are: automatic actions, scripts, embedded and associated files,
# XFA forms, rich media, portfolios, alternate presentations and renditions.
REMOVED_KEYS = frozenset(
    {
        "/OpenAction",
        "/AA",
        "/JS",
        "/JavaScript",
        "/EmbeddedFiles",
        "/AF",
        "/EF",
        "/RF",
        "/XFA",
        "/NeedsRendering",
        "/RichMediaContent",
        "/RichMediaSettings",
        "/Collection",
        "/AlternatePresentations",
        "/Renditions",
        "/FS",
        "/Movie",
        "/Sound",
        "/3DD",
    }
)
# Annotations that exist to carry a file, a sound, a film or a 3D scene: dropped from pages.
REMOVED_ANNOTATIONS = frozenset(
    {"/FileAttachment", "/RichMedia", "/Screen", "/Movie", "/Sound", "/3D"}
)


class UnreadableFile(ValueError):
    """The file could not be read as the type its first bytes announce, or is locked."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "damaged", "password" or "too_large"


def _is_dictionary(obj) -> bool:
    return isinstance(obj, pikepdf.Dictionary | pikepdf.Stream)


def is_action(obj) -> bool:
    return (
        _is_dictionary(obj)
        and str(obj.get("/S", "")) in ACTION_TYPES
        and obj.get("/Type", pikepdf.Name.Action) == pikepdf.Name.Action
    ) or (_is_dictionary(obj) and "/JS" in obj)


def _container(obj) -> bool:
    return (_is_dictionary(obj) or isinstance(obj, pikepdf.Array)) and not obj.is_indirect


def _clean_object(obj) -> None:
    """Clean one dictionary or array and its direct children (indirect ones are walked by
    `clean_pdf` itself, each once)."""
    if isinstance(obj, pikepdf.Array):
        for item in obj:
            if _container(item):
                _clean_object(item)
        return
    if not _is_dictionary(obj):
        return
    if is_action(obj):
        for key in list(obj.keys()):  # emptied: whatever still points at it gets nothing
            del obj[key]
        return
    for key in REMOVED_KEYS & set(obj.keys()):
        del obj[key]
    action = obj.get("/A")
    if _is_dictionary(action) and ("/S" in action or "/JS" in action):
        if action.get("/S") == pikepdf.Name.GoTo and "/D" in action and "/Dest" not in obj:
            obj["/Dest"] = action["/D"]  # an internal link keeps working, without an action
        del obj["/A"]
    annotations = obj.get("/Annots")
    if obj.get("/Type") == pikepdf.Name.Page and isinstance(annotations, pikepdf.Array):
        kept = [
            annotation
            for annotation in annotations
            if not (
                _is_dictionary(annotation)
                and str(annotation.get("/Subtype", "")) in REMOVED_ANNOTATIONS
            )
        ]
        if len(kept) != len(annotations):
            obj["/Annots"] = pikepdf.Array(kept)
    for key in list(obj.keys()):
        child = obj.get(key)
        if _container(child):
            _clean_object(child)


def clean_pdf_document(pdf: pikepdf.Pdf) -> None:
    """Walk EVERY object of the file (all indirect objects, those inside object streams and
    those reachable from nothing included) and every direct object inside them."""
    for obj in list(pdf.objects):
        _clean_object(obj)
    _clean_object(pdf.trailer)


def hostile_parts(pdf: pikepdf.Pdf) -> list[str]:
    """What a cleaned file must not hold, described; empty when clean. Run on the rebuilt file
    before it is stored, and by `manage.py reprocess_uploads` on files already stored."""
    found: list[str] = []

    def visit(obj, where: str) -> None:
        if isinstance(obj, pikepdf.Array):
            for item in obj:
                if _container(item):
                    visit(item, where)
            return
        if not _is_dictionary(obj):
            return
        if is_action(obj):
            found.append(f"{where}: action {obj.get('/S', '/JS')}")
        for key in REMOVED_KEYS & set(obj.keys()):
            found.append(f"{where}: {key}")
        if str(obj.get("/Subtype", "")) in REMOVED_ANNOTATIONS:
            found.append(f"{where}: annotation {obj.get('/Subtype')}")
        for key in list(obj.keys()):
            child = obj.get(key)
            if _container(child):
                visit(child, where)

    for obj in pdf.objects:
        visit(obj, f"object {obj.objgen[0]}")
    visit(pdf.trailer, "trailer")
    return found


def clean_pdf(content: bytes) -> bytes:
    try:
        with pikepdf.open(io.BytesIO(content)) as pdf:
            clean_pdf_document(pdf)
            output = io.BytesIO()
            # Streams are copied as they are (never inflated: no decompression bomb) and every
            # object is written in the clear (no object stream), without encryption.
            pdf.save(
                output,
                deterministic_id=True,
                object_stream_mode=pikepdf.ObjectStreamMode.disable,
                stream_decode_level=pikepdf.StreamDecodeLevel.none,
            )
        with pikepdf.open(io.BytesIO(output.getvalue())) as rebuilt:
            if hostile_parts(rebuilt):  # never expected: refuse rather than store it
                raise UnreadableFile("damaged")
    except pikepdf.PasswordError as error:
        raise UnreadableFile("password") from error
    except (pikepdf.PdfError, ValueError, KeyError, TypeError, RecursionError) as error:
        if isinstance(error, UnreadableFile):
            raise
        raise UnreadableFile("damaged") from error
    return output.getvalue()


def clean(content: bytes, content_type: str) -> bytes:
    """The bytes as they will be stored; `content_type` is the sniffed one. No CPU budget:
    for files already stored (`reprocess_uploads`) and test fixtures."""
    if content_type == PDF:
        return clean_pdf(content)
    return clean_image(content, content_type)[0]


# --- The pipeline -------------------------------------------------------------------------------

_UNREADABLE_CODES = {
    "password": "file_password_protected",
    "too_large": "file_too_many_pixels",
    "damaged": "file_unreadable",
}


def process(
    uploaded_file,
    *,
    max_bytes: int,
    accepted: tuple[str, ...] = tuple(ACCEPTED_TYPES),
    batch: Batch | None = None,
    default_name: str = "file",
) -> CleanFile:
    """Check and rewrite one upload (a Django `UploadedFile` or any file with `name`, `size`,
    `seek`, `read`); raise `UploadRefused` naming it."""
    name = display_name(getattr(uploaded_file, "name", None), default=default_name)
    size = uploaded_file.size
    if size == 0:
        raise UploadRefused("file_empty", name)
    if size > max_bytes:
        raise UploadRefused(
            "file_too_large",
            name,
            size=round(size / 1_000_000, 1),
            limit=round(max_bytes / 1_000_000),
        )
    batch = batch if batch is not None else Batch()
    batch.admit(name, size)
    uploaded_file.seek(0)
    content = uploaded_file.read()
    uploaded_file.seek(0)
    content_type = sniff(content[:1024])
    if content_type is None:
        raise UploadRefused("file_type", name)
    if content_type not in accepted:
        labels = ", ".join(ACCEPTED_TYPES[kind].lstrip(".").upper() for kind in accepted)
        raise UploadRefused("file_type_narrow", name, types=labels)
    try:
        if content_type == PDF:
            started = time.process_time()
            cleaned = clean_pdf(content)
            batch.spent += time.process_time() - started
        else:
            try:
                cleaned, cost = clean_image(content, content_type, share=batch.share())
            except OverflowError:  # beyond its fair share: it may take what is left
                cleaned, cost = clean_image(content, content_type, share=batch.left())
            batch.spent += cost
    except UnreadableFile as error:
        raise UploadRefused(_UNREADABLE_CODES[error.reason], name) from error
    except OverflowError as error:
        raise UploadRefused("request_too_heavy", name) from error
    return CleanFile(
        content=cleaned, content_type=content_type, name=display_name(name, content_type)
    )


def process_all(
    uploaded_files, *, max_bytes: int, accepted: tuple[str, ...] = tuple(ACCEPTED_TYPES)
) -> list[CleanFile]:
    """All the files of one request, all or none (the first refusal is raised)."""
    files = [upload for upload in uploaded_files if upload]
    batch = Batch(expected=len(files))
    return [
        process(upload, max_bytes=max_bytes, accepted=accepted, batch=batch) for upload in files
    ]


def storage_name(content_type: str) -> str:
    """A random storage name with the extension of the sniffed type."""
    return f"{os.urandom(16).hex()}{served_extension(content_type)}"
