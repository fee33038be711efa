"""The SDK tables of RTM021 (docs/protocol.md G2-G5) re-derived from the installed `openai` package.

The rule keeps its tables as data (openai is only a test dependency); these tests derive them
again from the package and fail when a new `openai` release adds, removes or renames a name,
and import every GA path the fixes can produce.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import typing
from pathlib import Path

import pytest

from realtime_migrate import catalog

openai = pytest.importorskip("openai")

BETA_TYPES = "openai.types.beta.realtime"
GA_TYPES = "openai.types.realtime"


def _rule_options() -> typing.Mapping[str, typing.Any]:
    rule = catalog.by_code("RTM021")
    assert rule is not None
    return rule.options


def _package_names(package: str) -> set[str]:
    """Names the package `__init__` re-exports (`from .x import Y as Y`)."""
    text = Path(importlib.import_module(package).__file__).read_text(encoding="utf-8")  # type: ignore[arg-type]
    return set(re.findall(r"\bas (\w+)", text))


def _modules(package: str) -> set[str]:
    return {m.name for m in pkgutil.iter_modules(importlib.import_module(package).__path__) if not m.ispkg}


def _all(module: str) -> list[str]:
    return list(getattr(importlib.import_module(module), "__all__", []))


def _fields(obj: object) -> set[str] | None:
    if inspect.isclass(obj) and hasattr(obj, "model_fields"):
        return set(obj.model_fields)
    if inspect.isclass(obj) and hasattr(obj, "__total__"):
        return set(obj.__annotations__)
    return None


def _is_typed_dict(obj: object) -> bool:
    return inspect.isclass(obj) and hasattr(obj, "__total__")


def _type_literal(obj: object) -> str | None:
    if inspect.isclass(obj) and hasattr(obj, "model_fields") and "type" in obj.model_fields:
        return repr(obj.model_fields["type"].annotation)
    if inspect.isclass(obj) and hasattr(obj, "__total__") and "type" in obj.__annotations__:
        return repr(typing.get_args(typing.get_type_hints(obj)["type"]) or typing.get_type_hints(obj)["type"])
    return None


def _ga(target: str) -> tuple[str, str]:
    module, name = target.split(":")
    return (f"{GA_TYPES}.{module}" if module else GA_TYPES), name


# -- G2 --------------------------------------------------------------------------------------------


def test_shared_names_are_the_names_on_both_sides() -> None:
    both = _package_names(BETA_TYPES) & _package_names(GA_TYPES)
    assert len(both) == 57  # docs/protocol.md G2
    assert set(_rule_options()["shared_names"]) == both


def test_shared_modules_are_the_modules_on_both_sides() -> None:
    assert set(_rule_options()["shared_modules"]) == _modules(BETA_TYPES) & _modules(GA_TYPES)


def test_beta_only_modules_are_listed() -> None:
    assert set(_rule_options()["beta_only_modules"]) == _modules(BETA_TYPES) - _modules(GA_TYPES)


def test_beta_only_package_names_are_reviewed_or_renamed() -> None:
    opts = _rule_options()
    beta_only = _package_names(BETA_TYPES) - _package_names(GA_TYPES)
    handled = {k[1:] for k in opts["review"] if k.startswith(":")} | {k[1:] for k in opts["class_renames"]
                                                                      if k.startswith(":")}
    assert beta_only == handled


# -- G3 --------------------------------------------------------------------------------------------


def _derive_renames() -> dict[str, str]:
    """Beta names missing from their GA module that match exactly one GA class: same fields (GA may add
    optional ones), same `type` literal, and a name that contains the beta name."""
    ga_classes: dict[tuple[str, str], object] = {}
    for module in _modules(GA_TYPES):
        for name in _all(f"{GA_TYPES}.{module}"):
            ga_classes[(module, name)] = getattr(importlib.import_module(f"{GA_TYPES}.{module}"), name)
    shared = _modules(BETA_TYPES) & _modules(GA_TYPES)
    derived: dict[str, str] = {}
    for module in sorted(shared | {"error_event"}):
        beta_module = importlib.import_module(f"{BETA_TYPES}.{module}")
        ga_names = set(_all(f"{GA_TYPES}.{module}")) if module in shared else set()
        for name in _all(f"{BETA_TYPES}.{module}"):
            if name in ga_names:
                continue
            obj = getattr(beta_module, name)
            fields = _fields(obj)
            if not fields:
                continue
            matches = [
                (gm, gn) for (gm, gn), g in ga_classes.items()
                if (gf := _fields(g)) is not None and fields <= gf and _type_literal(g) == _type_literal(obj)
                and name.lower() in gn.lower() and _is_typed_dict(g) == _is_typed_dict(obj)
            ]
            if len(matches) == 1:
                derived[f"{module}:{name}"] = f"{matches[0][0]}:{matches[0][1]}"
    return derived


def test_class_renames_are_derived_from_the_package() -> None:
    table = {k: v for k, v in _rule_options()["class_renames"].items() if not k.startswith(":")}
    derived = _derive_renames()
    assert derived == table


def test_package_level_rename_matches_module_level() -> None:
    renames = _rule_options()["class_renames"]
    assert renames[":ErrorEvent"] == ":RealtimeErrorEvent"
    assert renames["error_event:ErrorEvent"].endswith(":RealtimeErrorEvent")


def test_every_beta_name_missing_on_the_ga_side_is_handled() -> None:
    """A name in a shared module's `__all__` missing from its GA twin must be renamed or reviewed."""
    opts = _rule_options()
    for module in set(opts["shared_modules"]):
        missing = set(_all(f"{BETA_TYPES}.{module}")) - set(_all(f"{GA_TYPES}.{module}"))
        for name in missing:
            key = f"{module}:{name}"
            assert key in opts["class_renames"] or key in opts["review"], key


# -- every GA path a fix can produce exists ----------------------------------------------------------


def _targets() -> list[tuple[str, str]]:
    opts = _rule_options()
    out = [_ga(t) for t in opts["class_renames"].values()]
    out += [_ga(t) for t, _ in opts["review"].values() if t]
    out += [(GA_TYPES, n) for n in opts["shared_names"]]
    out += [(f"{GA_TYPES}.{m}", "__name__") for m in opts["shared_modules"]]
    for module, names in opts["resource_names"].items():
        out += [(f"openai.resources.realtime.{module}" if module else "openai.resources.realtime", n) for n in names]
    return out


@pytest.mark.parametrize("module,name", _targets(), ids=lambda v: str(v))
def test_ga_target_exists(module: str, name: str) -> None:
    assert hasattr(importlib.import_module(module), name)


def test_beta_sources_exist() -> None:
    """The table's beta side is real too (a typo would make a rule silently blind)."""
    opts = _rule_options()
    for key in [*opts["class_renames"], *opts["review"]]:
        module, name = key.split(":")
        path = f"{BETA_TYPES}.{module}" if module else BETA_TYPES
        assert hasattr(importlib.import_module(path), name), key


def test_resource_names_are_on_both_sides() -> None:
    def classes(module: str) -> set[str]:
        m = importlib.import_module(module)
        return {n for n, o in vars(m).items() if inspect.isclass(o) and o.__module__ == m.__name__}

    opts = _rule_options()
    assert set(opts["resource_names"]["realtime"]) == (classes("openai.resources.beta.realtime.realtime")
                                                       & classes("openai.resources.realtime.realtime"))
    beta_pkg = set(_all("openai.resources.beta.realtime"))
    assert set(opts["resource_names"][""]) == beta_pkg & set(_all("openai.resources.realtime"))


def test_fixed_fixtures_import() -> None:
    """Every import line the RTM021 fixtures' fixes produce imports in the installed package."""
    from helpers import FIXTURES, fix_text

    for path in sorted((FIXTURES / "rules" / "RTM021").glob("*.py")):
        fixed = fix_text(path.read_text(encoding="utf-8"), "RTM021", unsafe=True)
        for line in fixed.splitlines():
            m = re.match(r"from (openai\.(?:types|resources)\.realtime[\w.]*) import (\w+(?:, \w+)*)$", line)
            if m:
                module = importlib.import_module(m.group(1))
                for name in m.group(2).split(", "):
                    assert hasattr(module, name), (path.name, line)
            m = re.match(r"import (openai\.(?:types|resources)\.realtime[\w.]*)", line)
            if m:
                importlib.import_module(m.group(1))


def _hint_texts() -> list[str]:
    opts = _rule_options()
    texts = [note for _, note in opts["review"].values()]
    texts += list(opts["beta_only_modules"].values())
    texts += list(opts["helper_hints"].values()) + list(opts["transcription_helper_hints"].values())
    return texts


def test_hints_name_real_ga_classes() -> None:
    """Every GA class or `module.Class` a report-only hint names exists in `openai.types.realtime`."""
    ga = importlib.import_module(GA_TYPES)
    checked = 0
    for text in _hint_texts():
        for module, name in re.findall(r"\b([a-z_]+)\.([A-Z]\w+)\b", text):
            assert hasattr(importlib.import_module(f"{GA_TYPES}.{module}"), name), (module, name, text)
            checked += 1
        for name in re.findall(r"(?<![.\w])([A-Z][a-z]+(?:[A-Z][a-z0-9]*)+)\b", text):
            if name in ("Content",):
                continue
            assert hasattr(ga, name), (name, text)
            checked += 1
    assert checked > 20


def test_class_to_union_is_derived_from_the_package() -> None:
    """Shared names that are classes in beta but not in GA (union aliases): a call or isinstance breaks."""
    beta, ga = importlib.import_module(BETA_TYPES), importlib.import_module(GA_TYPES)
    derived = {n for n in _rule_options()["shared_names"]
               if inspect.isclass(getattr(beta, n)) and not inspect.isclass(getattr(ga, n))}
    assert derived == set(_rule_options()["class_to_union"])
