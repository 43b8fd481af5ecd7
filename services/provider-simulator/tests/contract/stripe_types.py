"""Check a Stripe JSON body against the field declarations of the installed `stripe` SDK.

The SDK's resource classes (`stripe.Charge`, `stripe.Refund`, ...) are generated from
Stripe's OpenAPI spec: every field is a class annotation, `Optional[...]` when the spec
lets it be null or absent, anything else required and non-null. `problems` walks a body
with those annotations: a required field missing or null, a field the SDK does not
declare, a value of the wrong JSON type or outside a `Literal`. Nested objects recurse.
"""

import importlib
import inspect
import types
import typing
from collections.abc import Iterator
from typing import Any, ForwardRef, Literal, Union

import stripe
from stripe._object_classes import OBJECT_CLASSES
from stripe._stripe_object import StripeObject, UntypedStripeObject

Json = Any


def class_of(object_name: str) -> type[StripeObject]:
    """The SDK class for a body's `object` value (`"charge"` → `stripe.Charge`)."""
    module, name = OBJECT_CLASSES[object_name]
    cls: type[StripeObject] = getattr(importlib.import_module(module), name)
    return cls


def fields(cls: type) -> dict[str, Any]:
    """Every data field `cls` declares (its own and inherited), by name."""
    declared: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        for name, annotation in inspect.get_annotations(klass).items():
            if name.startswith("_") or typing.get_origin(annotation) is typing.ClassVar:
                continue
            declared[name] = annotation
    return declared


def problems(value: Json, annotation: Any, path: str = "$") -> list[str]:
    """What is wrong with `value` as `annotation`; empty when it fits."""
    return list(_check(value, annotation, path))


def _check(value: Json, annotation: Any, path: str) -> Iterator[str]:
    annotation = _resolved(annotation)
    origin = typing.get_origin(annotation)
    if annotation is Any or annotation is typing.Any:
        return
    if origin in (Union, types.UnionType):
        yield from _union(value, typing.get_args(annotation), path)
    elif value is None:
        yield f"{path}: null where the SDK declares {annotation!r} (not Optional)"
    elif origin is Literal:
        if value not in typing.get_args(annotation):
            yield f"{path}: {value!r} is not one of {typing.get_args(annotation)}"
    elif origin in (list, typing.List):  # noqa: UP006 - the SDK's own spelling
        yield from _items(value, typing.get_args(annotation), path)
    elif origin in (dict, typing.Dict):  # noqa: UP006
        if not isinstance(value, dict):
            yield f"{path}: expected an object, got {type(value).__name__}"
    elif isinstance(origin, type) and issubclass(origin, StripeObject):
        yield from _object(value, origin, typing.get_args(annotation), path)
    elif isinstance(annotation, type) and issubclass(annotation, StripeObject):
        yield from _object(value, annotation, (), path)
    else:
        yield from _scalar(value, annotation, path)


def _union(value: Json, options: tuple[Any, ...], path: str) -> Iterator[str]:
    if value is None:
        if type(None) not in options:
            yield f"{path}: null where the SDK declares no None"
        return
    options = tuple(o for o in options if o is not type(None))
    if isinstance(value, dict):  # an expanded field: judge it as the object, not its id
        options = tuple(o for o in options if o is not str) or options
    found = [problems(value, option, path) for option in options]
    if any(not found_ for found_ in found):
        return
    yield from min(found, key=len)


def _items(value: Json, args: tuple[Any, ...], path: str) -> Iterator[str]:
    if not isinstance(value, list):
        yield f"{path}: expected an array, got {type(value).__name__}"
        return
    for index, item in enumerate(value):
        yield from _check(item, args[0] if args else Any, f"{path}[{index}]")


def _object(value: Json, cls: type, args: tuple[Any, ...], path: str) -> Iterator[str]:
    if not isinstance(value, dict):
        yield f"{path}: expected a {cls.__name__} object, got {type(value).__name__}"
        return
    if issubclass(cls, UntypedStripeObject):
        return  # metadata and the like: any keys
    if cls is stripe.ListObject:
        yield from _check(value.get("data"), list[args[0] if args else Any], f"{path}.data")
        return
    declared = fields(cls)
    for name in sorted(set(value) - set(declared)):
        yield f"{path}.{name}: not declared by stripe.{cls.__qualname__}"
    for name, annotation in declared.items():
        if name in value:
            yield from _check(value[name], annotation, f"{path}.{name}")
        elif not _optional(annotation):
            yield f"{path}.{name}: required by stripe.{cls.__qualname__}, missing"


def _scalar(value: Json, annotation: Any, path: str) -> Iterator[str]:
    expected: tuple[type, ...]
    if annotation is bool:
        expected = (bool,)
    elif annotation is int:
        expected = (int,)
    elif annotation is float:
        expected = (int, float)
    elif annotation is str:
        expected = (str,)
    else:
        return  # a type this checker does not model: accepted
    if isinstance(value, bool) and annotation is not bool:
        yield f"{path}: boolean where the SDK declares {annotation.__name__}"
    elif not isinstance(value, expected):
        yield f"{path}: {type(value).__name__} where the SDK declares {annotation.__name__}"


def _optional(annotation: Any) -> bool:
    args = typing.get_args(annotation)
    return typing.get_origin(annotation) in (Union, types.UnionType) and type(None) in args


def _resolved(annotation: Any) -> Any:
    """A forward reference (`"BalanceTransaction"`) as the SDK class of that name."""
    if isinstance(annotation, str):
        annotation = ForwardRef(annotation)
    if isinstance(annotation, ForwardRef):
        return getattr(stripe, annotation.__forward_arg__, Any)
    return annotation
