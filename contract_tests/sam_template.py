"""Read a stack as deployed from its AWS SAM template: which function serves each WebSocket route, where its
code is, its runtime and configuration, and the REQUEST authorizer in front of `$connect`.

Hand-written over PyYAML: cfn-lint and the SAM translator resolve far more (and pull in far more) than
the few shapes a WebSocket stack's routes, integrations and functions take.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from contract_tests.errors import HarnessError
from contract_tests.inline_code import inline_code_folder
from contract_tests.input_files import InputFileError, read_text
from contract_tests.lambda_runtime import holds_layer
from contract_tests.targets import JS_SUFFIXES, node_handler_parts

#: ``${Name.Arn}`` (or ``${Name}``) inside an ``Fn::Sub`` string, and the integration of ``integrations/${X}``.
_REFERENCE = re.compile(r"\$\{([A-Za-z0-9]+)(?:\.Arn)?\}")
_RUNTIMES = {"python": "python", "nodejs": "nodejs"}
#: CloudFormation takes a template of at most 1 MB (from S3); a larger file is no template.
TEMPLATE_BYTES = 1 << 20


class _CloudFormationLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short tags read as their long form: ``!Ref X`` is ``{"Ref": "X"}``."""


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = str(value).split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]  # a MappingNode here
    return {name: value}


_CloudFormationLoader.add_multi_constructor("!", _tag)


@dataclass(frozen=True)
class StackFunction:
    """One function of the stack: a handler target the gate runs, its runtime, and its own variables."""

    name: str
    target: str
    #: Lambda's identifier, as the template gives it (``python3.12``, ``nodejs20.x``).
    runtime: str
    variables: Mapping[str, str]
    #: The variables whose value is the table's name (``!Ref`` the table): the gate sets them to its own.
    table_variables: tuple[str, ...] = ()
    #: ``Timeout`` (seconds) and ``MemorySize`` (MB) as deployed; None where the template leaves them out.
    timeout_s: float | None = None
    memory_mb: int | None = None
    #: The folders of its layers that the template holds (``ContentUri``), in its order.
    layers: tuple[str, ...] = ()
    #: Its layers the template only names (an ARN): the gate has not their content.
    external_layers: tuple[str, ...] = ()
    #: An authorizer's ``IdentitySource``: what API Gateway requires of a connect before running it.
    identity_sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Stack:
    """The functions serving each route, and the authorizer in front of `$connect` (None: none)."""

    routes: Mapping[str, StackFunction]
    authorizer: StackFunction | None = None
    ignored: tuple[str, ...] = field(default=())


def load_template(path: Path) -> Any:
    """The template at ``path`` as data, CloudFormation's short tags in their long form."""
    return yaml.load(read_text(path, TEMPLATE_BYTES, "SAM template"), Loader=_CloudFormationLoader)


def _reader(path: str) -> _Reader:
    template_path = Path(path)
    try:
        document = load_template(template_path)
    except OSError as error:
        raise HarnessError(f"--template {path}: cannot read it ({error.strerror or error})") from None
    except InputFileError as error:
        raise HarnessError(f"--template {path}: {error}") from None
    except yaml.YAMLError as error:
        raise HarnessError(f"--template {path}: not YAML ({str(error).splitlines()[0]})") from None
    resources = document.get("Resources") if isinstance(document, dict) else None
    if not isinstance(resources, dict):
        raise HarnessError(f"--template {path}: no Resources section")
    return _Reader(template_path, document, resources)


def read_stack(path: str) -> Stack:
    """The stack of the SAM template at ``path``; HarnessError (exit 2) says what it cannot read."""
    reader = _reader(path)
    resources = reader.resources
    routes: dict[str, StackFunction] = {}
    authorizer: StackFunction | None = None
    for name, resource in resources.items():
        if _kind(resource) != "AWS::ApiGatewayV2::Route":
            continue
        properties = resource.get("Properties") or {}
        key = properties.get("RouteKey")
        if not isinstance(key, str):
            raise HarnessError(f"--template {path}: route {name} has no literal RouteKey")
        integration = reader.referenced(properties.get("Target"), f"route {key}'s Target")
        routes[key] = reader.function(reader.referenced_function(integration, "IntegrationUri"))
        if key == "$connect" and properties.get("AuthorizerId") is not None:
            found = reader.referenced(properties["AuthorizerId"], "the $connect route's AuthorizerId")
            authorizer = reader.function(reader.referenced_function(found, "AuthorizerUri"), authorizer=True)
            sources = (reader.resources[found].get("Properties") or {}).get("IdentitySource") or []
            sources = sources.split(",") if isinstance(sources, str) else sources
            kept = tuple(source.strip() for source in sources if isinstance(source, str) and source.strip())
            authorizer = replace(authorizer, identity_sources=kept)
    if "$connect" not in routes:
        raise HarnessError(f"--template {path}: no AWS::ApiGatewayV2::Route with RouteKey $connect")
    return Stack(routes, authorizer)


def read_invoked(path: str, variable: str, function: str) -> StackFunction:
    """The one function of the template at ``path`` configured with ``variable`` (a function invoked directly,
    on no route, e.g. the router with its ``CONNECTIONS_ENDPOINT``); its value is the gate's to give."""
    reader = _reader(path)
    found = [
        name
        for name, resource in reader.resources.items()
        if _kind(resource) in FUNCTION_TYPES and variable in reader.declared_variables(resource)
    ]
    if len(found) != 1:
        which = f"{len(found)} do: {', '.join(found)}" if found else "none does"
        raise reader.fail(f"the {function} is the one function whose Environment sets {variable}; {which}")
    return reader.function(found[0], skipped=(variable,))


def _named(value: Any) -> list[str]:
    """The logical ids a value names: ``${X.Arn}`` in an ``Fn::Sub``, ``Fn::GetAtt`` and ``Ref`` anywhere
    in it (CDK writes an integration's URI as an ``Fn::Join`` around ``Fn::GetAtt [Fn, Arn]``)."""
    if isinstance(value, list):
        return [found for part in value for found in _named(part)]
    if not isinstance(value, dict):
        return []
    names: list[str] = []
    for key, inner in value.items():
        if key == "Fn::Sub":
            text = inner[0] if isinstance(inner, list) and inner else inner
            names += _REFERENCE.findall(str(text))
            names += _named(inner[1:]) if isinstance(inner, list) else []  # its variables' values
        elif key == "Fn::GetAtt" and isinstance(inner, list) and inner:
            names.append(str(inner[0]))
        elif key == "Ref":
            names.append(str(inner))
        else:
            names += _named(inner)
    return names


def _kind(resource: Any) -> str | None:
    return resource.get("Type") if isinstance(resource, dict) else None


class _Reader:
    def __init__(self, path: Path, document: dict[str, Any], resources: dict[str, Any]) -> None:
        self.path, self.resources = path, resources
        globals_ = document.get("Globals")
        function_globals = globals_.get("Function") if isinstance(globals_, dict) else None
        self.globals: dict[str, Any] = function_globals if isinstance(function_globals, dict) else {}
        parameters = document.get("Parameters")
        self.parameters: dict[str, Any] = parameters if isinstance(parameters, dict) else {}

    def fail(self, why: str) -> HarnessError:
        return HarnessError(f"--template {self.path}: {why}")

    def referenced(self, value: Any, what: str) -> str:
        """The logical id ``value`` points at: ``!Ref X``, ``integrations/${X}`` (``!Sub``) or ``!Join``."""
        text = value
        if isinstance(value, dict) and "Ref" in value:
            text = value["Ref"]
        elif isinstance(value, dict) and "Fn::Sub" in value:
            text = value["Fn::Sub"] if isinstance(value["Fn::Sub"], str) else value["Fn::Sub"][0]
            found = _REFERENCE.search(str(text))
            text = found.group(1) if found else None
        elif isinstance(value, dict) and "Fn::Join" in value:
            parts = value["Fn::Join"][1] if isinstance(value["Fn::Join"], list) else []
            refs = [part["Ref"] for part in parts if isinstance(part, dict) and "Ref" in part]
            text = refs[-1] if refs else None
        if not isinstance(text, str) or text not in self.resources:
            raise self.fail(f"{what} names no resource of the template")
        return text

    def referenced_function(self, name: str, uri: str) -> str:
        """The function an integration's IntegrationUri (or an authorizer's AuthorizerUri) invokes."""
        properties = self.resources[name].get("Properties") or {}
        found = _named(properties.get(uri))
        functions = list(dict.fromkeys(ref for ref in found if _kind(self.resources.get(ref)) in FUNCTION_TYPES))
        if len(functions) != 1:
            raise self.fail(
                f"{name}'s {uri} invokes no function of the template (it names one as !Sub …${{Fn.Arn}}… or"
                " !GetAtt Fn.Arn)"
            )
        return str(functions[0])

    def declared_variables(self, resource: dict[str, Any]) -> dict[str, Any]:
        properties = {**self.globals, **(resource.get("Properties") or {})}
        environment = properties.get("Environment") or {}
        declared = environment.get("Variables") if isinstance(environment, dict) else None
        return declared if isinstance(declared, dict) else {}

    def function(self, name: str, authorizer: bool = False, skipped: tuple[str, ...] = ()) -> StackFunction:
        properties = {**self.globals, **(self.resources[name].get("Properties") or {})}
        runtime = str(properties.get("Runtime") or "")
        kind = next((gate for prefix, gate in _RUNTIMES.items() if runtime.startswith(prefix)), None)
        if kind is None:
            raise self.fail(
                f"{name}: runtime {runtime or 'none'!r} is not one the gate runs from a template (python3.x or nodejs*)"
            )
        handler = properties.get("Handler")
        if not isinstance(handler, str) or "." not in handler:
            raise self.fail(f"{name}: a literal Handler (file.function) is needed")
        root = self.code_folder(name, properties, kind)
        if kind == "python":
            module, _, function_name = handler.rpartition(".")
            files = [root / f"{module.replace('.', '/')}.py"]
        else:
            module, function_name = node_handler_parts(handler)
            files = [root / f"{module}{suffix}" for suffix in JS_SUFFIXES]
        found = next((candidate for candidate in files if candidate.is_file()), None)
        if found is None:
            raise self.fail(f"{name}: no {' or '.join(str(candidate) for candidate in files)}")
        variables, table_variables = self.variables(name, properties, authorizer, skipped)
        timeout = self.setting(name, properties, "Timeout", LAMBDA_TIMEOUT_S, "--timeout")
        memory = self.setting(name, properties, "MemorySize", LAMBDA_MEMORY_MB, "--memory")
        layers, external = self.layers(name)
        return StackFunction(
            name,
            f"{found}:{function_name}",
            runtime,
            variables,
            table_variables,
            None if timeout is None else float(timeout),
            memory,
            layers,
            external,
        )

    def code_folder(self, name: str, properties: dict[str, Any], language: str) -> Path:
        """Where the function's code is: ``CodeUri`` (SAM) or ``Code`` (``aws cloudformation package``'s
        form) naming a local folder, or the folder of its inline code (``InlineCode``, ``Code.ZipFile``)."""
        code = properties.get("Code")
        inline = properties.get("InlineCode", code.get("ZipFile") if isinstance(code, dict) else None)
        folder = properties.get("CodeUri", code if isinstance(code, str) else self.asset(name, "Code"))
        if isinstance(inline, str):
            return inline_code_folder(inline, language)
        if isinstance(folder, str) and "://" not in folder:
            return (self.path.parent / folder).resolve()
        raise self.fail(
            f"{name}: its code is in no local folder (CodeUri or Code naming one, or InlineCode or Code.ZipFile"
            " holding it): check the template sam build writes (.aws-sam/build/template.yaml)"
        )

    def asset(self, name: str, property_name: str) -> str | None:
        """The folder beside a template ``cdk synth`` wrote that holds ``name``'s ``property_name`` (its
        ``aws:asset:path`` metadata): CDK's template names the uploaded archive, the folder is what it holds."""
        metadata = self.resources[name].get("Metadata")
        if not isinstance(metadata, dict) or metadata.get("aws:asset:property") != property_name:
            return None
        path = metadata.get("aws:asset:path")
        return path if isinstance(path, str) else None

    def layers(self, name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The function's layers, Globals' first as SAM adds them: the folders of those the template holds,
        and the ARNs of the others."""
        listed = [
            *(self.globals.get("Layers") or []),
            *((self.resources[name].get("Properties") or {}).get("Layers") or []),
        ]
        folders: list[str] = []
        external: list[str] = []
        for entry in listed:
            target = entry.get("Ref") if isinstance(entry, dict) else None
            resource = self.resources.get(target) if isinstance(target, str) else None
            if _kind(resource) not in LAYER_TYPES:
                external.append(str(entry if isinstance(entry, str) else next(iter(entry.values()), entry)))
                continue
            properties = (resource or {}).get("Properties") or {}
            content = properties.get("ContentUri", properties.get("Content"))
            content = content if isinstance(content, str) else self.asset(str(target), "Content")
            folder = (self.path.parent / content).resolve() if isinstance(content, str) else None
            if folder is None or not folder.is_dir():
                raise self.fail(f"{name}: layer {target}'s content is not a local folder")
            if not holds_layer(folder):
                raise self.fail(
                    f"{name}: layer {target} ({folder}) holds no python/ or nodejs/ folder; a layer sam build"
                    " makes is checked from the template sam build writes (.aws-sam/build/template.yaml)"
                )
            folders.append(str(folder))
        return tuple(folders), tuple(external)

    def setting(
        self, name: str, properties: dict[str, Any], key: str, bounds: tuple[int, int], option: str
    ) -> int | None:
        """The function's whole-number ``key`` (literal, or a parameter's default) within Lambda's ``bounds``."""
        value = properties.get(key)
        if isinstance(value, dict) and "Ref" in value:
            parameter = self.parameters.get(value["Ref"])
            value = parameter.get("Default") if isinstance(parameter, dict) else None
            if value is None:
                raise self.fail(f"{name}: {key} is !Ref {properties[key]['Ref']}, which has no Default; give {option}")
        if value is None:
            return None
        try:
            number = int(str(value))
        except ValueError:
            raise self.fail(f"{name}: {key} {value!r} is not a whole number; give {option}") from None
        low, high = bounds
        if not low <= number <= high:
            raise self.fail(f"{name}: {key} {number} is outside Lambda's {low}-{high}")
        return number

    def names_a_table(self, value: Any) -> bool:
        """Whether ``value`` is a table's name: ``!Ref`` the table, or what its ``TableName`` is written as
        (a parameter's ``!Ref``, a ``!Sub``, a literal), as AWS's WebSocket chat sample writes it."""
        target = value.get("Ref") if isinstance(value, dict) else None
        if isinstance(target, str) and _kind(self.resources.get(target)) == "AWS::DynamoDB::Table":
            return True
        return value is not None and any(
            _kind(resource) == "AWS::DynamoDB::Table" and (resource.get("Properties") or {}).get("TableName") == value
            for resource in self.resources.values()
        )

    def variables(
        self, name: str, properties: dict[str, Any], authorizer: bool, skipped: tuple[str, ...] = ()
    ) -> tuple[dict[str, str], tuple[str, ...]]:
        """The function's literal variables, parameters at their defaults; the table's name marked apart."""
        environment = properties.get("Environment") or {}
        declared = environment.get("Variables") if isinstance(environment, dict) else None
        literal: dict[str, str] = {}
        tables: list[str] = []
        for variable, value in (declared or {}).items():
            if variable in skipped:
                continue
            if self.names_a_table(value):
                tables.append(variable)
                continue
            if isinstance(value, dict) and "Ref" in value:
                target = value["Ref"]
                parameter = self.parameters.get(target)
                if isinstance(parameter, dict) and "Default" in parameter:
                    literal[variable] = str(parameter["Default"])
                    continue
                if authorizer:
                    continue  # the authorizer's key ring: the gate, as the issuer, gives it its own
                raise self.fail(f"{name}: {variable} is !Ref {target}, which has no Default; give it with --env")
            if isinstance(value, (str, int, float, bool)):
                literal[variable] = str(value).lower() if isinstance(value, bool) else str(value)
            else:
                raise self.fail(f"{name}: {variable} is not a literal, a parameter or the table; give it with --env")
        return literal, tuple(tables)


FUNCTION_TYPES = ("AWS::Serverless::Function", "AWS::Lambda::Function")
LAYER_TYPES = ("AWS::Serverless::LayerVersion", "AWS::Lambda::LayerVersion")
#: What Lambda accepts for a function's Timeout (seconds) and MemorySize (MB).
LAMBDA_TIMEOUT_S = (1, 900)
LAMBDA_MEMORY_MB = (128, 10240)
