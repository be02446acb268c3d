"""``{file: path}`` values: the model of the reference, and reading the file it names.

A text field written as ``{file: prompts/support.md}`` is read (UTF-8) from the spec's
folder while the model validates, so a missing or unreadable file is a problem on that
key's line. The folder comes from the validation context (``base_dir``); without one the
reference is left as written. Reads local files only; never writes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field, ValidationInfo

from bluejay_gate.spec.fields import FORBID_EXTRA, NonEmptyStr, plain_type


class FileRef(BaseModel):
    """Text read from a file next to the spec."""

    model_config = FORBID_EXTRA

    file: NonEmptyStr = Field(
        description="Path of a UTF-8 text file, relative to the spec file's folder.",
        examples=["prompts/support.md"],
    )


def _text_or_file(value: Any) -> Any:
    if value is None:
        raise ValueError("is empty: give the text, or {file: path}, or remove the key")
    if not isinstance(value, (str, dict)):
        raise ValueError(  # noqa: TRY004 - pydantic reports only ValueError
            f"expected text or {{file: path}}, got {plain_type(value)}"
        )
    return value


TextOrFile = Annotated[
    str | FileRef,
    Field(union_mode="left_to_right"),
    BeforeValidator(_text_or_file),
]


def read_file_ref(value: str | FileRef, info: ValidationInfo) -> str | FileRef:
    """The text of ``value``'s file when it is a ``FileRef`` (else ``value`` itself)."""
    if not isinstance(value, FileRef):
        return value
    base = info.context.get("base_dir") if isinstance(info.context, dict) else None
    if not isinstance(base, Path):
        return value
    path = base / value.file
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ValueError(
            f"file {value.file!r} not found: the path is relative to the spec's folder"
        ) from None
    except IsADirectoryError:
        raise ValueError(f"{value.file!r} is a folder, not a file") from None
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"file {value.file!r} is not UTF-8 text (byte {exc.start}): save it as UTF-8"
        ) from None
    except OSError as exc:
        raise ValueError(f"cannot read file {value.file!r}: {exc.strerror}") from None
