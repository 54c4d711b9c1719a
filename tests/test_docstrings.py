"""Every public callable has a numpydoc docstring with typed parameters.

The walk covers every name in the ``__all__`` of ``geo_alloggi`` and of each of
its public modules and subpackages (no ``_`` in the dotted path), plus the
public methods of the public classes. Each docstring is parsed with numpydoc's
own parser (``numpydoc.docscrape``), the one the API reference is built with:

* the Parameters section names exactly the parameters of the signature
  (``self``/``cls`` left out, ``*args``/``**kwargs`` written so); for a
  dataclass or a NamedTuple the fields may be documented under Attributes;
* every documented parameter has a type (``name : type``);
* a function whose return annotation is not ``None`` has a Returns (or
  Yields) section that gives a type.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import warnings
from collections.abc import Callable, Iterator

import pytest
from numpydoc.docscrape import ClassDoc, FunctionDoc

import geo_alloggi


def _public_modules() -> list[str]:
    names = ["geo_alloggi"]
    for info in pkgutil.walk_packages(geo_alloggi.__path__, "geo_alloggi."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            names.append(info.name)
    return sorted(names)


def _own_methods(cls: type) -> Iterator[tuple[str, Callable, bool]]:
    """Public methods defined in ``cls``: (name, function, bound to self/cls)."""
    for name, attr in vars(cls).items():
        if name.startswith("_"):
            continue
        if isinstance(attr, staticmethod):
            yield name, attr.__func__, False
        elif isinstance(attr, classmethod):
            yield name, attr.__func__, True
        elif inspect.isfunction(attr):
            yield name, attr, True


def _public_api() -> dict[str, tuple[object, str]]:
    """Qualified name -> (object, kind) with kind in function/method/class."""
    found: dict[str, tuple[object, str]] = {}
    seen: set[int] = set()
    for modname in _public_modules():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mod = importlib.import_module(modname)
        for attr in getattr(mod, "__all__", []):
            obj = getattr(mod, attr)
            if id(obj) in seen:
                continue
            if inspect.isfunction(obj):
                seen.add(id(obj))
                found[f"{modname}.{attr}"] = (obj, "function")
            elif inspect.isclass(obj) and obj.__module__.startswith("geo_alloggi"):
                seen.add(id(obj))
                found[f"{modname}.{attr}"] = (obj, "class")
                for meth, fn, bound in _own_methods(obj):
                    kind = "method" if bound else "function"
                    found[f"{modname}.{attr}.{meth}"] = (fn, kind)
    return found


API = _public_api()


def _signature_names(obj: object, kind: str) -> list[str] | None:
    try:
        sig = inspect.signature(obj)  # type: ignore[arg-type]
    except (TypeError, ValueError):  # a built-in's constructor (exceptions)
        return None
    names = []
    for p in sig.parameters.values():
        if p.kind is inspect.Parameter.VAR_POSITIONAL:
            names.append(f"*{p.name}")
        elif p.kind is inspect.Parameter.VAR_KEYWORD:
            names.append(f"**{p.name}")
        else:
            names.append(p.name)
    if kind == "method" and names and names[0] in ("self", "cls"):
        names = names[1:]
    return names


def _documented(entries) -> dict[str, str]:
    """Name -> type of numpydoc entries; ``a, b : int`` gives two names."""
    out = {}
    for entry in entries:
        for name in entry.name.split(","):
            out[name.strip().replace("\\", "")] = entry.type.strip()
    return out


def _record_fields(cls: type) -> set[str] | None:
    """The fields of a dataclass or a NamedTuple (documented as Attributes)."""
    if dataclasses.is_dataclass(cls):
        return {f.name for f in dataclasses.fields(cls)}
    if issubclass(cls, tuple) and hasattr(cls, "_fields"):
        return set(cls._fields)
    return None


def _inherits_constructor(cls: type) -> bool:
    """True when the class gets its signature from outside the package."""
    for klass in cls.__mro__:
        if "__init__" in vars(klass) or "__new__" in vars(klass):
            return not klass.__module__.startswith("geo_alloggi")
    return True


def _problems(qualname: str, obj: object, kind: str) -> list[str]:
    if not inspect.getdoc(obj):
        return [f"{qualname}: no docstring"]
    problems = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numpydoc warns on unknown sections
        if kind == "class":
            doc = ClassDoc(obj, config={"show_class_members": False})
        else:
            doc = FunctionDoc(obj)
    params = _documented(doc["Parameters"])
    documented = dict(params)
    fields = _record_fields(obj) if kind == "class" else None
    if fields is not None:
        attrs = _documented(doc["Attributes"])
        documented.update({k: v for k, v in attrs.items() if k in fields})
    if kind == "class" and _inherits_constructor(obj):  # type: ignore[arg-type]
        expected = None
    else:
        expected = _signature_names(obj, kind)
    if expected is not None:
        missing = [n for n in expected if n not in documented]
        extra = [n for n in params if n not in expected]
        if missing:
            problems.append(f"{qualname}: parameters not documented {missing}")
        if extra:
            problems.append(f"{qualname}: documented but not parameters {extra}")
    untyped = [n for n, t in documented.items() if not t]
    if untyped:
        problems.append(f"{qualname}: parameters without a type {untyped}")
    if kind != "class":
        ret = inspect.signature(obj).return_annotation  # type: ignore[arg-type]
        returns_none = ret in (None, "None", inspect.Signature.empty)
        if not returns_none:
            section = doc["Returns"] or doc["Yields"]
            if not any(e.name or e.type for e in section):
                problems.append(f"{qualname}: returns {ret} without a Returns type")
    return problems


def test_the_walk_finds_the_public_api():
    kinds = [kind for _, kind in API.values()]
    assert kinds.count("function") > 80
    assert kinds.count("class") > 15
    assert kinds.count("method") > 10
    assert "geo_alloggi.hotspots" in API or "geo_alloggi.stats.hotspots" in API


@pytest.mark.parametrize("qualname", sorted(API))
def test_numpydoc_parameters_and_returns(qualname):
    obj, kind = API[qualname]
    assert _problems(qualname, obj, kind) == []


def test_the_checker_catches_a_bad_docstring():
    def untyped(a: int, b: str = "x") -> int:
        """Do it.

        Parameters
        ----------
        a
            First.
        c : str
            Not a parameter.
        """
        return a

    found = _problems("untyped", untyped, "function")
    assert any("not documented ['b']" in p for p in found)
    assert any("not parameters ['c']" in p for p in found)
    assert any("without a type ['a']" in p for p in found)
    assert any("without a Returns type" in p for p in found)
