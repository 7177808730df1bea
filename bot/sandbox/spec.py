"""Bot API spec loading and request validation for the sandbox (pure, no I/O besides loading).

The spec is the machine-readable Bot API description in ``shared/telegram-bot-api/api.min.json``.
Validation is deliberately stricter than real Telegram in one way: unknown fields (top level and
nested) are rejected, because Telegram silently ignores them and that hides typos in the bot.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

SPEC_ENV_VAR = "SANDBOX_API_SPEC"
# The project's source of truth, next to the repository, and the copy shipped in the package
# for a clone (or an installed bot) without it. A test keeps the two identical.
SHARED_SPEC_PATH = (
    Path(__file__).resolve().parents[3] / "shared" / "telegram-bot-api" / "api.min.json"
)
BUNDLED_SPEC_PATH = Path(__file__).resolve().parent / "telegram-bot-api" / "api.min.json"
DEFAULT_SPEC_PATH = SHARED_SPEC_PATH if SHARED_SPEC_PATH.is_file() else BUNDLED_SPEC_PATH

_SCALARS = frozenset({"String", "Integer", "Float", "Boolean", "InputFile"})
_INT_RE = re.compile(r"[+-]?\d+")
_FLOAT_RE = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_TRUE_STRINGS = frozenset({"true", "True", "1"})
_FALSE_STRINGS = frozenset({"false", "False", "0"})
# Union members are told apart by a constant field; the spec only states it in prose.
_DISCRIMINATOR_RE = re.compile(r"(?:must be|always)\s+[“\"]?([\w-]+)")
_DISCRIMINATOR_FIELDS = ("type", "source", "status")

# Real Telegram words a few missing parameters specially; everything else gets a generic text.
_MISSING_DESCRIPTIONS = {
    "text": "message text is empty",
    "chat_id": "chat_id is empty",
    "message_id": "message identifier is not specified",
}

# The "type" of an InlineKeyboardButton is whichever one of these is set (exactly one must be).
_BUTTON_ACTION_FIELDS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_BOT_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")


class SpecError(Exception):
    """A request broke the Bot API spec; ``description`` is the full Telegram-style text."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


@dataclass(frozen=True)
class UploadedFile:
    """One file part of a multipart request."""

    part_name: str
    filename: str | None
    content_type: str | None
    data: bytes = field(repr=False)

    def __repr__(self) -> str:
        return (
            f"UploadedFile(part_name={self.part_name!r}, filename={self.filename!r}, "
            f"content_type={self.content_type!r}, size={len(self.data)})"
        )


@dataclass(frozen=True)
class FieldSpec:
    name: str
    types: tuple[str, ...]
    required: bool


@dataclass(frozen=True)
class MethodSpec:
    name: str
    fields: Mapping[str, FieldSpec]
    returns: tuple[str, ...]


@dataclass(frozen=True)
class TypeSpec:
    name: str
    fields: Mapping[str, FieldSpec] | None
    subtypes: tuple[str, ...]


def _fields(raw: list[dict[str, Any]] | None) -> dict[str, FieldSpec]:
    return {
        f["name"]: FieldSpec(f["name"], tuple(f["types"]), bool(f["required"])) for f in raw or []
    }


def resolve_spec_path(spec_path: Path | None = None) -> Path:
    """Explicit path wins, then $SANDBOX_API_SPEC, then shared/ next to the repo, then the copy."""
    if spec_path is not None:
        return Path(spec_path)
    env = os.environ.get(SPEC_ENV_VAR)
    if env:
        return Path(env)
    return DEFAULT_SPEC_PATH


class ApiSpec:
    """The Bot API methods and types, with validation of requests against them."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.version: str = str(raw.get("version", "unknown"))
        self.methods: dict[str, MethodSpec] = {
            name: MethodSpec(name, _fields(m.get("fields")), tuple(m.get("returns", ())))
            for name, m in raw["methods"].items()
        }
        self.types: dict[str, TypeSpec] = {
            name: TypeSpec(
                name,
                _fields(t["fields"]) if "fields" in t else None,
                tuple(t.get("subtypes", ())),
            )
            for name, t in raw["types"].items()
        }
        self._by_lower = {name.lower(): name for name in self.methods}
        self._discriminators: dict[str, dict[str, str]] = {}
        for name, t in raw["types"].items():
            if t.get("subtypes"):
                self._discriminators[name] = self._build_discriminator(t["subtypes"], raw["types"])

    @staticmethod
    def _build_discriminator(subtypes: list[str], raw_types: Mapping[str, Any]) -> dict[str, str]:
        mapping: dict[str, str] = {}
        for sub in subtypes:
            for f in raw_types.get(sub, {}).get("fields", []):
                if f["name"] in _DISCRIMINATOR_FIELDS:
                    match = _DISCRIMINATOR_RE.search(f["description"])
                    if match:
                        mapping[f"{f['name']}={match.group(1)}"] = sub
                    break
        return mapping

    @classmethod
    def load(cls, spec_path: Path | None = None) -> ApiSpec:
        return _load_cached(resolve_spec_path(spec_path).resolve())

    def canonical_method(self, name: str) -> str | None:
        """Telegram matches method names case-insensitively."""
        return self._by_lower.get(name.lower())

    # ----------------------------------------------------------------- requests

    def decode_params(
        self,
        method: str,
        raw: Mapping[str, Any],
        files: Mapping[str, UploadedFile] | None = None,
    ) -> dict[str, Any]:
        """Decode one call's parameters by their declared types and validate them.

        ``raw`` values are either strings (form, multipart or query string: every value is a
        string there and complex values are JSON text) or JSON-native values (a JSON body).
        ``files`` are multipart file parts by part name; a declared InputFile field may be the
        part itself or an ``attach://<part>`` reference to it, and an ``attach://<part>`` inside
        a JSON value (InputMedia.media) comes back as that part.
        """
        spec = self.methods[method]
        files = dict(files or {})
        used_files: set[str] = set()
        decoded: dict[str, Any] = {}
        merged: dict[str, Any] = dict(raw)
        for part_name, upload in files.items():
            if part_name in spec.fields and part_name not in merged:
                merged[part_name] = upload
                used_files.add(part_name)
        for name, value in merged.items():
            if value is None:
                continue  # a JSON null is as good as leaving the parameter out
            fspec = spec.fields.get(name)
            if fspec is None:
                if isinstance(value, UploadedFile):
                    continue  # judged below once attach:// references are known
                raise SpecError(f'Bad Request: unknown parameter "{name}" for method {method}')
            decoded[name] = self._decode_top(name, fspec.types, value, files, used_files)
        for part_name in files:
            if part_name not in used_files and part_name not in spec.fields:
                raise SpecError(
                    f'Bad Request: unknown parameter "{part_name}" for method {method} '
                    "(file part that no attach:// refers to)"
                )
        for fspec in spec.fields.values():
            if fspec.required and fspec.name not in decoded:
                text = _MISSING_DESCRIPTIONS.get(
                    fspec.name, f'parameter "{fspec.name}" is required'
                )
                raise SpecError(f"Bad Request: {text}")
        return decoded

    def _decode_top(
        self,
        name: str,
        types: tuple[str, ...],
        value: Any,
        files: Mapping[str, UploadedFile],
        used_files: set[str],
    ) -> Any:
        if isinstance(value, UploadedFile):
            if "InputFile" in types:
                return value
            raise SpecError(f'Bad Request: parameter "{name}" must not be a file upload')
        if isinstance(value, str):
            errors: list[SpecError] = []
            for t in types:
                if t in _SCALARS:
                    try:
                        return self._from_string(name, t, value, files, used_files)
                    except SpecError as exc:
                        errors.append(exc)
            complex_types = tuple(t for t in types if t not in _SCALARS)
            if not complex_types:
                raise _best(errors)
            try:
                parsed = json.loads(value)
            except ValueError:
                raise SpecError(f"Bad Request: can't parse {name} JSON object") from None
            self.check_value(complex_types, parsed, name)
            return self._collect_attachments(parsed, files, used_files)
        if isinstance(value, bool | int | float) and not any(
            t in ("Integer", "Float", "Boolean") for t in types
        ):
            if "String" in types:
                # Telegram turns top-level JSON scalars into their text form.
                return json.dumps(value) if isinstance(value, bool) else str(value)
        return self.check_value(types, value, name)

    def _from_string(
        self,
        name: str,
        type_name: str,
        value: str,
        files: Mapping[str, UploadedFile],
        used_files: set[str],
    ) -> Any:
        if type_name == "String":
            return value
        if type_name == "Integer":
            if _INT_RE.fullmatch(value.strip()):
                return int(value)
            raise _type_error(name, (type_name,), value)
        if type_name == "Float":
            if _FLOAT_RE.fullmatch(value.strip()):
                return float(value)
            raise _type_error(name, (type_name,), value)
        if type_name == "Boolean":
            if value in _TRUE_STRINGS:
                return True
            if value in _FALSE_STRINGS:
                return False
            raise _type_error(name, (type_name,), value)
        if type_name == "InputFile":
            if value.startswith("attach://") and value[len("attach://") :] in files:
                part = value[len("attach://") :]
                used_files.add(part)
                return files[part]
            raise SpecError(f'Bad Request: parameter "{name}" must be a file upload')
        raise AssertionError(f"not a scalar type: {type_name}")

    @staticmethod
    def _collect_attachments(
        value: Any, files: Mapping[str, UploadedFile], used_files: set[str]
    ) -> Any:
        """attach:// inside JSON (e.g. InputMedia.media) makes that file part legitimate; the
        value comes back with each such reference replaced by the uploaded part."""
        if isinstance(value, str) and value.startswith("attach://"):
            part = value[len("attach://") :]
            if part not in files:
                raise SpecError(f"Bad Request: file part {part!r} of {value!r} not found")
            used_files.add(part)
            return files[part]
        if isinstance(value, dict):
            return {k: ApiSpec._collect_attachments(v, files, used_files) for k, v in value.items()}
        if isinstance(value, list):
            return [ApiSpec._collect_attachments(v, files, used_files) for v in value]
        return value

    # ------------------------------------------------------------ native values

    def check_value(self, types: tuple[str, ...], value: Any, path: str) -> Any:
        """Validate a JSON-native value against alternative types; returns it unchanged."""
        errors: list[SpecError] = []
        for t in types:
            try:
                self._check(t, value, path)
                return value
            except SpecError as exc:
                errors.append(exc)
        if len(types) > 1 and isinstance(value, dict):
            # Report against the alternative the value most resembles (reply_markup has four).
            scored = sorted(
                zip(types, errors, strict=True),
                key=lambda te: -self._resemblance(te[0], value),
            )
            raise scored[0][1]
        raise _best(errors)

    def _resemblance(self, type_name: str, value: dict[str, Any]) -> int:
        spec = self.types.get(type_name)
        if spec is None or spec.fields is None:
            return 0
        return sum(1 for k in value if k in spec.fields)

    def validate_object(self, type_name: str, value: Any, path: str = "") -> None:
        """Validate a JSON-native value as the named type (also used on our own responses)."""
        self._check(type_name, value, path or type_name)

    def _check(self, type_name: str, value: Any, path: str) -> None:
        if type_name.startswith("Array of "):
            if not isinstance(value, list):
                raise _type_error(path, (type_name,), value)
            inner = type_name[len("Array of ") :]
            for i, item in enumerate(value):
                self._check(inner, item, f"{path}[{i}]")
            return
        if type_name in _SCALARS:
            if not _scalar_ok(type_name, value):
                raise _type_error(path, (type_name,), value)
            return
        spec = self.types.get(type_name)
        if spec is None:
            logger.debug("type %s is not in the spec; accepting %s as is", type_name, path)
            return
        if spec.subtypes:
            self._check_union(spec, value, path)
            return
        if not isinstance(value, dict):
            raise _type_error(path, (type_name,), value)
        if spec.fields is None:
            return  # placeholder types such as CallbackGame carry no fields
        for key, item in value.items():
            fspec = spec.fields.get(key)
            if fspec is None:
                raise SpecError(f'Bad Request: unknown field "{key}" in {type_name} (at {path})')
            self.check_value(fspec.types, item, f"{path}.{key}")
        for fspec in spec.fields.values():
            if fspec.required and fspec.name not in value:
                raise SpecError(
                    f'Bad Request: can\'t parse {type_name}: field "{fspec.name}" is required '
                    f"(at {path})"
                )
        _check_constraints(type_name, value, path)

    def _check_union(self, spec: TypeSpec, value: Any, path: str) -> None:
        if isinstance(value, dict):
            mapping = self._discriminators.get(spec.name, {})
            for disc in _DISCRIMINATOR_FIELDS:
                if disc in value and any(k.startswith(f"{disc}=") for k in mapping):
                    sub = mapping.get(f"{disc}={value[disc]}")
                    if sub is None:
                        raise SpecError(
                            f'Bad Request: unsupported {spec.name} {disc} "{value[disc]}" '
                            f"(at {path})"
                        )
                    self._check(sub, value, path)
                    return
        # No usable discriminator (e.g. RichText, InputMessageContent): any member will do.
        self.check_value(spec.subtypes, value, path)


@functools.lru_cache(maxsize=4)
def _load_cached(path: Path) -> ApiSpec:
    with path.open(encoding="utf-8") as fh:
        raw = json.load(fh)
    spec = ApiSpec(raw)
    # DEBUG: at start-up this would come before a failed start's one-line reason.
    logger.debug("loaded Bot API spec %s from %s", spec.version, path)
    return spec


def _scalar_ok(type_name: str, value: Any) -> bool:
    if type_name == "String":
        return isinstance(value, str)
    if type_name == "Integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_name == "Float":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if type_name == "Boolean":
        return isinstance(value, bool)
    # InputFile nested in JSON can only be an attach:// reference.
    return isinstance(value, str) and value.startswith("attach://")


def _type_error(path: str, types: tuple[str, ...], value: Any) -> SpecError:
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return SpecError(
        f'Bad Request: field "{path}" must be of type {" or ".join(types)}, got {shown}'
    )


def _best(errors: list[SpecError]) -> SpecError:
    # A nested complaint says more than "wrong type" at the top.
    for exc in errors:
        if "must be of type" not in exc.description:
            return exc
    return errors[0]


def _check_constraints(type_name: str, value: dict[str, Any], path: str) -> None:
    """Limits Telegram enforces beyond the type structure."""
    if type_name == "InlineKeyboardButton":
        if not value.get("text"):
            raise SpecError("Bad Request: BUTTON_TEXT_INVALID")
        if "callback_data" in value:
            size = len(value["callback_data"].encode("utf-8"))
            if not 1 <= size <= 64:
                raise SpecError("Bad Request: BUTTON_DATA_INVALID")
        actions = [name for name in _BUTTON_ACTION_FIELDS if name in value]
        if not actions:
            raise SpecError(
                "Bad Request: can't parse inline keyboard button: "
                "Text buttons are unallowed in the inline keyboard"
            )
        if len(actions) > 1:
            raise SpecError(
                "Bad Request: can't parse inline keyboard button: exactly one of "
                f"{', '.join(actions)} must be used (at {path})"
            )
    elif type_name == "BotCommand":
        if not _BOT_COMMAND_RE.fullmatch(value["command"]):
            raise SpecError("Bad Request: BOT_COMMAND_INVALID")
        if not 1 <= len(value["description"]) <= 256:
            raise SpecError("Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
