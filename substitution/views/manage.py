"""Without an account, without the private link (issue 21): find one's booking with the case's
reference and a code sent to its e-mail address or phone (`substitution.manage_by_code`).
`/substitution/manage/` asks for both and always answers the same; `/substitution/manage/code/`
takes the code and opens the case's page. The pair typed is kept in the session between the
two pages, never in the address."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from anef.errors import DomainError
from anef.page_errors import show_refusal
from substitution.manage_by_code import manage_code_send, manage_code_verify
from substitution.views.forms import EmailCodeForm

SESSION_KEY = "substitution_manage"


class ManageForm(forms.Form):
    reference = forms.CharField(
        label=gettext_lazy("Case reference"),
        max_length=16,
        help_text=gettext_lazy("It starts with S, for example S1A2B3C4D5E."),
    )
    contact = forms.CharField(
        label=gettext_lazy("E-mail address or mobile phone number of the case"),
        max_length=254,
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def manage(request: HttpRequest) -> HttpResponse:
    form = ManageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        manage_code_send(reference=data["reference"], contact=data["contact"])
        request.session[SESSION_KEY] = {"reference": data["reference"], "contact": data["contact"]}
        messages.info(
            request,
            _(
                "If this reference and this address or number belong to a case, we sent a code "
                "there. It is valid for 15 minutes."
            ),
        )
        return redirect("substitution_public:manage_code")
    return render(request, "substitution/portal/manage.html", {"form": form, "step": "ask"})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def manage_code(request: HttpRequest) -> HttpResponse:
    pair = request.session.get(SESSION_KEY)
    if not pair:
        return redirect("substitution_public:manage")
    form = EmailCodeForm(request.POST or None)
    form.fields["code"].label = _("Code received")
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                case = manage_code_verify(code=form.cleaned_data["code"], **pair)
            except DomainError as error:
                show_refusal(request, error, form=form, field="code")
            else:
                request.session.pop(SESSION_KEY, None)
                return redirect("substitution_public:case", token=case.access_token)
        status = 400
    return render(
        request, "substitution/portal/manage.html", {"form": form, "step": "code"}, status=status
    )
