"""Extension points: grow the model from a separate module, without editing ``model/``.

An extension is a subclass of :class:`Extension` that declares what it adds and overrides
the hooks it needs. It reaches a model in one of two explicit ways:

* a scenario names its module: ``[scenario] extensions = ["extensions.parking"]`` (the
  module holds an ``extension`` attribute: an :class:`Extension` instance or subclass;
  ``"package.module:attribute"`` names another attribute); or
* code passes it: ``CommunityModel(scenario, extensions=[Parking()])``, a model subclass
  with ``extensions = (Parking(),)``, or ``simulate(scenario, model_class=...,
  extensions=[...])``.

What an extension can add, and the declaration or hook for each:

=============================  ==============================================================
a household attribute          :meth:`Extension.household_columns` (drawn for every new household)
a household rule               :meth:`Extension.need_rates`, :meth:`Extension.participation`,
                               :meth:`Extension.start_year` (vectorised over all rows)
a service type                 :attr:`Extension.services` (:class:`Service`: rates, eligibility,
                               staff hours) and :meth:`Extension.capacity` (what serves it)
an organisation kind           :attr:`Extension.organisations` (:class:`OrganisationKind`, with a
                               subclass of :class:`~model.agents.Organisation`)
a staff kind's behaviour       :attr:`Extension.staff_classes` (a subclass of
                               :class:`~model.agents.StaffMember` for a kind the scenario declares)
a facility kind's service      :attr:`Extension.facilities` (:class:`FacilityService`; the kind's
                               costs are declared in the scenario, so the optimiser builds it)
a ``timeseries.csv`` column    :attr:`Extension.reporters`
parameters from the scenario   :attr:`Extension.parameters` (``[extension.<module>]``, see :func:`parameter`)
a change to a core decision    a hook between the core computing a value and using it:
                               ``needs``, ``allocate``, ``satisfaction``, ``satisfied``,
                               ``volunteering``, ``exit_risk``, ``learning_rate``,
                               ``training_rate``, ``hires``, ``founding``,
                               ``organisation_strength``, ``dissolve_risk``, ``project``
=============================  ==============================================================

Invariants an extension must keep (checked by :func:`model.invariants.check_invariants`):
served ≤ demand for every service and month; staff of a kind = previous + hires − exits
(add and remove staff only through :meth:`CommunityModel.new_staff
<model.model.CommunityModel.new_staff>` and :meth:`StaffMember.leave
<model.agents.StaffMember.leave>`); households = previous + moved in − moved out (add
columns, never rows); every random draw comes from the model's generators so that the same
seed gives the same output.

Common random numbers: each extension draws from a stream of its own,
``model.extension_rng(extension)`` (the ``rng`` its household hooks receive), derived from
the model's seed sequence and the extension's name (:func:`~model.streams.extension_stream`). The core's
draws are then the same with and without the extension, so a core run and an extended run
of one seed differ only by what the extension does, not by shifted random numbers.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

import numpy as np

from model.agents import (
    ELIGIBLE,
    FACILITY_FOR,
    FOUNDED_BY_VOLUNTEERS,
    ORGANISATION_MIX,
    ORGANISATION_SERVICES,
    Organisation,
    StaffMember,
)
from model.errors import ExtensionError, defined_at
from model.errors import checked as checked  # re-exported: the hooks' result check
from scenarios.fields import extension_keys
from scenarios.parameters import SERVICES, SimulationParameters
from scenarios.problems import did_you_mean
from scenarios.values import Invalid, convert

if TYPE_CHECKING:
    from model.agents import Households
    from model.model import CommunityModel


def parameter(
    default: bool | int | float | str, doc: str, unit: str = "", low: float | None = None, high: float | None = None
) -> Any:
    """One parameter of an extension (a field of its ``parameters`` dataclass): its default,
    meaning, unit and allowed range, checked with file and line where a scenario sets it."""
    return field(default=default, metadata={"doc": doc, "unit": unit, "low": low, "high": high})


def resolve_parameters(extension: Extension, values: Mapping[str, Any] | None, table: str) -> Any:
    """The instance of ``extension.parameters`` for ``values`` (a scenario's table, or None:
    every default), checked as the loader checks it; :class:`ExtensionError` names the table,
    the key and the fix. ``None`` when the extension declares no parameters."""
    declaration = extension.parameters
    where = defined_at(declaration) if declaration is not None else defined_at(type(extension))
    at = f" ({where})" if where else ""
    if declaration is None:
        if values:
            raise ExtensionError(
                f"[extension.{table}]: extension {extension.name}{at} declares no parameters; remove the table, "
                "or declare them as Extension.parameters (see docs/extending.md)"
            )
        return None
    keys = {k.name: k for k in extension_keys(declaration)}
    checked = {}
    for name, value in (values or {}).items():
        if name not in keys:
            raise ExtensionError(
                f"[extension.{table}] {name}: unknown key; {did_you_mean(name, keys)} "
                f"(the parameters of {extension.name} are declared at {where})"
            )
        try:
            checked[name] = convert(keys[name], value, None)
        except Invalid as e:
            raise ExtensionError(f"[extension.{table}] {name} = {value!r}: {e.message} ({where})") from None
    return declaration(**checked)


@dataclass(frozen=True)
class Service:
    """A service type: who needs it, how often, and how staff serve it.

    Rates are the defaults; a scenario's ``[simulation]`` maps (``demand_rate``,
    ``hours_per_need``, ``vulnerable_demand_multiplier``, ``migrant_demand_multiplier``)
    may override them by the service's name once an extension declares it.

    Args:
        name: the service's name; ``timeseries.csv`` gets ``demand_<name>`` and ``served_<name>``.
        demand_rate: monthly needs per eligible household (Poisson mean).
        hours_per_need: staff hours one need takes; ``None`` means staff do not serve it
            (only :meth:`Extension.capacity`, organisations and facilities do).
        eligible: a boolean household column; households without it need the service at
            rate 0 (e.g. ``"elderly"`` for elderly care, ``"owns_car"`` for parking).
        vulnerable_multiplier: needs multiplier for vulnerable households.
        migrant_multiplier: needs multiplier for migrant households.
        per_person: needs scale with household size (as health needs do).
        doc: one line on what the service is, for documentation.
    """

    name: str
    demand_rate: float
    hours_per_need: float | None = None
    eligible: str | None = None
    vulnerable_multiplier: float = 1.0
    migrant_multiplier: float = 1.0
    per_person: bool = False
    doc: str = ""

    def rate(self, p: SimulationParameters) -> float:
        return float(p.demand_rate.get(self.name, self.demand_rate))

    def hours(self, p: SimulationParameters) -> float:
        """Staff hours per need (0 when staff do not serve it)."""
        h = p.hours_per_need.get(self.name, self.hours_per_need)
        return 0.0 if h is None else float(h)

    def vulnerable(self, p: SimulationParameters) -> float:
        return float(p.vulnerable_demand_multiplier.get(self.name, self.vulnerable_multiplier))

    def migrant(self, p: SimulationParameters) -> float:
        return float(p.migrant_demand_multiplier.get(self.name, self.migrant_multiplier))


@dataclass(frozen=True)
class OrganisationKind:
    """A kind of organisation: the services its capacity goes to and the agent class it uses.

    Args:
        name: the kind (``Organisation.kind``). An extension's kind with the name of a core
            kind (e.g. ``property_manager``) replaces the core declaration.
        services: services its :attr:`~model.agents.Organisation.capacity` is split over evenly
            (override :meth:`~model.agents.Organisation.service_capacity` for anything else).
        start_weight: its weight in the mix of organisations alive at the start (the core
            kinds' weights sum to 1; 0 means none at the start).
        founded_by_volunteers: volunteers may found one (chosen evenly among such kinds).
        agent_class: the Mesa agent class, :class:`~model.agents.Organisation` or a subclass.
    """

    name: str
    services: tuple[str, ...]
    start_weight: float = 0.0
    founded_by_volunteers: bool = False
    agent_class: type | None = None


@dataclass(frozen=True)
class FacilityService:
    """What a facility kind does for a service (the kind's costs are in the scenario).

    Applied only where the scenario declares the facility kind (``[facilities.<kind>]``),
    so the optimiser can plan it and the simulation opens it when the plan funds it.

    Args:
        kind: the facility kind, e.g. ``"car_park"``.
        service: the service it serves.
        capacity: needs a month one open facility serves by itself (no staff needed).
        required: staff serve ``service`` at ``no_facility_service_factor`` of their
            throughput where the community lacks the facility (as elderly care without an
            elderly centre).
    """

    kind: str
    service: str
    capacity: float = 0.0
    required: bool = False


class Extension:
    """Base class of an extension: declarations plus hooks, each a no-op by default.

    Subclass it, fill in the declarations you need and override the hooks you need. Hooks
    run in the order extensions are listed, at fixed points of the month (see
    :meth:`CommunityModel.step <model.model.CommunityModel.step>`). An instance must be
    picklable (module-level class, plain attributes) for runs in several processes.
    """

    #: Unique name; two extensions with the same name are applied once. Default: the class's module and name.
    name: str = ""
    #: New service types.
    services: tuple[Service, ...] = ()
    #: New organisation kinds (or replacements of core kinds, by name).
    organisations: tuple[OrganisationKind, ...] = ()
    #: Agent class per staff kind (the kind itself, with its costs, is declared in the scenario).
    staff_classes: Mapping[str, type] = {}
    #: What facility kinds do for services.
    facilities: tuple[FacilityService, ...] = ()
    #: Extra ``timeseries.csv`` columns: name → function(model) giving one number per community.
    reporters: Mapping[str, Callable[[CommunityModel], np.ndarray]] = {}
    #: Its parameters: a dataclass whose fields (see :func:`parameter`) a scenario sets in an
    #: ``[extension.<module>]`` table; read them with ``model.extension_params(self)``.
    parameters: type | None = None

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if not cls.__dict__.get("name"):
            cls.name = f"{cls.__module__}.{cls.__qualname__}"
        _check_hook_names(cls)
        if cls.parameters is not None:
            try:
                extension_keys(cls.parameters)
            except TypeError as e:
                where = defined_at(cls.parameters) or defined_at(cls)
                raise ExtensionError(f"extension {cls.__qualname__}{f' ({where})' if where else ''}: {e}") from None

    # -- households (columnar: one call covers every row) ----------------------------------
    def household_columns(
        self, households: Households, fresh: Mapping[str, np.ndarray], rng: np.random.Generator
    ) -> Mapping[str, np.ndarray]:
        """New columns for fresh households: one value per row of ``fresh``.

        ``rng`` is this extension's own stream (``model.extension_rng(self)``), not the core's.
        ``fresh`` holds the new rows' columns drawn so far (the core's — ``community``,
        ``elderly``, ``low_income`` … — and earlier extensions'). Called when the city is
        built and whenever households move in, so every row always has every column.
        """
        return {}

    def household_year(self, households: Households, rng: np.random.Generator) -> None:
        """A yearly rule over all rows (change columns in ``households.cols`` in place).

        ``rng`` is this extension's own stream (``model.extension_rng(self)``), not the core's.

        Runs after ageing and moves and before rows are regrouped and needs rates
        recomputed, so a column it changes affects this year's rates.
        """

    def need_rates(self, households: Households, rates: np.ndarray) -> None:
        """Adjust each household's monthly needs rates (rows × services) in place; yearly."""

    def participation(self, households: Households, probability: np.ndarray) -> np.ndarray:
        """This month's probability that each household takes part; return the new array."""
        return probability

    def volunteering(self, households: Households, probability: np.ndarray) -> np.ndarray:
        """This month's probability that each household volunteers (the core's: taking part ×
        ``volunteer_share_of_participants``); return it changed. Clipped to 0 and the
        probability of taking part: volunteers are drawn among participants (one draw)."""
        return probability

    def needs(self, households: Households, needs: np.ndarray) -> np.ndarray:
        """This month's needs (households × services, whole numbers ≥ 0), just drawn from the
        yearly rates and before they are served: return them changed."""
        return needs

    def satisfaction(self, households: Households, met: np.ndarray, satisfaction: np.ndarray) -> np.ndarray:
        """Each household's experienced service after this month (the core's update: memory ×
        old + (1 − memory) × share met, households without needs unchanged), before it is
        stored in ``households.cols["satisfaction"]``: return it changed (0 to 1).

        ``met`` is the share of each household's needs met this month (NaN without needs)."""
        return satisfaction

    def satisfied(self, households: Households, satisfied: np.ndarray) -> np.ndarray:
        """Whether each household says it is satisfied (the core's: perceived service reaches
        its expectation), as targets, ``satisfied`` columns and surveys read it: return it changed."""
        return satisfied

    # -- the model ------------------------------------------------------------------------
    def setup(self, model: CommunityModel) -> None:
        """Once, after the city is built (households, communities, staff, organisations)."""

    def start_year(self, model: CommunityModel) -> None:
        """At the start of each plan year, after moves and the plan's new projects and posts."""

    def capacity(self, model: CommunityModel, capacity: np.ndarray) -> None:
        """Add needs a month served without staff hours (communities × services), in place."""

    def end_month(self, model: CommunityModel) -> None:
        """At the end of each month, after pay and before the month is recorded."""

    def allocate(
        self,
        model: CommunityModel,
        demand: tuple[np.ndarray, np.ndarray],
        capacity: np.ndarray,
        served: tuple[np.ndarray, np.ndarray],
    ) -> tuple[np.ndarray, np.ndarray]:
        """Who is served first: ``demand`` and ``served`` are (vulnerable, other) households'
        needs and needs served (communities × services); the core serves vulnerable
        households first up to ``capacity``. Return (vulnerable, other) served, each ≤ its
        demand and together ≤ capacity."""
        return served

    def project(self, model: CommunityModel, community: Any, project: Any) -> None:
        """A building project the plan funds this year, after its lag, overrun and deferral
        are drawn (:class:`~model.agents.Project`: ``due`` month, ``cost_factor``): change it
        in place (e.g. later, dearer)."""

    def hires(self, model: CommunityModel, kind: str, wanted: np.ndarray, started: np.ndarray) -> np.ndarray:
        """How many of the ``wanted`` hires of ``kind`` start this month, per community (the
        core's: as many as the city's candidate pool allows): return it changed (whole
        numbers, 0 to ``wanted``). Posts not started are searched again."""
        return started

    def founding(self, model: CommunityModel, founded: np.ndarray) -> np.ndarray:
        """How many organisations volunteers found this month, per community (the core's:
        binomial in volunteers), before their kinds are drawn: return it changed (whole numbers ≥ 0)."""
        return founded

    def organisation_strength(self, model: CommunityModel, organisation: Organisation, strength: float) -> float:
        """One organisation's strength this month (0 to 1: the share of its capacity it
        offers), after its members are counted, for every kind: return it changed."""
        return strength

    def dissolve_risk(self, model: CommunityModel, organisation: Organisation, risk: float) -> float:
        """The probability that one organisation dissolves this month, before its draw, for
        every kind: return it changed (0 to 1)."""
        return risk

    # -- staff ----------------------------------------------------------------------------
    def exit_risk(self, model: CommunityModel, kind: str, risk: np.ndarray) -> np.ndarray:
        """This month's risk that a member of staff ``kind`` leaves, per community: return it changed.

        Runs after the staff class has set the risk (:meth:`StaffMember.exit_risk
        <model.agents.StaffMember.exit_risk>`) and before any member draws, for every
        staff kind; extensions apply in the order they are listed, each to the previous
        one's result. Values must stay probabilities (0 to 1), one per community.
        """
        return risk

    def learning_rate(self, model: CommunityModel, kind: str, rate: np.ndarray) -> np.ndarray:
        """This month's share of the gap to full skill a member of ``kind`` closes by working,
        per community (the core's: ``skill_learning_rate``): return it changed (0 to 1)."""
        return rate

    def training_rate(self, model: CommunityModel, kind: str, rate: np.ndarray) -> np.ndarray:
        """This month's probability that a member of ``kind`` is trained, per community (the
        core's: ``training_rate``): return it changed (0 to 1)."""
        return rate


def overriding(extensions: Iterable[Extension], hook: str) -> tuple[Extension, ...]:
    """The extensions that override ``hook``, in order (so a model without them pays nothing)."""
    base = getattr(Extension, hook)
    return tuple(e for e in extensions if getattr(type(e), hook) is not base)


def _at(e: Extension) -> str:
    where = defined_at(type(e))
    return f" ({where})" if where else ""


def _check_hook_names(cls: type) -> None:
    """A public method that is not a hook would never be called: a misspelt hook is an error.

    Helpers of an extension start with ``_``; declarations are attributes, not methods.
    """
    hooks = {n for n, v in vars(Extension).items() if callable(v) and not n.startswith("_")}
    for name, value in vars(cls).items():
        if name.startswith("_") or not callable(value) or isinstance(value, type) or name in hooks:
            continue
        code = getattr(value, "__code__", None)
        where = f" ({code.co_filename}:{code.co_firstlineno})" if code is not None else ""
        close = difflib.get_close_matches(name, sorted(hooks), n=1, cutoff=0.6)
        hint = f'did you mean "{close[0]}"?' if close else "the hooks are " + ", ".join(sorted(hooks))
        raise ExtensionError(
            f"extension {cls.__qualname__}{where}: {name!r} is not a hook, so it would never run; {hint} "
            "(a helper method's name starts with '_')"
        )


# --------------------------------------------------------------------------------------
# the core declarations (model/agents.py), in the same form an extension uses


def core_services() -> tuple[Service, ...]:
    defaults = SimulationParameters()
    return tuple(
        Service(
            s,
            defaults.demand_rate[s],
            defaults.hours_per_need[s],
            eligible=ELIGIBLE.get(s),
            vulnerable_multiplier=defaults.vulnerable_demand_multiplier[s],
            migrant_multiplier=defaults.migrant_demand_multiplier[s],
            per_person=s == "health",
        )
        for s in SERVICES
    )


def core_organisations() -> tuple[OrganisationKind, ...]:
    return tuple(
        OrganisationKind(k, services, ORGANISATION_MIX.get(k, 0.0), k in FOUNDED_BY_VOLUNTEERS)
        for k, services in ORGANISATION_SERVICES.items()
    )


def core_facilities() -> tuple[FacilityService, ...]:
    return tuple(FacilityService(u, s, required=True) for s, u in FACILITY_FOR.items())


# --------------------------------------------------------------------------------------
# finding extensions


def load_extension(reference: str) -> Extension:
    """The extension a scenario names: ``"package.module"`` or ``"package.module:attribute"``.

    The module (or attribute) must hold an :class:`Extension` instance or subclass under
    ``extension``. Raises :class:`ExtensionError` with what to change.
    """
    module_name, _, attribute = reference.partition(":")
    attribute = attribute or "extension"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as e:
        hint = ""
        top = module_name.split(".")[0]
        if e.name == top:
            hint = (
                "; commplan imports extension modules from the current folder and from installed packages: "
                "run from the folder that holds the package, or add that folder to PYTHONPATH"
            )
        elif e.name == module_name and "." in module_name:
            hint = "; " + _sibling_modules(module_name)
        raise ExtensionError(f"cannot import extension module {module_name!r}: {e}{hint}") from None
    except Exception as e:  # the researcher's module fails while importing: say where
        raise ExtensionError(f"extension module {module_name!r} failed while importing: {_where(e)}") from None
    found = getattr(module, attribute, None)
    if isinstance(found, type) and issubclass(found, Extension):
        found = found()
    if not isinstance(found, Extension):
        raise ExtensionError(
            f"module {module_name!r} has no {attribute!r}: set `{attribute} = YourExtension()` (a subclass of model.extensions.Extension)"
        )
    return found


def _sibling_modules(module_name: str) -> str:
    """``did you mean "pkg.mod"?`` among the modules of the package that did import."""
    import pkgutil

    package_name, _, leaf = module_name.rpartition(".")
    try:
        package = importlib.import_module(package_name)
    except Exception:
        return "its package cannot be imported either"
    names = [m.name for m in pkgutil.iter_modules(getattr(package, "__path__", []))]
    close = difflib.get_close_matches(leaf, names, n=1, cutoff=0.6)
    if close:
        return f'did you mean "{package_name}.{close[0]}"?'
    return f"{package_name} holds: " + (", ".join(sorted(names)) or "no modules")


def _where(e: BaseException) -> str:
    """``ExcType: message (file:line)`` at the innermost frame of the failing code."""
    import traceback

    frames = traceback.extract_tb(e.__traceback__)
    at = f" ({frames[-1].filename}:{frames[-1].lineno})" if frames else ""
    return f"{type(e).__name__}: {e}{at}"


def resolve_extensions(items: Iterable[str | Extension | type]) -> tuple[Extension, ...]:
    """Extensions from names, instances or classes, in order, each name once."""
    out: dict[str, Extension] = {}
    for item in items:
        if isinstance(item, str):
            ext = load_extension(item)
        elif isinstance(item, type) and issubclass(item, Extension):
            ext = item()
        elif isinstance(item, Extension):
            ext = item
        else:
            raise ExtensionError(
                f"{item!r} is not an extension: give a module name, an Extension subclass or an instance"
            )
        out.setdefault(ext.name, ext)
    return tuple(out.values())


class Registry:
    """Everything the model knows about services, organisation and staff kinds, facilities
    and extra columns: the core's declarations plus those of ``extensions``, checked once.

    ``services`` are in column order (core first, then each extension's); ``index[name]`` is
    a service's column in ``model.demand``/``model.served`` and in the rates matrix.
    """

    def __init__(self, extensions: Iterable[Extension] = ()):
        self.extensions = tuple(extensions)
        services = {s.name: s for s in core_services()}
        kinds = {k.name: k for k in core_organisations()}
        self.staff_classes: dict[str, type[StaffMember]] = {}
        facilities = list(core_facilities())
        self.reporters: dict[str, Callable] = {}
        self.reporter_of: dict[str, Extension] = {}  # column -> the extension that reports it
        declared_by: dict[str, str] = {}  # organisation kind -> the extension that declares it
        for e in self.extensions:
            for s in e.services:
                if s.name in services:
                    raise ExtensionError(f"extension {e.name}: service {s.name!r} is already declared")
                services[s.name] = s
            for k in e.organisations:
                if k.name in declared_by:
                    raise ExtensionError(
                        f"extension {e.name}{_at(e)}: organisation kind {k.name!r} is already declared by extension "
                        f"{declared_by[k.name]}; one extension declares a kind, others change it with the hooks "
                        "organisation_strength and dissolve_risk (every kind: test organisation.kind)"
                    )
                declared_by[k.name] = e.name
                kinds[k.name] = k
            for kind, cls in e.staff_classes.items():
                if kind in self.staff_classes:
                    raise ExtensionError(
                        f"extension {e.name}{_at(e)}: staff kind {kind!r} already has an agent class from another "
                        "extension; one extension gives a kind its class, others change it with the hooks exit_risk, "
                        "learning_rate, training_rate and hires (every kind: test the kind argument)"
                    )
                self.staff_classes[kind] = cls
            facilities += list(e.facilities)
            for col, reporter in e.reporters.items():
                if col in self.reporters:
                    raise ExtensionError(f"extension {e.name}: column {col!r} is already reported")
                self.reporters[col] = reporter
                self.reporter_of[col] = e
        self.services = tuple(services.values())
        self.service_names = tuple(services)
        self.index = {s: j for j, s in enumerate(self.service_names)}
        self.organisation_kinds = kinds
        self.facilities = tuple(facilities)
        for k in kinds.values():
            unknown = [s for s in k.services if s not in self.index]
            if unknown:
                raise ExtensionError(f"organisation kind {k.name!r} serves unknown services {unknown}")
        for f in self.facilities:
            if f.service not in self.index:
                raise ExtensionError(f"facility kind {f.kind!r} serves unknown service {f.service!r}")
        core_first = sorted(
            kinds.values(),
            key=lambda k: (
                FOUNDED_BY_VOLUNTEERS.index(k.name) if k.name in FOUNDED_BY_VOLUNTEERS else len(FOUNDED_BY_VOLUNTEERS)
            ),
        )
        self.founded_by_volunteers = tuple(k.name for k in core_first if k.founded_by_volunteers)
        self.start_mix = {k.name: k.start_weight for k in kinds.values() if k.start_weight > 0}
        self._overriding: dict[str, tuple[Extension, ...]] = {}
        #: each extension's parameters by name (defaults until a scenario's tables are bound)
        self.parameters: dict[str, Any] = {e.name: resolve_parameters(e, None, e.name) for e in self.extensions}

    def overriding(self, hook: str) -> tuple[Extension, ...]:
        """The extensions that override ``hook``, in order: the model calls a hook only for them."""
        found = self._overriding.get(hook)
        if found is None:
            found = self._overriding[hook] = overriding(self.extensions, hook)
        return found

    def params(self, extension: Extension | str) -> Any:
        """The resolved parameters of ``extension`` (an instance or its name): an instance of
        its ``parameters`` dataclass, or None when it declares none."""
        name = extension if isinstance(extension, str) else extension.name
        if name not in self.parameters:
            raise ExtensionError(
                f"no extension named {name!r} in this model (its extensions: {', '.join(self.parameters) or 'none'})"
            )
        return self.parameters[name]

    @classmethod
    def for_scenario(cls, scenario: Any, extra: Iterable[str | Extension | type] = ()) -> Registry:
        """The registry of a scenario's named extensions plus ``extra``.

        A scenario loaded without its extensions (``scenarios.loader.load`` without
        ``services_of``) may name their services in ``[simulation]``: checked here.
        """
        registry = cls(resolve_extensions((*getattr(scenario, "extensions", ()), *extra)))
        registry.check_staff_kinds(getattr(scenario, "staff", {}))
        simulation = getattr(scenario, "simulation", None)
        for f in fields(simulation) if simulation is not None else ():
            value = getattr(simulation, f.name)
            unknown = [s for s in value if s not in registry.index] if isinstance(value, Mapping) else []
            if unknown:
                raise ExtensionError(
                    f"[simulation] {f.name}: {', '.join(map(repr, unknown))} not a service of the model "
                    f"or of its extensions ({', '.join(registry.service_names)})"
                )
        return registry

    def check_staff_kinds(self, declared: Iterable[str]) -> None:
        """Every staff kind an extension gives a class (``staff_classes``) is declared by the
        scenario; a kind it does not declare (a typo, a missing ``[staff.<kind>]``) is an error."""
        declared = list(declared)
        for e in self.extensions:
            for kind in e.staff_classes:
                if kind in declared:
                    continue
                where = defined_at(type(e))
                close = difflib.get_close_matches(kind, declared, n=1, cutoff=0.6)
                hint = f'did you mean "{close[0]}"? ' if close else ""
                raise ExtensionError(
                    f"extension {e.name}{f' ({where})' if where else ''}: staff_classes names staff kind {kind!r}, "
                    f"which the scenario does not declare (it declares: {', '.join(declared) or 'none'}); {hint}"
                    f"fix the name, or declare the kind in the scenario as [staff.{kind}] with its costs"
                )

    def columns(self, scenario: Any) -> list[str]:
        """Value columns of ``timeseries.csv`` after ``replication, month, community``."""
        cols = ["households"]
        cols += [f"demand_{s}" for s in self.service_names] + [f"served_{s}" for s in self.service_names]
        cols += ["satisfaction", "participation", "volunteers", "organisations"]
        for prefix in ("staff", "hires", "exits"):
            cols += [f"{prefix}_{k}" for k in scenario.staff]
        cols += ["spent", "moved_in", "moved_out", "space_m2"] + [f"has_{u}" for u in scenario.facilities]
        cols += ["satisfied"] + [f"posts_{k}" for k in scenario.staff]
        cols += (["funds"] if scenario.uses_funds else []) + [f"trained_{k}" for k in scenario.trained_kinds]
        cols += optional_columns(scenario)
        clash = [c for c in self.reporters if c in cols]
        if clash:
            raise ExtensionError(f"reporter columns {clash} clash with the model's own columns")
        return cols + list(self.reporters)

    def organisation_class(self, kind: str) -> type:
        k = self.organisation_kinds.get(kind)
        if k is None:
            raise ExtensionError(
                f"unknown organisation kind {kind!r}; declare it with OrganisationKind in an extension"
            )
        return k.agent_class or Organisation

    def staff_class(self, kind: str) -> type[StaffMember]:
        return self.staff_classes.get(kind, StaffMember)


CORE = Registry()


def optional_columns(scenario: Any) -> list[str]:
    """Columns only a scenario that uses their keys records (so other scenarios' files stay
    as they were): ``committee`` (new developments), ``developer_m2`` (developers' space),
    ``cobuilding`` (a target reads it)."""
    out = []
    if any(getattr(c, "new_development", False) for c in scenario.communities):
        out.append("committee")
    if getattr(scenario, "developer_space", ()):
        out.append("developer_m2")
    if any(
        a.kind == "outcome" and a.item == "cobuilding"
        for t in scenario.targets
        if t.condition is not None
        for a in t.condition.atoms
    ):
        out.append("cobuilding")
    return out


def services_of(name: str) -> tuple[str, ...]:
    """Names of the services the named extension declares: the scenario loader's ``services_of``."""
    return tuple(s.name for s in load_extension(name).services)


def parameters_of(name: str) -> type | None:
    """The parameters dataclass the named extension declares: the scenario loader's ``parameters_of``."""
    return load_extension(name).parameters


def scenario_parameters(scenario: Any, extensions: Iterable[Extension]) -> dict[str, Any]:
    """Each extension's resolved parameters (by extension name) from the scenario's
    ``[extension.<name>]`` tables; an extension without a table gets its defaults."""
    tables = dict(getattr(scenario, "extension_parameters", {}) or {})
    by_name: dict[str, tuple[str, Mapping[str, Any]]] = {}
    for reference, values in tables.items():
        by_name[load_extension(reference).name] = (reference, values)
    out = {}
    for e in extensions:
        reference, values = by_name.pop(e.name, (e.name, None))
        out[e.name] = resolve_parameters(e, values, reference)
    for reference, _ in by_name.values():
        raise ExtensionError(f"[extension.{reference}]: the model does not apply extension {reference!r}")
    return out
