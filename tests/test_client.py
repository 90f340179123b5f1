"""The OpenRouter client against a fake far end (``httpx2.MockTransport``); everything above it is real."""

import json
import logging
from collections.abc import AsyncIterator, Callable
from decimal import Decimal

import anyio
import httpx2
import pytest
from pydantic import SecretStr

from mcp_server_openrouter.openrouter import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    InternalServerError,
    InvalidRequestError,
    InvalidResponseError,
    MissingAPIKeyError,
    ModelsQuery,
    NotFoundError,
    OpenRouterClient,
    OpenRouterError,
    PermissionDeniedError,
    RateLimitError,
    RetryPolicy,
)

from .fake_upstream import FakeOpenRouter

pytestmark = pytest.mark.anyio

BASE_URL = "http://fake.test/api/v1"
KEY = "sk-or-v1-DISTINCTIVE-5f3a9c1e7b2d4f6a8e0c"
USER_AGENT = "mcp-server-openrouter-tests/9.8.7"

Handler = Callable[[httpx2.Request], httpx2.Response]


class Upstream:
    """A handler for ``httpx2.MockTransport`` that records every request it is sent."""

    def __init__(self, respond: Handler) -> None:
        self.respond = respond
        self.requests: list[httpx2.Request] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        return self.respond(request)

    @property
    def only_request(self) -> httpx2.Request:
        assert len(self.requests) == 1
        return self.requests[0]


def _answer(
    status: int = 200,
    *,
    json: object = None,
    text: str | None = None,
    content: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Handler:
    """A handler that always gives the same answer."""

    def respond(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(status, json=json, text=text, content=content, headers=headers)

    return respond


def _raise(error: Exception) -> Handler:
    def respond(request: httpx2.Request) -> httpx2.Response:
        raise error

    return respond


EMPTY_LIST = _answer(json={"data": [], "total_count": 0, "links": {"next": None}})


def _client(upstream: Upstream, *, api_key: str | None = KEY) -> OpenRouterClient:
    # One attempt per call: these tests pin down how each answer maps to an error. Retries are
    # tested on their own (test_retries.py).
    return OpenRouterClient.create(
        base_url=BASE_URL,
        api_key=None if api_key is None else SecretStr(api_key),
        user_agent=USER_AGENT,
        transport=httpx2.MockTransport(upstream),
        retry=RetryPolicy(retries=0),
    )


# -- query strings ----------------------------------------------------------------------------


async def test_list_models_sends_every_filter_as_one_query_parameter() -> None:
    upstream = Upstream(EMPTY_LIST)
    query = ModelsQuery(
        category="programming",
        supported_parameters=("tools", "response_format"),
        output_modalities=("text", "image"),
        input_modalities=("image", "file"),
        sort="price",
        q="claude sonnet",
        context=128000,
        max_price=Decimal("0.5"),
        model_authors=("anthropic", "~openai"),
    )
    async with _client(upstream) as client:
        with anyio.fail_after(60):
            await client.list_models(query)

    request = upstream.only_request
    assert request.method == "GET"
    assert request.url.scheme == "http"
    assert request.url.host == "fake.test"
    assert request.url.path == "/api/v1/models"
    assert sorted(request.url.params.multi_items()) == [
        ("category", "programming"),
        ("context", "128000"),
        ("input_modalities", "image,file"),
        ("max_price", "0.5"),
        ("model_authors", "anthropic,~openai"),
        ("output_modalities", "text,image"),
        ("q", "claude sonnet"),
        ("sort", "price"),
        ("supported_parameters", "tools,response_format"),
    ]


async def test_list_models_with_an_empty_query_sends_no_query_parameters() -> None:
    upstream = Upstream(EMPTY_LIST)
    async with _client(upstream) as client:
        with anyio.fail_after(60):
            await client.list_models(ModelsQuery())
            await client.list_models()

    assert len(upstream.requests) == 2
    for request in upstream.requests:
        assert request.url.path == "/api/v1/models"
        assert request.url.query == b""


async def test_list_models_sends_a_single_value_list_without_a_trailing_comma() -> None:
    upstream = Upstream(EMPTY_LIST)
    async with _client(upstream) as client:
        with anyio.fail_after(60):
            await client.list_models(ModelsQuery(supported_parameters=("tools",), context=0))

    assert upstream.only_request.url.params.multi_items() == [("supported_parameters", "tools"), ("context", "0")]


@pytest.mark.parametrize(
    ("max_price", "sent"),
    [
        (Decimal("0.5"), "0.5"),
        (Decimal("10"), "10"),
        (Decimal("1E+1"), "10"),
        (Decimal("10.00"), "10"),
        (Decimal("0.50"), "0.5"),
        (Decimal("0"), "0"),
        (Decimal("1E-7"), "0.0000001"),
        (Decimal("0.0000001"), "0.0000001"),
        (Decimal("2.5E+3"), "2500"),
        (Decimal("123.456"), "123.456"),
    ],
)
async def test_list_models_sends_max_price_in_plain_decimal_notation(max_price: Decimal, sent: str) -> None:
    upstream = Upstream(EMPTY_LIST)
    async with _client(upstream) as client:
        with anyio.fail_after(60):
            await client.list_models(ModelsQuery(max_price=max_price))

    assert upstream.only_request.url.params.multi_items() == [("max_price", sent)]


async def test_base_url_with_a_trailing_slash_still_reaches_api_v1_models() -> None:
    upstream = Upstream(EMPTY_LIST)
    client = OpenRouterClient.create(
        base_url=BASE_URL + "/", transport=httpx2.MockTransport(upstream), retry=RetryPolicy(retries=0)
    )
    async with client:
        with anyio.fail_after(60):
            await client.list_models()

    assert upstream.only_request.url.path == "/api/v1/models"


# -- headers ----------------------------------------------------------------------------------


async def test_public_endpoints_send_the_user_agent_and_never_the_api_key() -> None:
    upstream = Upstream(
        lambda request: (
            httpx2.Response(200, json={"data": {"count": 3}})
            if request.url.path.endswith("/count")
            else httpx2.Response(200, json={"data": []})
        )
    )
    async with _client(upstream, api_key=KEY) as client:
        with anyio.fail_after(60):
            await client.list_models(ModelsQuery(q="x"))
            await client.count_models(("text",))

    assert [r.url.path for r in upstream.requests] == ["/api/v1/models", "/api/v1/models/count"]
    for request in upstream.requests:
        assert request.headers["user-agent"] == USER_AGENT
        assert "authorization" not in request.headers
        assert KEY not in str(request.url)
        assert all(KEY not in value for value in request.headers.values())


async def test_user_models_sends_bearer_key_only_to_the_user_endpoint() -> None:
    upstream = Upstream(EMPTY_LIST)
    async with _client(upstream, api_key=KEY) as client:
        with anyio.fail_after(60):
            result = await client.list_user_models()

    request = upstream.only_request
    assert request.url.path == "/api/v1/models/user"
    assert request.url.query == b""
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.headers.get_list("authorization") == [f"Bearer {KEY}"]
    assert request.headers["user-agent"] == USER_AGENT
    assert result.models == []


async def test_user_models_against_the_fake_upstream_returns_every_model() -> None:
    fake = FakeOpenRouter(api_key=KEY)
    client = OpenRouterClient.create(base_url=BASE_URL, api_key=SecretStr(KEY), transport=fake.transport())
    async with client:
        with anyio.fail_after(60):
            result = await client.list_user_models()

    assert fake.paths == ["/api/v1/models/user"]
    assert len(result.models) == 549
    assert result.skipped == 0


async def test_user_models_with_a_key_the_upstream_does_not_know_raises_authentication_error() -> None:
    fake = FakeOpenRouter(api_key="sk-or-v1-some-other-key")
    client = OpenRouterClient.create(base_url=BASE_URL, api_key=SecretStr(KEY), transport=fake.transport())
    async with client:
        with anyio.fail_after(60), pytest.raises(AuthenticationError) as exc_info:
            await client.list_user_models()

    assert exc_info.value.status_code == 401
    assert exc_info.value.upstream_message == "User not found."
    assert KEY not in str(exc_info.value)


@pytest.mark.parametrize("api_key", [None, ""])
async def test_user_models_without_a_key_raises_missing_api_key_and_sends_nothing(api_key: str | None) -> None:
    upstream = Upstream(EMPTY_LIST)
    async with _client(upstream, api_key=api_key) as client:
        assert not client.has_api_key
        with anyio.fail_after(60), pytest.raises(MissingAPIKeyError, match="/models/user needs an API key"):
            await client.list_user_models()

    assert upstream.requests == []


async def test_public_endpoints_work_without_a_key() -> None:
    upstream = Upstream(EMPTY_LIST)
    async with _client(upstream, api_key=None) as client:
        with anyio.fail_after(60):
            result = await client.list_models()

    assert result.models == []
    assert "authorization" not in upstream.only_request.headers


# -- /models/count ----------------------------------------------------------------------------


async def test_count_models_sends_output_modalities_and_parses_the_count() -> None:
    upstream = Upstream(_answer(content=b'{"data":{"count":419}}', headers={"content-type": "application/json"}))
    async with _client(upstream) as client:
        with anyio.fail_after(60):
            count = await client.count_models(("text",))

    request = upstream.only_request
    assert request.url.path == "/api/v1/models/count"
    assert request.url.params.multi_items() == [("output_modalities", "text")]
    assert count == 419


async def test_count_models_joins_several_output_modalities_with_commas() -> None:
    upstream = Upstream(_answer(json={"data": {"count": 12}}))
    async with _client(upstream) as client:
        with anyio.fail_after(60):
            count = await client.count_models(("image", "audio"))

    assert upstream.only_request.url.params.multi_items() == [("output_modalities", "image,audio")]
    assert count == 12


async def test_count_models_without_modalities_sends_no_query_parameters() -> None:
    upstream = Upstream(_answer(json={"data": {"count": 0}}))
    async with _client(upstream) as client:
        with anyio.fail_after(60):
            count = await client.count_models()

    assert upstream.only_request.url.path == "/api/v1/models/count"
    assert upstream.only_request.url.query == b""
    assert count == 0


async def test_count_models_against_the_fake_upstream_matches_the_snapshot_totals() -> None:
    fake = FakeOpenRouter()
    async with OpenRouterClient.create(base_url=BASE_URL, transport=fake.transport()) as client:
        with anyio.fail_after(60):
            text = await client.count_models(("text",))
            everything = await client.count_models(("all",))

    assert (text, everything) == (414, 549)


@pytest.mark.parametrize(
    "body",
    [
        {"data": {"count": -1}},
        {"data": {"count": True}},
        {"data": {"count": "419"}},
        {"data": {"count": 419.0}},
        {"data": {"count": None}},
        {"data": {}},
        {"data": 419},
        {"data": [{"count": 419}]},
        {"count": 419},
        {},
        [],
        419,
        None,
    ],
    ids=repr,
)
async def test_count_models_with_a_malformed_body_raises_invalid_response(body: object) -> None:
    upstream = Upstream(_answer(content=json.dumps(body).encode(), headers={"content-type": "application/json"}))
    async with _client(upstream) as client:
        with anyio.fail_after(60), pytest.raises(InvalidResponseError, match=r"/models/count") as exc_info:
            await client.count_models(("text",))

    assert isinstance(exc_info.value.__cause__, ValueError)


# -- HTTP status → error type -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error_type"),
    [
        (400, BadRequestError),
        (422, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (429, RateLimitError),
        (500, InternalServerError),
        (502, InternalServerError),
        (503, InternalServerError),
        (504, InternalServerError),
        (418, APIStatusError),
    ],
)
async def test_error_status_raises_the_matching_error_type(status: int, error_type: type[APIStatusError]) -> None:
    upstream = Upstream(_answer(status, json={"error": {"code": status, "message": f"upstream says {status}"}}))
    async with _client(upstream) as client:
        with anyio.fail_after(60), pytest.raises(APIStatusError) as exc_info:
            await client.list_models()

    exc = exc_info.value
    assert type(exc) is error_type
    assert isinstance(exc, OpenRouterError)
    assert exc.status_code == status
    assert exc.upstream_message == f"upstream says {status}"
    assert str(exc) == f"OpenRouter answered HTTP {status}: upstream says {status}"
    assert exc.retry_after is None


@pytest.mark.parametrize(
    ("status", "error_type"),
    [(401, AuthenticationError), (403, PermissionDeniedError), (429, RateLimitError), (500, InternalServerError)],
)
async def test_error_status_on_each_endpoint_raises_the_same_error_type(
    status: int, error_type: type[APIStatusError]
) -> None:
    upstream = Upstream(_answer(status, json={"error": {"code": status, "message": "no"}}))
    async with _client(upstream) as client:
        with anyio.fail_after(60):
            with pytest.raises(error_type):
                await client.list_models()
            with pytest.raises(error_type):
                await client.count_models()
            with pytest.raises(error_type):
                await client.list_user_models()

    assert len(upstream.requests) == 3


async def test_authentication_error_carries_the_upstream_json_message() -> None:
    body = b'{"error":{"code":401,"message":"User not found."}}'
    upstream = Upstream(_answer(401, content=body, headers={"content-type": "application/json"}))
    async with _client(upstream) as client:
        with anyio.fail_after(60), pytest.raises(AuthenticationError) as exc_info:
            await client.list_user_models()

    assert exc_info.value.status_code == 401
    assert exc_info.value.upstream_message == "User not found."
    assert str(exc_info.value) == "OpenRouter answered HTTP 401: User not found."


async def test_error_given_as_a_plain_string_is_carried_as_the_message() -> None:
    upstream = Upstream(_answer(400, json={"error": "Invalid output_modalities value"}))
    async with _client(upstream) as client:
        with anyio.fail_after(60), pytest.raises(BadRequestError) as exc_info:
            await client.list_models(ModelsQuery(output_modalities=("smell",)))

    assert exc_info.value.upstream_message == "Invalid output_modalities value"


async def test_rate_limit_error_parses_retry_after_seconds() -> None:
    upstream = Upstream(
        _answer(429, json={"error": {"code": 429, "message": "Rate limit exceeded"}}, headers={"Retry-After": "7"})
    )
    async with _client(upstream) as client:
        with anyio.fail_after(60), pytest.raises(RateLimitError) as exc_info:
            await client.list_models()

    assert exc_info.value.status_code == 429
    assert exc_info.value.retry_after == 7.0
    assert exc_info.value.upstream_message == "Rate limit exceeded"


async def test_rate_limit_error_without_retry_after_has_no_hint() -> None:
    upstream = Upstream(_answer(429, json={"error": {"code": 429, "message": "Rate limit exceeded"}}))
    async with _client(upstream) as client:
        with anyio.fail_after(60), pytest.raises(RateLimitError) as exc_info:
            await client.list_models()

    assert exc_info.value.retry_after is None


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("1.5", 1.5),
        ("0", 0.0),
        ("-3", 0.0),
        ("Wed, 21 Oct 2026 07:28:00 GMT", None),
        ("soon", None),
        ("nan", None),
        ("inf", None),
        ("-inf", None),
    ],
)
async def test_rate_limit_retry_after_keeps_only_a_usable_number_of_seconds(
    header: str, expected: float | None
) -> None:
    upstream = Upstream(_answer(429, text="slow down", headers={"Retry-After": header}))
    async with _client(upstream) as client:
        with anyio.fail_after(60), pytest.raises(RateLimitError) as exc_info:
            await client.list_models()

    assert exc_info.value.retry_after == expected


async def test_long_plain_text_error_body_is_capped_to_500_characters() -> None:
    body = "Service temporarily unavailable. " + "x" * 5000
    upstream = Upstream(_answer(503, text=body))
    async with _client(upstream) as client:
        with anyio.fail_after(60), pytest.raises(InternalServerError) as exc_info:
            await client.list_models()

    message = exc_info.value.upstream_message
    assert len(message) == 500
    assert message.startswith("Service temporarily unavailable. xxx")
    assert message.endswith("…")
    assert len(str(exc_info.value)) == len("OpenRouter answered HTTP 503: ") + 500


async def test_short_plain_text_error_body_is_carried_whole() -> None:
    upstream = Upstream(_answer(502, text="Bad gateway\n  upstream  closed"))
    async with _client(upstream) as client:
        with anyio.fail_after(60), pytest.raises(InternalServerError) as exc_info:
            await client.list_models()

    assert exc_info.value.upstream_message == "Bad gateway upstream closed"


async def test_html_error_page_is_not_included_in_the_error_message() -> None:
    page = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>cloudflare-ray-id 8c1f</body></html>"
    upstream = Upstream(_answer(502, text=page, headers={"content-type": "text/html; charset=UTF-8"}))
    async with _client(upstream) as client:
        with anyio.fail_after(60), pytest.raises(InternalServerError) as exc_info:
            await client.list_models()

    exc = exc_info.value
    for text in (str(exc), exc.upstream_message):
        assert "<" not in text
        assert "cloudflare-ray-id" not in text
        assert "Bad Gateway" not in text
    assert exc.status_code == 502
    assert "HTML" in exc.upstream_message


# -- network faults ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "error_type"),
    [
        (httpx2.ConnectError("[Errno 111] Connection refused"), APIConnectionError),
        (httpx2.RemoteProtocolError("Server disconnected without sending a response."), APIConnectionError),
        (httpx2.ReadError("Connection reset by peer"), APIConnectionError),
        (httpx2.ReadTimeout("The read operation timed out"), APITimeoutError),
        (httpx2.ConnectTimeout("timed out"), APITimeoutError),
        (httpx2.PoolTimeout("pool exhausted"), APITimeoutError),
    ],
    ids=["connect-error", "remote-protocol-error", "read-error", "read-timeout", "connect-timeout", "pool-timeout"],
)
async def test_network_fault_raises_a_connection_error_chained_from_the_transport_error(
    fault: httpx2.TransportError, error_type: type[APIConnectionError]
) -> None:
    upstream = Upstream(_raise(fault))
    async with _client(upstream) as client:
        with anyio.fail_after(60), pytest.raises(OpenRouterError) as exc_info:
            await client.list_models()

    exc = exc_info.value
    assert type(exc) is error_type
    assert isinstance(exc, APIConnectionError)
    assert exc.__cause__ is fault
    assert "/models" in str(exc)
    assert type(fault).__name__ in str(exc)


async def test_read_timeout_is_also_a_connection_error() -> None:
    fault = httpx2.ReadTimeout("The read operation timed out")
    upstream = Upstream(_raise(fault))
    async with _client(upstream) as client:
        with anyio.fail_after(60), pytest.raises(APIConnectionError) as exc_info:
            await client.count_models(("text",))

    assert isinstance(exc_info.value, APITimeoutError)
    assert exc_info.value.__cause__ is fault


async def test_connect_error_on_the_user_endpoint_raises_api_connection_error() -> None:
    fault = httpx2.ConnectError("Name or service not known")
    upstream = Upstream(_raise(fault))
    async with _client(upstream) as client:
        with anyio.fail_after(60), pytest.raises(APIConnectionError) as exc_info:
            await client.list_user_models()

    assert not isinstance(exc_info.value, APITimeoutError)
    assert exc_info.value.__cause__ is fault


class _NotGzip(httpx2.AsyncByteStream):
    """A body that claims ``Content-Encoding: gzip`` but is not; decoding fails while the client reads it."""

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b'{"data": []}'


async def test_body_that_cannot_be_decompressed_raises_invalid_response() -> None:
    upstream = Upstream(
        lambda request: httpx2.Response(
            200, headers={"content-type": "application/json", "content-encoding": "gzip"}, stream=_NotGzip()
        )
    )
    async with _client(upstream) as client:
        with anyio.fail_after(60), pytest.raises(OpenRouterError) as exc_info:
            await client.list_models()

    assert type(exc_info.value) is InvalidResponseError
    assert isinstance(exc_info.value.__cause__, httpx2.DecodingError)


# -- bad payloads on 200 ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "cause_type"),
    [
        (b"not json at all", json.JSONDecodeError),
        (b"", json.JSONDecodeError),
        (b'{"data": [{"id": "openai/gpt-4o", "pricing": {"prompt": "0.0000', json.JSONDecodeError),
        (b"<html><body>maintenance</body></html>", json.JSONDecodeError),
        (b'[{"id": "openai/gpt-4o"}]', ValueError),
        (b'{"models": [{"id": "openai/gpt-4o"}]}', ValueError),
        (b'{"data": null}', ValueError),
        (b'{"data": {"id": "openai/gpt-4o"}}', ValueError),
        (b"null", ValueError),
        (b'"data"', ValueError),
    ],
    ids=[
        "invalid-json",
        "empty-body",
        "truncated-json",
        "html-with-200",
        "json-list",
        "object-without-data",
        "data-null",
        "data-object",
        "json-null",
        "json-string",
    ],
)
async def test_list_models_with_a_bad_payload_raises_invalid_response_chained_from_the_cause(
    body: bytes, cause_type: type[Exception]
) -> None:
    upstream = Upstream(_answer(content=body, headers={"content-type": "application/json"}))
    async with _client(upstream) as client:
        with anyio.fail_after(60), pytest.raises(OpenRouterError) as exc_info:
            await client.list_models()

    exc = exc_info.value
    assert type(exc) is InvalidResponseError
    assert isinstance(exc.__cause__, cause_type)
    assert "/models" in str(exc)


async def test_user_models_with_a_bad_payload_raises_invalid_response() -> None:
    upstream = Upstream(_answer(content=b'{"data": [', headers={"content-type": "application/json"}))
    async with _client(upstream) as client:
        with anyio.fail_after(60), pytest.raises(InvalidResponseError, match=r"/models/user") as exc_info:
            await client.list_user_models()

    assert isinstance(exc_info.value.__cause__, json.JSONDecodeError)


async def test_body_that_is_not_utf8_raises_invalid_response() -> None:
    upstream = Upstream(
        _answer(content=b'{"data": [{"id": "caf\xe9/latin-1"}]}', headers={"content-type": "application/json"})
    )
    async with _client(upstream) as client:
        with anyio.fail_after(60), pytest.raises(InvalidResponseError) as exc_info:
            await client.list_models()

    assert isinstance(exc_info.value.__cause__, UnicodeDecodeError)
    assert str(exc_info.value) == "OpenRouter's /models answer is not UTF-8 text"


@pytest.mark.parametrize("status", [201, 204, 301, 302])
async def test_success_or_redirect_status_other_than_200_raises_invalid_response(status: int) -> None:
    upstream = Upstream(
        _answer(status, content=b'{"data": []}', headers={"location": "http://elsewhere.test/api/v1/models"})
    )
    async with _client(upstream) as client:
        with anyio.fail_after(60), pytest.raises(InvalidResponseError, match=f"unexpected HTTP {status}"):
            await client.list_models()

    assert len(upstream.requests) == 1


async def test_list_models_returns_the_good_records_and_logs_the_skipped_ones(caplog: pytest.LogCaptureFixture) -> None:
    body = {
        "data": [
            {"id": "openai/gpt-4o", "pricing": {"prompt": "0.0000025", "completion": "0.00001"}},
            {"name": "no id"},
            {"id": "anthropic/claude-sonnet-4", "pricing": {"prompt": "0.000003", "completion": "0.000015"}},
        ],
        "total_count": 3,
    }
    upstream = Upstream(_answer(json=body))
    caplog.set_level(logging.WARNING, logger="mcp_server_openrouter.openrouter")
    async with _client(upstream) as client:
        with anyio.fail_after(60):
            result = await client.list_models()

    assert [m.id for m in result.models] == ["openai/gpt-4o", "anthropic/claude-sonnet-4"]
    assert result.skipped == 1
    assert "OpenRouter /models: skipped 1 malformed record(s)" in [
        r.getMessage() for r in caplog.records if r.name == "mcp_server_openrouter.openrouter.client"
    ]


# -- the key stays secret ---------------------------------------------------------------------


async def test_api_key_never_appears_in_the_client_repr() -> None:
    async with _client(Upstream(EMPTY_LIST), api_key=KEY) as client:
        text = repr(client)
        assert KEY not in text
        assert "sk-or" not in text
        assert text == "OpenRouterClient(base_url='http://fake.test/api/v1/', api_key=set)"
    async with _client(Upstream(EMPTY_LIST), api_key=None) as client:
        assert repr(client) == "OpenRouterClient(base_url='http://fake.test/api/v1/', api_key=unset)"


FAILURES: list[tuple[str, Handler]] = [
    ("401-json", _answer(401, json={"error": {"code": 401, "message": "User not found."}})),
    ("403-json", _answer(403, json={"error": {"code": 403, "message": "Key disabled"}})),
    ("429", _answer(429, json={"error": {"message": "slow"}}, headers={"Retry-After": "3"})),
    ("500-text", _answer(500, text="internal error " * 100)),
    ("502-html", _answer(502, text="<html>gateway</html>", headers={"content-type": "text/html"})),
    ("connect-error", _raise(httpx2.ConnectError("Connection refused"))),
    ("read-timeout", _raise(httpx2.ReadTimeout("timed out"))),
    ("invalid-json", _answer(content=b"{oops")),
    ("json-list", _answer(json=[1, 2, 3])),
    ("no-data", _answer(json={"error": None})),
]


@pytest.mark.parametrize("handler", [h for _, h in FAILURES], ids=[name for name, _ in FAILURES])
async def test_api_key_never_appears_in_a_raised_error(handler: Handler) -> None:
    upstream = Upstream(handler)
    async with _client(upstream, api_key=KEY) as client:
        with anyio.fail_after(60), pytest.raises(OpenRouterError) as exc_info:
            await client.list_user_models()

    assert upstream.only_request.headers["authorization"] == f"Bearer {KEY}"
    exc = exc_info.value
    for text in (str(exc), repr(exc), str(exc.args)):
        assert KEY not in text
        assert "DISTINCTIVE" not in text


@pytest.mark.parametrize("status", [400, 401, 403, 429, 500])
async def test_api_key_echoed_back_by_the_upstream_is_redacted_from_the_error(status: int) -> None:
    def echo(request: httpx2.Request) -> httpx2.Response:
        sent = request.headers["authorization"].removeprefix("Bearer ")
        return httpx2.Response(status, json={"error": {"code": status, "message": f"Incorrect API key: {sent}."}})

    upstream = Upstream(echo)
    async with _client(upstream, api_key=KEY) as client:
        with anyio.fail_after(60), pytest.raises(APIStatusError) as exc_info:
            await client.list_user_models()

    exc = exc_info.value
    assert exc.upstream_message == "Incorrect API key: [redacted]."
    assert KEY not in str(exc)
    assert KEY not in repr(exc)


async def test_api_key_echoed_in_a_plain_text_error_is_redacted() -> None:
    upstream = Upstream(_answer(401, text=f"key {KEY} is revoked; key {KEY} again"))
    async with _client(upstream, api_key=KEY) as client:
        with anyio.fail_after(60), pytest.raises(AuthenticationError) as exc_info:
            await client.list_user_models()

    assert exc_info.value.upstream_message == "key [redacted] is revoked; key [redacted] again"


@pytest.mark.parametrize("model_id", ["gpt-4o", "openai/", "/gpt-4o"])
async def test_a_model_id_without_author_and_slug_is_the_clients_own_error_and_nothing_is_sent(
    model_id: str,
) -> None:
    upstream = Upstream(_answer(json={"data": {"endpoints": []}}))
    async with _client(upstream) as client:
        with anyio.fail_after(60), pytest.raises(InvalidRequestError, match="author/slug") as caught:
            await client.list_endpoints(model_id)

    assert isinstance(caught.value, OpenRouterError)
    assert upstream.requests == []
