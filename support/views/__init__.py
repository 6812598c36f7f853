"""Pages of the contact centre: public (contact form and private follow-up link), portal
(applicants and helpers), console (contact-centre agents), back office (prefecture agents).
All call `support.services` and read through `support.selectors`."""

from django.http import FileResponse

from anef.uploads import file_response as stored_file_response


def file_response(attachment) -> FileResponse:
    """Serve a ticket attachment as a download, never rendered by the browser in our origin."""
    response = stored_file_response(
        attachment.file, content_type=attachment.content_type, name=attachment.original_name
    )
    response["Cache-Control"] = "private, no-store"
    return response


def uploads(files, name: str) -> list:
    upload = files.get(name)
    return [upload] if upload else []
