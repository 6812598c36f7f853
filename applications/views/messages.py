"""The dossier's message thread (issue 20), in the portal and in the back office.

The thread itself is shown inside each dossier page: its context comes from the page panels
registered in `ApplicationsConfig.ready` (`portal_thread_panel`, `backoffice_thread_panel`), and
showing it marks the other side's messages read. Posting is one POST calling
`applications.messages.services.message_post`, then back to the page; a file of the thread is
served like a dossier's document, found only inside a dossier the user may see (another dossier's
file, by id, is a 404).
"""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import can_use_back_office, can_use_portal, requires
from anef import holds, uploads
from anef.errors import DomainError
from anef.page_errors import show_refusal
from applications.consultations import consulted
from applications.messages import selectors, services
from applications.messages.rules import BODY_MAX_LENGTH, thread_open
from applications.messages.throttling import posting_allowed
from applications.models import Application
from applications.selectors import application_list_visible_to
from applications.views.portal_forms import MultipleFileField

ANCHOR = "#thread"


class MessageForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Your message"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
    )
    files = MultipleFileField(
        label=gettext_lazy("Attach files"),
        help_text=gettext_lazy("PDF, JPEG or PNG. You can choose several files at once."),
        required=False,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].help_text = _("At most %(limit)s characters.") % {
            "limit": BODY_MAX_LENGTH
        }


# --- The panels of the dossier pages -------------------------------------------------------------


def _thread_context(user, application: Application, *, post_url: str, file_url: str) -> dict:
    """The thread as the page shows it, then marked read: the messages still unread are shown
    as new this once."""
    side = services.side_of(user, application)
    if side is None:
        return {"thread": None}
    thread = selectors.thread_list(application)
    new = [message for message in thread if message.side != side and message.read_at is None]
    services.thread_mark_read(application=application, reader=user)
    return {
        "thread": {
            "messages": thread,
            "side": side,
            "new_count": len(new),
            "form": MessageForm(auto_id="id_message_%s"),
            "may_write": thread_open(application.status),
            "post_url": reverse(post_url, kwargs={"reference": application.reference}),
            "file_url": file_url,
        }
    }


def portal_thread_panel(user, application: Application) -> dict:
    return _thread_context(
        user, application, post_url="portal:message_post", file_url="portal:message_attachment"
    )


def backoffice_thread_panel(user, application: Application) -> dict:
    return _thread_context(
        user,
        application,
        post_url="backoffice:message_post",
        file_url="backoffice:message_attachment",
    )


def portal_home_unread(user, applications) -> dict:
    """The person's dashboard: new messages of the prefecture, by dossier."""
    return {"thread_unread": selectors.unread_counts_for_person(applications)}


# --- Posting -------------------------------------------------------------------------------------


def _post(request: HttpRequest, reference: str, detail: str) -> HttpResponse:
    application = get_object_or_404(application_list_visible_to(request.user), reference=reference)
    back = redirect(reverse(detail, kwargs={"reference": application.reference}) + ANCHOR)
    if not posting_allowed(request.user):
        return render(request, "429.html", status=429)
    form = MessageForm(request.POST, request.FILES, auto_id="id_message_%s")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return back
    try:
        services.message_post(
            application=application,
            actor=request.user,
            body=form.cleaned_data["body"],
            attachments=form.cleaned_data["files"],
        )
    except DomainError as error:
        show_refusal(request, error)
    else:
        messages.success(request, _("Your message was sent."))
    return back


@requires(can_use_portal)
@require_POST
def portal_message_post(request: HttpRequest, reference: str) -> HttpResponse:
    return _post(request, reference, "portal:application_detail")


@requires(can_use_back_office)
@require_POST
def backoffice_message_post(request: HttpRequest, reference: str) -> HttpResponse:
    return _post(request, reference, "backoffice:application_detail")


# --- Files ---------------------------------------------------------------------------------------


def _attachment(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """Served like a dossier's document (applications/views/documents.py): to the person, their
    helper and the agents of the dossier's prefecture; anyone else, or a file of another
    dossier, a 404."""
    application = get_object_or_404(application_list_visible_to(request.user), reference=reference)
    if services.side_of(request.user, application) is None:
        raise Http404
    attachment = selectors.attachment_get(request.user, application, pk)
    if attachment is None:
        raise Http404
    if (hold := holds.hold_for(request.user)) is not None:  # issue 15
        return render(request, hold.template, {"held_until": hold.until}, status=403)
    consulted(viewer=request.user, application=application)
    return uploads.file_response(
        attachment.file,
        content_type=attachment.content_type,
        name=attachment.original_name,
        inline=request.GET.get("inline") is not None,
    )


@never_cache
@requires(can_use_portal)
@require_GET
def portal_message_attachment(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    return _attachment(request, reference, pk)


@never_cache
@requires(can_use_back_office)
@require_GET
def backoffice_message_attachment(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    return _attachment(request, reference, pk)
