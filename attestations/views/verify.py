"""Third-party verification pages (/verify/…), no account needed, and the holder's share codes.

- `/verify/` : type a number; `/verify/<number>/` : the facts, in plain words (DESIGN.md §7,
  scenario 8: an employer scans the QR code, whose URL carries a signed code `?t=`, and reads
  "valid until …, may work: yes"). With `?t=` the page says whether the code is authentic and
  for this number; an altered code shows a warning and nothing else, never "valid".
- `/verify/keys.json` : the public keys, by key id, for offline verifiers.
- `/verify/share/` : a verifier types a share code and sees the same facts.
- `/verify/share/new/<number>/`, `/verify/share/mine/`, `/verify/share/<pk>/revoke/` : the
  holder creates codes for named verifiers, sees every consultation, revokes.

The facts come from `attestations.verification`, the share codes' rules from
`attestations.share_codes`; the pages only ask and show.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import can_use_portal, requires
from anef.errors import DomainError
from anef.page_errors import show_refusal
from attestations import (
    numbers,
    share_codes,
    signed_codes,
    signing,
    unclear,
    verification,
    verification_cache,
)
from attestations.models import VerifierKind
from attestations.selectors import attestation_get_public, attestation_list_visible_to
from attestations.throttling import SCOPE_PAGE, SCOPE_SHARE_CODE, rate_limited

VERIFY = "attestations/verify/"
SHARE = "attestations/share/"
# Public keys change only on rotation; verifiers may keep them an hour.
KEYS_MAX_AGE = 3600


def _no_index(response: HttpResponse) -> HttpResponse:
    """A verification page names a person: never cached, never indexed."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# --- Forms --------------------------------------------------------------------------------------


class NumberForm(forms.Form):
    number = forms.CharField(
        label=gettext_lazy("Attestation number"),
        help_text=gettext_lazy("As printed on the attestation, for example API-2027-7K3M9Q2X-R."),
        max_length=40,
    )

    def clean_number(self) -> str:
        number = numbers.normalise(self.cleaned_data["number"])
        if not numbers.is_well_formed(number):
            raise forms.ValidationError(
                _(
                    "Check the number: it contains a typing mistake. Compare each character "
                    "with the attestation."
                )
            )
        return number


class ShareCodeEntryForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Share code"),
        help_text=gettext_lazy("10 letters and digits, for example 7K3M9-Q2XRB."),
        max_length=24,
    )


class ShareCodeCreateForm(forms.Form):
    verifier_name = forms.CharField(
        label=gettext_lazy("Who is the code for?"),
        help_text=gettext_lazy("The name of the employer, agency, bank or body."),
        max_length=share_codes.VERIFIER_NAME_MAX,
    )
    verifier_kind = forms.ChoiceField(
        label=gettext_lazy("Kind of verifier"), choices=VerifierKind.choices
    )
    valid_days = forms.IntegerField(
        label=gettext_lazy("For how many days?"),
        help_text=gettext_lazy("From 1 to 30 days. After that, the code no longer works."),
        min_value=share_codes.MIN_DAYS,
        max_value=share_codes.MAX_DAYS,
        initial=share_codes.DEFAULT_DAYS,
    )


# --- Verification by number ---------------------------------------------------------------------


@never_cache
@require_GET
def verify_form(request: HttpRequest) -> HttpResponse:
    """Type a number (works without JavaScript: a GET form)."""
    form = NumberForm(request.GET if "number" in request.GET else None)
    if form.is_valid():
        return redirect("verify", number=form.cleaned_data["number"])
    status = 400 if form.is_bound else 200
    return _no_index(render(request, VERIFY + "form.html", {"form": form}, status=status))


@never_cache
@require_GET
@rate_limited(SCOPE_PAGE)
def verify(request: HttpRequest, number: str) -> HttpResponse:
    """The facts of one attestation; with `?t=`, whether its signed code is authentic."""
    normalised = numbers.normalise(number)
    if not numbers.is_well_formed(normalised):
        return _no_index(
            render(
                request,
                VERIFY + "malformed.html",
                {
                    "number": number,
                    "form": NumberForm(initial={"number": number}),
                    "unclear": unclear.unclear_answer(
                        unclear.INVALID_NUMBER, today=timezone.localdate(), number=number
                    ),
                },
                status=400,
            )
        )
    token = request.GET.get("t", "")
    if normalised != number:  # lower case, O for 0…: the canonical address
        url = reverse("verify", args=[normalised])
        return redirect(f"{url}?{urlencode({'t': token})}" if token else url)

    def render_page(extra_context: dict) -> HttpResponse:
        attestation = attestation_get_public(normalised)
        if attestation is None:
            return render(
                request,
                VERIFY + "not_found.html",
                {
                    "number": normalised,
                    "unclear": unclear.unclear_answer(
                        unclear.NOT_FOUND, today=timezone.localdate(), number=normalised
                    ),
                    **extra_context,
                },
                status=404,
            )
        check = signed_codes.token_check(token, normalised) if token else None
        context = {"number": normalised, "check": check, "facts": None, "show_birth_date": False}
        if check is None or check.is_authentic:
            context["facts"] = verification.verification_facts_for(attestation)
            context["show_birth_date"] = check is not None  # the verifier holds the code already
        else:  # never a bare "altered": what it means, what to do, the day
            context["unclear"] = unclear.unclear_answer(
                unclear.OTHER_ATTESTATION
                if check.is_for_another_attestation
                else unclear.INVALID_TOKEN,
                today=timezone.localdate(),
                number=normalised,
            )
        return render(request, VERIFY + "result.html", {**context, **extra_context})

    # The same page for every anonymous visitor: kept in the cache until the attestation changes.
    return _no_index(verification_cache.page_cached(request, normalised, render_page))


@require_GET
def verify_keys(request: HttpRequest) -> JsonResponse:
    """The public keys that sign QR codes, by key id (current and retired), for offline
    verification (`manage.py verify_qr --keys-file`)."""
    response = JsonResponse(
        {
            "algorithm": "Ed25519",
            "token_prefix": signing.TOKEN_PREFIX,
            "current_key_id": settings.ATTESTATION_SIGNING_KEY_ID,
            "keys": signing.public_keys(),
        }
    )
    patch_cache_control(response, public=True, max_age=KEYS_MAX_AGE)
    response["Access-Control-Allow-Origin"] = "*"  # public data, fetched by verifiers' tools
    return response


# --- Share codes: the verifier ------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@rate_limited(SCOPE_SHARE_CODE, methods=("POST",))
def share_enter(request: HttpRequest) -> HttpResponse:
    """A verifier types the code the holder gave them (POST: the code stays out of URLs and
    logs) and sees the same facts as the verification page."""
    form = ShareCodeEntryForm(request.POST or None)
    unclear_answer = None
    if request.method == "POST" and form.is_valid():
        try:
            share_code = share_codes.share_code_consult(
                code=form.cleaned_data["code"],
                user_agent=request.headers.get("user-agent", ""),
            )
        except DomainError as error:
            show_refusal(request, error, form=form, field="code")
            unclear_answer = unclear.unclear_answer(
                unclear.SHARE_CODE_REFUSED, today=timezone.localdate()
            )
        else:
            facts = verification.verification_facts_for(share_code.attestation)
            return _no_index(
                render(
                    request,
                    SHARE + "result.html",
                    {"facts": facts, "share_code": share_code, "show_birth_date": True},
                )
            )
    status = 400 if form.is_bound else 200
    context = {"form": form, "unclear": unclear_answer}
    return _no_index(render(request, SHARE + "enter.html", context, status=status))


# --- Share codes: the holder --------------------------------------------------------------------


@never_cache
@requires(can_use_portal)
@require_http_methods(["GET", "POST"])
def share_new(request: HttpRequest, number: str) -> HttpResponse:
    """Create a code for one verifier. Only one's own attestations are found: sharing stays the
    holder's own act, even for a helper under a mandate."""
    attestation = get_object_or_404(
        attestation_list_visible_to(request.user).filter(holder=request.user),
        number=numbers.normalise(number),
    )
    form = ShareCodeCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            share_code = share_codes.share_code_create(
                attestation=attestation, actor=request.user, **form.cleaned_data
            )
        except DomainError as error:
            show_refusal(request, error, form=form)
        else:
            messages.success(
                request,
                _(
                    "Code %(code)s created for %(name)s. Give it to them with the address "
                    "%(url)s: it works until %(date)s."
                )
                % {
                    "code": share_codes.format_code(share_code.code),
                    "name": share_code.verifier_name,
                    "url": request.build_absolute_uri(reverse("verify_share_enter")),
                    "date": date_format(
                        timezone.localtime(share_code.expires_at), "DATETIME_FORMAT"
                    ),
                },
            )
            return redirect(f"{reverse('verify_share_mine')}#code-{share_code.pk}")
    facts = verification.verification_facts_for(attestation)
    status = 400 if form.is_bound else 200
    return render(
        request,
        SHARE + "new.html",
        {"form": form, "attestation": attestation, "facts": facts},
        status=status,
    )


@never_cache
@requires(can_use_portal)
@require_GET
def share_mine(request: HttpRequest) -> HttpResponse:
    """Every code the holder created, with its consultations and a revoke button."""
    now = timezone.now()
    rows = [
        {
            "share_code": share_code,
            "display_code": share_codes.format_code(share_code.code),
            "state": share_codes.share_code_state(share_code, now),
            "consultations": list(share_code.consultations.all()),
        }
        for share_code in share_codes.share_code_list_for_holder(request.user)
    ]
    return render(
        request,
        SHARE + "mine.html",
        {"rows": rows, "enter_url": request.build_absolute_uri(reverse("verify_share_enter"))},
    )


@requires(can_use_portal)
@require_POST
def share_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    share_code = share_codes.share_code_list_for_holder(request.user).filter(pk=pk).first()
    if share_code is None:
        raise Http404
    try:
        share_codes.share_code_revoke(share_code=share_code, actor=request.user)
    except DomainError as error:
        show_refusal(request, error)
    else:
        messages.success(
            request,
            _("The code for %(name)s no longer works.") % {"name": share_code.verifier_name},
        )
    return redirect("verify_share_mine")
