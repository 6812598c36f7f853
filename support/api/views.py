"""REST endpoints on tickets: the person's (`/api/v1/tickets/...`, applicants and helpers) and
the contact centre's (`/api/v1/support/tickets/...`). Same two layers as the pages: the role is
checked by `HasAccess`, every ticket is looked up in a scoped selector (another person's ticket
is a 404), every write is one service call. Internal notes never appear in the person's
endpoints; the contact centre's detail logs the access to the person's record."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import HasAccess, can_use_portal, can_use_support_console
from anef.api_parsers import DepthLimitedJSONParser as JSONParser
from applications.api.serializers import ErrorSerializer
from applications.api.views import PAGE_NOT_FOUND
from applications.selectors import application_list_visible_to
from support import services
from support.api import serializers as s
from support.enums import PersonalDataScope
from support.selectors import (
    TicketFilters,
    ticket_list_for_console,
    ticket_list_for_requester,
    ticket_queue,
    ticket_thread_public,
    ticket_thread_staff,
)

PortalAccess = HasAccess.for_check(can_use_portal)
ConsoleAccess = HasAccess.for_check(can_use_support_console)
APPLICANT = "tickets"
CONSOLE = "contact-centre"
NUMBER = OpenApiParameter(
    "number", OpenApiTypes.STR, OpenApiParameter.PATH, description="Ticket number."
)


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    texts = {
        400: "Invalid input, or refused by the rules (see `code`).",
        401: "Not signed in.",
        403: "This account's role may not use this endpoint.",
        404: "Not found, or not visible to this account.",
        409: "Not possible in the ticket's current status.",
    }
    return {code: OpenApiResponse(ErrorSerializer, description=texts[code]) for code in codes}


def page_errors(*codes: int) -> dict[int, OpenApiResponse]:
    """The errors of a paginated list: `codes`, and the 404 that DRF's page-number pagination
    answers when `page` is not a number or is past the last page."""
    return {**errors(*codes), 404: OpenApiResponse(ErrorSerializer, description=PAGE_NOT_FOUND)}


def _input(serializer_class, request: Request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _get(queryset, number: str):
    # No ticket number holds a NUL character, which PostgreSQL refuses in a query (a 500 found
    # by fuzzing the API).
    ticket = (
        None
        if "\x00" in number
        else queryset.select_related("application", "acknowledgement", "assignee")
        .filter(number=number)
        .first()
    )
    if ticket is None:
        raise NotFound(_("No ticket with this number."))
    return ticket


class JsonView(GenericAPIView):
    parser_classes = [JSONParser]


# --- The person's tickets ----------------------------------------------------------------------


class TicketListView(JsonView):
    permission_classes = [PortalAccess]
    serializer_class = s.TicketCreateSerializer

    @extend_schema(
        tags=[APPLICANT],
        summary="My tickets",
        responses={200: s.TicketSummarySerializer(many=True), **page_errors(401, 403)},
    )
    def get(self, request: Request) -> Response:
        queryset = ticket_list_for_requester(request.user).order_by("-created_at")
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(s.TicketSummarySerializer(page, many=True).data)

    @extend_schema(
        tags=[APPLICANT],
        summary="Open a ticket",
        description="Optionally about one of your applications (its reference).",
        request=s.TicketCreateSerializer,
        responses={201: s.TicketDetailSerializer, **errors(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        data = _input(s.TicketCreateSerializer, request)
        application = None
        if data.get("application"):
            application = (
                application_list_visible_to(request.user)
                .filter(reference=data["application"])
                .first()
            )
            if application is None:
                raise NotFound(_("No application with this reference."))
        ticket, _token = services.ticket_open_from_portal(
            actor=request.user,
            category=data["category"],
            body=data["message"],
            application=application,
        )
        ticket = _get(ticket_list_for_requester(request.user), ticket.number)
        body = s.TicketDetailSerializer(
            s.with_thread(ticket, public=ticket_thread_public(ticket))
        ).data
        return Response(body, status=status.HTTP_201_CREATED)


class TicketDetailView(JsonView):
    permission_classes = [PortalAccess]

    @extend_schema(
        tags=[APPLICANT],
        summary="One of my tickets, with its messages (never an internal note)",
        parameters=[NUMBER],
        responses={200: s.TicketDetailSerializer, **errors(401, 403, 404)},
    )
    def get(self, request: Request, number: str) -> Response:
        ticket = _get(ticket_list_for_requester(request.user), number)
        return Response(
            s.TicketDetailSerializer(
                s.with_thread(ticket, public=ticket_thread_public(ticket))
            ).data
        )


class TicketMessagesView(JsonView):
    permission_classes = [PortalAccess]
    serializer_class = s.MessageCreateSerializer
    # The whole thread, as in the ticket's detail: not paginated (nor documented as such).
    pagination_class = None

    @extend_schema(
        tags=[APPLICANT],
        summary="Messages of one of my tickets (never an internal note)",
        parameters=[NUMBER],
        responses={200: s.MessageSerializer(many=True), **errors(401, 403, 404)},
    )
    def get(self, request: Request, number: str) -> Response:
        ticket = _get(ticket_list_for_requester(request.user), number)
        return Response(s.MessageSerializer(ticket_thread_public(ticket), many=True).data)

    @extend_schema(
        tags=[APPLICANT],
        summary="Answer in one of my tickets",
        parameters=[NUMBER],
        request=s.MessageCreateSerializer,
        responses={201: s.MessageSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request: Request, number: str) -> Response:
        ticket = _get(ticket_list_for_requester(request.user), number)
        data = _input(s.MessageCreateSerializer, request)
        message = services.ticket_reply_from_requester(
            ticket=ticket,
            actor=request.user,
            body=data["message"],
        )
        return Response(s.MessageSerializer(message).data, status=status.HTTP_201_CREATED)


# --- The contact centre ------------------------------------------------------------------------


class ConsoleTicketListView(JsonView):
    permission_classes = [ConsoleAccess]

    @extend_schema(
        tags=[CONSOLE],
        summary="Tickets to handle, most urgent first",
        parameters=[
            OpenApiParameter(
                "search", OpenApiTypes.STR, description="Number, name, e-mail, foreigner number."
            ),
            OpenApiParameter(
                "status", OpenApiTypes.STR, description="A status, or `all`; default: not resolved."
            ),
            OpenApiParameter("category", OpenApiTypes.STR),
        ],
        responses={200: s.ConsoleTicketSerializer(many=True), **page_errors(401, 403)},
    )
    def get(self, request: Request) -> Response:
        filters = TicketFilters(
            search=request.query_params.get("search", ""),
            status=request.query_params.get("status", ""),
            category=request.query_params.get("category", ""),
        )
        page = self.paginate_queryset(ticket_queue(request.user, filters))
        return self.get_paginated_response(s.ConsoleTicketSerializer(page, many=True).data)


def _console_detail(request: Request, number: str):
    ticket = _get(ticket_list_for_console(request.user).select_related("person"), number)
    if ticket.person is not None:
        services.personal_data_access_record(
            viewer=request.user,
            person=ticket.person,
            ticket=ticket,
            scope=PersonalDataScope.IDENTITY,
        )
    return ticket


class ConsoleTicketDetailView(JsonView):
    permission_classes = [ConsoleAccess]

    @extend_schema(
        tags=[CONSOLE],
        summary="One ticket with its whole thread, internal notes included",
        description="Logged as a consultation of the person's record when the ticket is about "
        "an account.",
        parameters=[NUMBER],
        responses={200: s.ConsoleTicketDetailSerializer, **errors(401, 403, 404)},
    )
    def get(self, request: Request, number: str) -> Response:
        ticket = _console_detail(request, number)
        return Response(
            s.ConsoleTicketDetailSerializer(
                s.with_thread(ticket, staff=ticket_thread_staff(ticket))
            ).data
        )


class ConsoleReplyView(JsonView):
    permission_classes = [ConsoleAccess]
    serializer_class = s.MessageCreateSerializer

    @extend_schema(
        tags=[CONSOLE],
        summary="Answer the person (they read it and are told by e-mail)",
        parameters=[NUMBER],
        request=s.MessageCreateSerializer,
        responses={201: s.StaffMessageSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request: Request, number: str) -> Response:
        ticket = _get(ticket_list_for_console(request.user), number)
        data = _input(s.MessageCreateSerializer, request)
        message = services.ticket_reply(ticket=ticket, actor=request.user, body=data["message"])
        return Response(s.StaffMessageSerializer(message).data, status=status.HTTP_201_CREATED)


class ConsoleNoteView(JsonView):
    permission_classes = [ConsoleAccess]
    serializer_class = s.MessageCreateSerializer

    @extend_schema(
        tags=[CONSOLE],
        summary="Add an internal note (never shown nor sent to the person)",
        parameters=[NUMBER],
        request=s.MessageCreateSerializer,
        responses={201: s.StaffMessageSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request: Request, number: str) -> Response:
        ticket = _get(ticket_list_for_console(request.user), number)
        data = _input(s.MessageCreateSerializer, request)
        message = services.ticket_note_add(ticket=ticket, actor=request.user, body=data["message"])
        return Response(s.StaffMessageSerializer(message).data, status=status.HTTP_201_CREATED)
