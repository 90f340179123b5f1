"""What the fake OpenRouter (:mod:`.fake_upstream`) answers for media prices and zero-data-retention
endpoints: ``GET /videos/models``, ``/images/models``, ``/images/models/{author}/{slug}/endpoints``
and ``/endpoints/zdr``.

Each body is shaped by the OpenAPI spec of 2026-08-22: its own example for each operation (copied
into ``tests/data/media-openapi-examples-2026-08-22.json``, see SOURCES.md there) comes first, as
the spec gives it, then records of the same shape for real models of the main catalog snapshot,
then drift: null, missing and wrong-typed fields, junk, unknown keys. **The prices are made up**
(no real capture of these endpoints exists here); only their shapes and the model IDs are real.
Every body is a fresh copy: a test may change it before the fake serves it.
"""

import copy
import json
from pathlib import Path
from typing import Any

EXAMPLES: dict[str, Any] = json.loads(
    (Path(__file__).parent / "data" / "media-openapi-examples-2026-08-22.json").read_text(encoding="utf-8")
)

VEO = "google/veo-3.1"
"""The spec's own example: ``pricing_skus: {generate: '0.50'}``."""
VEO_FAST = "google/veo-3.1-fast"
"""Listed under another ID, with the catalog's permaslug (``canonical_slug``): matched by it."""
SORA = "openai/sora-2-pro"
"""Five SKUs: a row shows two and counts the rest."""
KLING = "kwaivgi/kling-v3.0-std"
"""``pricing_skus: null``: no prices, still ``unlisted``."""
RUNWAY = "runway/gen-4.5"
"""Drift in its SKUs: a number, an unreadable value, a negative one; a cents SKU."""
SEEDREAM = "bytedance-seed/seedream-4.5"
"""The spec's own image example: one endpoint, USD 0.05 per output image."""
SEEDREAM_LITE = "bytedance-seed/seedream-5-0-lite"
"""Variants (2K, 4K) and an input price."""
RECRAFT = "recraft/recraft-v4"
"""Two providers, a per-token and a per-megapixel price, and malformed entries."""
GPT_IMAGE = "openai/gpt-image-1"
"""Priced per token in the model list: keeps those, and shows its image price beside them."""
KREA = "krea/krea-2-large"
"""In ``/images/models``, but its ``/endpoints`` answer 404."""


def videos() -> dict[str, Any]:
    """``GET /videos/models``."""
    example = copy.deepcopy(EXAMPLES["GET /videos/models"]["data"][0])
    data: list[Any] = [
        example,
        {
            "id": "google/veo-3.1-fast-legacy",
            "canonical_slug": "google/veo-3.1-fast-20260320",
            "name": "Veo 3.1 Fast",
            "created": 1774000000,
            "pricing_skus": {"duration_seconds_without_audio_720p": "0.10", "duration_seconds_with_audio_720p": "0.15"},
            "supported_resolutions": ["720p", "1080p"],
            "supported_durations": [4, 6, 8],
            "allowed_passthrough_parameters": [],
        },
        {
            "id": SORA,
            "canonical_slug": "openai/sora-2-pro-20260320",
            "name": "Sora 2 Pro",
            "pricing_skus": {
                "duration_seconds_720p": "0.30",
                "duration_seconds_1080p": "0.50",
                "duration_seconds_with_audio_720p": "0.40",
                "duration_seconds_with_audio_1080p": "0.70",
                "generate": "1.00",
            },
            "supported_sizes": ["1280x720", "1920x1080"],
            "upscale_factor": {"min": 1, "max": 2},
            "generate_audio": True,
            "seed": None,
        },
        {"id": KLING, "canonical_slug": None, "name": None, "pricing_skus": None, "supported_durations": None},
        {
            "id": RUNWAY,
            "name": "Gen-4.5",
            "pricing_skus": {"cents_per_second_output": "12", "per_video": 0.05, "broken": "n/a", "refund": "-1"},
            "supported_durations": ["five", 10],
            "creativity": "high",
            "a_field_from_the_future": {"x": 1},
        },
        {"canonical_slug": "nobody/no-id", "pricing_skus": {"generate": "9"}},
        "not a video model",
        {"id": "example/not-in-the-catalog", "pricing_skus": {"generate": "2"}},
    ]
    return {"data": data}


def image_models() -> dict[str, Any]:
    """``GET /images/models``."""
    example = copy.deepcopy(EXAMPLES["GET /images/models"]["data"][0])

    def item(model_id: str, **extra: Any) -> dict[str, Any]:
        author, slug = model_id.split("/")
        return {
            "id": model_id,
            "name": slug,
            "architecture": {"input_modalities": ["text"], "output_modalities": ["image"]},
            "supported_parameters": {"aspect_ratio": {"type": "enum", "values": ["1:1", "16:9"]}},
            "supports_streaming": False,
            "endpoints": f"/api/v1/images/models/{author}/{slug}/endpoints",
            **extra,
        }

    data: list[Any] = [
        example,
        item(SEEDREAM_LITE, created=1786000000),
        item(RECRAFT, supported_parameters=None, description=None),
        item(GPT_IMAGE, architecture=None),
        item(KREA),
        {"name": "no id", "endpoints": "/api/v1/images/models/x/y/endpoints"},
        42,
    ]
    return {"data": data}


def image_endpoints() -> dict[str, Any]:
    """``GET /images/models/{id}/endpoints`` bodies by model ID (any other ID: 404)."""
    example = copy.deepcopy(EXAMPLES["GET /images/models/{author}/{slug}/endpoints"])
    endpoint = example["endpoints"][0]
    return {
        SEEDREAM: example,
        SEEDREAM_LITE: {
            "id": SEEDREAM_LITE,
            "endpoints": [
                {
                    **endpoint,
                    "pricing": [
                        {"billable": "output_image", "cost_usd": 0.035, "unit": "image", "variant": "2K"},
                        {"billable": "output_image", "cost_usd": 0.07, "unit": "image", "variant": "4K"},
                        {"billable": "input_image", "cost_usd": 0.004, "unit": "image"},
                    ],
                }
            ],
        },
        RECRAFT: {
            "id": RECRAFT,
            "endpoints": [
                {
                    "provider_name": "Recraft",
                    "provider_slug": "recraft",
                    "provider_tag": "recraft",
                    "pricing": [
                        {"billable": "output_image", "cost_usd": 0.04, "unit": "image"},
                        {"billable": "input_text", "cost_usd": 0.000005, "unit": "token"},
                        {"billable": "output_image", "cost_usd": 0.1, "unit": None},
                        {"billable": "output_image", "unit": "image"},
                        {"billable": "output_image", "cost_usd": "lots", "unit": "image"},
                        "junk",
                    ],
                    "supported_parameters": None,
                    "supports_streaming": None,
                },
                {
                    "provider_name": "Fal",
                    "provider_slug": "fal",
                    "provider_tag": None,
                    "pricing": [
                        {"billable": "output_image", "cost_usd": 0.045, "unit": "image"},
                        {"billable": "input_reference", "cost_usd": "0.02", "unit": "megapixel"},
                        {"billable": "a_billable_from_the_future", "cost_usd": 0.01, "unit": "image"},
                    ],
                },
                {"provider_name": "Nobody", "pricing": None},
            ],
        },
        GPT_IMAGE: {
            "data": {
                "id": GPT_IMAGE,
                "endpoints": [
                    {
                        "provider_name": "OpenAI",
                        "provider_slug": "openai",
                        "provider_tag": "openai",
                        "pricing": [
                            {"billable": "output_image", "cost_usd": 0.042, "unit": "image", "variant": "medium"}
                        ],
                    }
                ],
            }
        },
    }


ZDR_PLAIN = "google/gemini-3.7-flash"
"""Listed by its permaslug: the plain model matches, its ``:batch`` variant does not."""
ZDR_VARIANT = "poolside/laguna-s-2.1:free"
"""Listed by its own ID: it matches, the plain model of its permaslug does not."""


def zdr() -> dict[str, Any]:
    """``GET /endpoints/zdr``: the spec's example (``openai/gpt-4``) and endpoints of real models,
    by permaslug as the spec says, one by a variant's own ID, and drift."""
    example = copy.deepcopy(EXAMPLES["GET /endpoints/zdr"]["data"][0])

    def endpoint(model_id: str, provider: str, **extra: Any) -> dict[str, Any]:
        return {**example, "model_id": model_id, "provider_name": provider, "tag": provider.lower(), **extra}

    data: list[Any] = [
        example,
        endpoint("google/gemini-3.7-flash-20260813", "Google", pricing=None),
        endpoint("anthropic/claude-opus-5-20260723", "Anthropic", latency_last_30m=None, quantization=None),
        endpoint(ZDR_VARIANT, "Poolside", uptime_last_1d="n/a"),
        endpoint("openai/gpt-4o", "Azure", tag=None),
        {**example, "model_id": None},
        {k: v for k, v in example.items() if k != "model_id"},
        "junk",
    ]
    return {"data": data}
