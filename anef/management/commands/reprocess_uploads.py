"""Re-process files stored before the one upload pipeline (issue 15).

Ticket attachments (contact form, follow-up, portal, console) and mandate scans were stored as
sent; dossier documents were rewritten by a sanitiser that missed scripts and embedded files in
several places. This command passes them through `anef.uploads` again:

- by default it changes nothing and reports what it would do (dry run);
- with `--apply` it rewrites each file under a new storage key with the extension of its sniffed
  type, updates its recorded type, size and SHA-256, writes an audit entry, and deletes the old
  file once the row is saved;
- a file that cannot be sanitised (not a PDF/JPEG/PNG, damaged, password-protected, too big) is
  reported and left as it is, never deleted: an agent decides what to do with it.

Dossier pictures were already decoded and encoded again at upload: they are rewritten only if
they still carry metadata, so as not to degrade a JPEG twice. Dossier PDFs are rewritten when the
pipeline's inspector finds anything hostile in them.
"""

import io
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from PIL import Image

from anef import uploads
from anef.audit import audit_action


@dataclass(frozen=True)
class Source:
    label: str
    model: str  # app_label.Model
    file_field: str
    type_field: str
    name_field: str | None
    already_sanitised: bool  # went through the old sanitiser (dossier documents)
    exclude: dict


SOURCES = (
    Source(
        "document",
        "applications.Document",
        "file",
        "content_type",
        "original_name",
        True,
        {"file": ""},
    ),
    Source(
        "ticket attachment",
        "support.TicketAttachment",
        "file",
        "content_type",
        "original_name",
        False,
        {"file": ""},
    ),
    Source(
        "mandate scan",
        "accounts.Mandate",
        "consent_file",
        "consent_content_type",
        None,
        False,
        {"consent_file": ""},
    ),
)


def _image_is_clean(content: bytes) -> bool:
    with Image.open(io.BytesIO(content)) as image:
        return not (
            image.getexif()
            or getattr(image, "text", None)
            or {"comment", "xmp", "exif"} & set(image.info)
        )


def _pdf_hostile(content: bytes) -> list[str]:
    import pikepdf

    try:
        with pikepdf.open(io.BytesIO(content)) as pdf:
            return uploads.hostile_parts(pdf)
    except pikepdf.PdfError:
        return ["unreadable"]


class Command(BaseCommand):
    help = "Re-process stored uploads through anef/uploads.py (dry run unless --apply)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--apply",
            action="store_true",
            help="Rewrite the files (without it, only report what would change).",
        )

    def handle(self, *args, apply: bool = False, **options):
        from django.apps import apps

        counts = {"unchanged": 0, "rewrite": 0, "refused": 0, "missing": 0}
        verb = "rewritten" if apply else "would rewrite"
        for source in SOURCES:
            model = apps.get_model(source.model)
            for row in model.objects.exclude(**source.exclude).order_by("pk"):
                outcome, detail = self._one(source, row, apply)
                counts[outcome] += 1
                if outcome != "unchanged":
                    label = {"rewrite": verb, "refused": "cannot be sanitised, kept"}.get(
                        outcome, outcome
                    )
                    self.stdout.write(f"{source.label} {row.pk}: {label}: {detail}")
        mode = "applied" if apply else "dry run, nothing changed; run again with --apply"
        self.stdout.write(
            f"{counts['rewrite']} {verb}, {counts['unchanged']} unchanged, "
            f"{counts['refused']} cannot be sanitised, {counts['missing']} missing ({mode})."
        )

    def _one(self, source: Source, row, apply: bool) -> tuple[str, str]:
        field = getattr(row, source.file_field)
        recorded = getattr(row, source.type_field)
        try:
            with field.open("rb") as handle:
                content = handle.read()
        except (FileNotFoundError, OSError):
            return "missing", field.name
        kind = uploads.sniff(content[:1024])
        if kind is None:
            return "refused", f"not a PDF, JPEG or PNG file (recorded as {recorded})"
        try:
            cleaned = uploads.clean(content, kind)
        except uploads.UnreadableFile as error:
            return "refused", error.reason
        reasons = []
        if kind != recorded:
            reasons.append(f"type {recorded} is really {kind}")
        if cleaned != content:
            if kind == uploads.PDF:
                found = _pdf_hostile(content)
                if found or not source.already_sanitised:
                    reasons.append("PDF: " + (", ".join(found[:5]) or "rebuilt"))
            elif not source.already_sanitised or not _image_is_clean(content):
                reasons.append("picture encoded again without metadata")
        if not reasons:
            return "unchanged", ""
        if apply:
            self._rewrite(source, row, field, kind, cleaned, reasons)
        return "rewrite", "; ".join(reasons)

    @transaction.atomic
    def _rewrite(self, source: Source, row, field, kind: str, cleaned: bytes, reasons) -> None:
        old_storage, old_name = field.storage, field.name
        setattr(row, source.type_field, kind)
        changed = [source.file_field, source.type_field]
        if source.name_field:
            setattr(
                row, source.name_field, uploads.display_name(getattr(row, source.name_field), kind)
            )
            changed.append(source.name_field)
        if hasattr(row, "size") and hasattr(row, "sha256"):
            clean_file = uploads.CleanFile(content=cleaned, content_type=kind, name="x")
            row.size, row.sha256 = clean_file.size, clean_file.sha256
            changed += ["size", "sha256"]
        field.save(uploads.storage_name(kind), ContentFile(cleaned), save=False)
        row.save(update_fields=changed)
        audit_action(
            instance=row,
            actor=None,
            action="upload_reprocess",
            details={"reasons": reasons, "old_key": old_name, "new_key": field.name},
        )
        transaction.on_commit(lambda: old_storage.delete(old_name))
