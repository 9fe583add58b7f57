"""DCAT-AP (and DCAT-AP_IT) metadata for the package, so dati.gov.it and data.europa.eu can harvest it.

The dataset's titles, descriptions, keywords, licence, coverage and version come from
``datapackage.json``; what a data package does not hold (publisher codes, EU vocabulary
URIs, media types) comes from ``dcat_profile.json`` next to this module, so a maintainer
edits data, not code. Distributions describe a built release (``bgopendata build``): one
per artifact, with its byte size and SHA-256 as an SPDX checksum, read from the release's
``SHA256SUMS`` and checked against the files.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from importlib import resources as importlib_resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bgopendata.errors import UnusableInput
from bgopendata.extras import require
from bgopendata.package import Package, open_package
from bgopendata.publish import assets as assets

if TYPE_CHECKING:  # pragma: no cover
    import rdflib

RDF_FORMATS = {"turtle": "turtle", "json-ld": "json-ld"}
LANGS = ("en", "it")


@dataclass(frozen=True)
class Artifact:
    """One file of a release: what a DCAT distribution and a site download link describe."""

    name: str
    path: Path
    bytes: int
    sha256: str
    media_type: str
    file_type: str


def load_profile() -> dict[str, Any]:
    """The catalogue metadata kept as data beside this module."""
    text = importlib_resources.files("bgopendata.portal").joinpath("dcat_profile.json").read_text("utf-8")
    return json.loads(text)


def release_artifacts(folder: str | Path, profile: dict[str, Any] | None = None) -> list[Artifact]:
    """The artifacts of a built release, each checked as ``open_release`` checks a release folder.

    A missing, tampered or non-regular file (a symlink, a pipe) is refused: metadata must not
    advertise a checksum that the published file does not have.
    """
    from bgopendata.release_folder import open_release

    profile = profile or load_profile()
    release = open_release(folder)
    found = []
    for name, path in release.files.items():
        if name in profile["skip_artifacts"]:
            continue
        fmt = profile["formats"].get(Path(name).suffix, {"media_type": "application/octet-stream", "file_type": "BIN"})
        found.append(Artifact(name, path, path.stat().st_size, release.sums[name], fmt["media_type"], fmt["file_type"]))
    return found


def text_in(descriptor: dict[str, Any], key: str, lang: str) -> str | None:
    """A descriptor's text in ``lang``: ``key`` holds English, ``key_it`` Italian (our convention)."""
    value = descriptor.get(key if lang == "en" else f"{key}_{lang}")
    return value.strip() if isinstance(value, str) and value.strip() else None


def modified_date(package: Package) -> dt.date:
    """When the data last changed, from data rather than the clock where possible.

    Order: the descriptor's ``modified``/``created``; ``SOURCE_DATE_EPOCH`` (reproducible
    builds); the date of the last git commit; today.
    """
    for key in ("modified", "created"):
        value = package.descriptor.get(key)
        if isinstance(value, str) and len(value) >= 10:
            try:
                return dt.date.fromisoformat(value[:10])
            except ValueError:
                raise UnusableInput(f"{key} {value!r} is not an ISO date", path="datapackage.json", field=key) from None
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    git = shutil.which("git")
    if git:
        try:
            out = subprocess.run(
                [git, "log", "-1", "--format=%cs"],
                cwd=package.root,
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
            if out.returncode == 0 and out.stdout.strip():
                return dt.date.fromisoformat(out.stdout.strip())
        except (OSError, subprocess.TimeoutExpired, ValueError):
            pass
    return dt.date.today()


def dcat_graph(
    package_path: str | Path = ".",
    artifacts: list[Artifact] | None = None,
    *,
    profile: dict[str, Any] | None = None,
    modified: dt.date | None = None,
) -> rdflib.Graph:
    """The package as a DCAT-AP 3 / DCAT-AP_IT graph: catalogue, dataset, distributions, agents."""
    require("dcat")
    from rdflib import BNode, Graph, Literal, Namespace, URIRef
    from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

    profile = profile or load_profile()
    package = open_package(package_path)
    desc = package.descriptor
    artifacts = artifacts or []
    version = str(desc.get("version") or "")
    if not version:
        raise UnusableInput("no 'version': a catalogue needs it", path="datapackage.json", field="version")
    modified = modified or modified_date(package)

    DCATAPIT = Namespace("http://dati.gov.it/onto/dcatapit#")
    VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
    SPDX = Namespace("http://spdx.org/rdf/terms#")
    ADMS = Namespace("http://www.w3.org/ns/adms#")
    g = Graph()
    for prefix, ns in (
        ("dcat", DCAT),
        ("dct", DCTERMS),
        ("foaf", FOAF),
        ("vcard", VCARD),
        ("dcatapit", DCATAPIT),
        ("spdx", SPDX),
        ("skos", SKOS),
        ("adms", ADMS),
    ):
        g.bind(prefix, ns)

    base = profile["base_uri"].rstrip("/") + "/"
    name = str(desc.get("name") or "dataset")
    catalog = URIRef(f"{base}catalog")
    dataset = URIRef(f"{base}dataset/{name}")

    def typed(node, *classes):
        for cls in classes:
            g.add((node, RDF.type, cls))
        return node

    def texts(node, prop, values: dict[str, str | None]):
        for lang, value in values.items():
            if value:
                g.add((node, prop, Literal(value, lang=lang)))

    def agent(key: str):
        spec = profile[key]
        node = typed(URIRef(f"{base}agent/{spec['identifier']}"), FOAF.Agent, DCATAPIT.Agent)
        texts(node, FOAF.name, spec["name"])
        g.add((node, DCTERMS.identifier, Literal(spec["identifier"])))
        if spec.get("homepage"):
            g.add((node, FOAF.homepage, typed(URIRef(spec["homepage"]), FOAF.Document)))
        return node

    def concept(uri: str, *classes):
        return typed(URIRef(uri), SKOS.Concept, *classes)

    publisher = agent("publisher")
    rights_holder = agent("rights_holder")
    licence = licence_node(g, desc, profile, typed)
    languages = [typed(URIRef(u), DCTERMS.LinguisticSystem) for u in profile["languages"]]
    date = Literal(modified.isoformat(), datatype=XSD.date)

    # Catalogue: DCAT-AP_IT harvests catalogues, not loose datasets.
    typed(catalog, DCAT.Catalog, DCATAPIT.Catalog)
    texts(catalog, DCTERMS.title, profile["catalog"]["title"])
    texts(catalog, DCTERMS.description, profile["catalog"]["description"])
    g.add((catalog, DCTERMS.publisher, publisher))
    g.add((catalog, DCTERMS.modified, date))
    g.add((catalog, FOAF.homepage, typed(URIRef(profile["catalog"]["homepage"]), FOAF.Document)))
    for lang in languages:
        g.add((catalog, DCTERMS.language, lang))
    g.add((catalog, DCAT.dataset, dataset))

    # Dataset.
    typed(dataset, DCAT.Dataset, DCATAPIT.Dataset)
    texts(dataset, DCTERMS.title, {lang: text_in(desc, "title", lang) for lang in LANGS})
    texts(dataset, DCTERMS.description, {lang: text_in(desc, "description", lang) for lang in LANGS})
    if not text_in(desc, "title", "en") or not text_in(desc, "description", "en"):
        raise UnusableInput("a catalogue needs 'title' and 'description'", path="datapackage.json")
    g.add((dataset, DCTERMS.identifier, Literal(f"{profile['publisher']['identifier']}:{name}")))
    g.add((dataset, ADMS.version, Literal(version)))
    g.add((dataset, DCTERMS.modified, date))
    g.add((dataset, DCTERMS.publisher, publisher))
    g.add((dataset, DCTERMS.rightsHolder, rights_holder))
    scheme = profile["theme_scheme"]
    scheme_theme = typed(URIRef(scheme["uri"]), SKOS.ConceptScheme)
    texts(scheme_theme, DCTERMS.title, scheme["title"])
    for theme in profile["themes"]:
        node = concept(theme["uri"])
        texts(node, SKOS.prefLabel, theme["label"])
        g.add((node, SKOS.inScheme, scheme_theme))
        g.add((dataset, DCAT.theme, node))
    frequency = concept(profile["frequency"]["uri"], DCTERMS.Frequency)
    texts(frequency, SKOS.prefLabel, profile["frequency"]["label"])
    g.add((dataset, DCTERMS.accrualPeriodicity, frequency))
    g.add((dataset, DCTERMS.accessRights, typed(URIRef(profile["access_rights"]), DCTERMS.RightsStatement)))
    for lang in languages:
        g.add((dataset, DCTERMS.language, lang))
    for keyword in desc.get("keywords") or []:
        g.add((dataset, DCAT.keyword, Literal(keyword)))
    if desc.get("homepage"):
        g.add((dataset, DCAT.landingPage, typed(URIRef(desc["homepage"]), FOAF.Document)))
    spatial = desc.get("spatial") or {}
    if spatial.get("nuts3"):
        place = typed(URIRef(profile["nuts_uri"].format(code=spatial["nuts3"])), DCTERMS.Location)
        texts(place, SKOS.prefLabel, {"en": spatial.get("name"), "it": spatial.get("name_it")})
        g.add((place, SKOS.notation, Literal(spatial["nuts3"])))
        g.add((dataset, DCTERMS.spatial, place))
    temporal = desc.get("temporal") or {}
    if temporal.get("start") or temporal.get("end"):
        period = typed(BNode(), DCTERMS.PeriodOfTime)
        if temporal.get("start"):
            g.add((period, DCAT.startDate, _date_literal(temporal["start"], start=True)))
        if temporal.get("end"):
            g.add((period, DCAT.endDate, _date_literal(temporal["end"], start=False)))
        g.add((dataset, DCTERMS.temporal, period))
    contact = typed(URIRef(f"{base}contact"), VCARD.Kind, VCARD.Organization)
    g.add((contact, VCARD.fn, Literal(profile["contact_point"]["name"])))
    g.add((contact, VCARD.hasURL, URIRef(profile["contact_point"]["url"])))
    g.add((dataset, DCAT.contactPoint, contact))
    provenance = typed(BNode(), DCTERMS.ProvenanceStatement)
    texts(provenance, RDFS.label, profile["provenance"])
    sources = [s for s in desc.get("sources") or [] if isinstance(s, dict) and s.get("title")]
    for lang, lead in (("en", "Sources"), ("it", "Fonti")):
        titles = [text_in(s, "title", lang) for s in sources]
        if titles and all(titles):  # in Italian only when every source has its ``title_it``
            g.add((provenance, RDFS.comment, Literal(f"{lead}: {'; '.join(t for t in titles if t)}", lang=lang)))
    g.add((dataset, DCTERMS.provenance, provenance))

    # Distributions: one per release artifact.
    release_page = URIRef(f"{profile['release_base_url'].rstrip('/')}/tag/v{version}")
    sha256 = typed(SPDX.checksumAlgorithm_sha256, SPDX.ChecksumAlgorithm)
    for art in artifacts:
        dist = typed(URIRef(f"{base}dataset/{name}/distribution/{art.name}"), DCAT.Distribution, DCATAPIT.Distribution)
        g.add((dataset, DCAT.distribution, dist))
        texts(dist, DCTERMS.title, {"en": art.name})
        g.add((dist, DCAT.accessURL, typed(release_page, RDFS.Resource)))
        download = URIRef(f"{profile['release_base_url'].rstrip('/')}/download/v{version}/{art.name}")
        g.add((dist, DCAT.downloadURL, typed(download, RDFS.Resource)))
        g.add(
            (
                dist,
                DCAT.mediaType,
                typed(URIRef(f"http://www.iana.org/assignments/media-types/{art.media_type}"), DCTERMS.MediaType),
            )
        )
        g.add(
            (
                dist,
                DCTERMS.format,
                typed(
                    URIRef(f"http://publications.europa.eu/resource/authority/file-type/{art.file_type}"),
                    DCTERMS.MediaTypeOrExtent,
                ),
            )
        )
        g.add((dist, DCAT.byteSize, Literal(art.bytes, datatype=XSD.nonNegativeInteger)))
        checksum = typed(BNode(), SPDX.Checksum)
        g.add((checksum, SPDX.algorithm, sha256))
        g.add((checksum, SPDX.checksumValue, Literal(art.sha256, datatype=XSD.hexBinary)))
        g.add((dist, SPDX.checksum, checksum))
        g.add((dist, DCTERMS.license, licence))
        g.add((dist, DCTERMS.modified, date))
    return g


def licence_node(g: Any, desc: dict[str, Any], profile: dict[str, Any], typed: Any) -> Any:
    """The EU licence authority URI for the package's first licence (SPDX id), typed as DCAT-AP wants."""
    from rdflib import Literal, URIRef
    from rdflib.namespace import DCTERMS, RDFS

    licences = desc.get("licenses") or []
    if not licences or not isinstance(licences[0], dict) or not licences[0].get("name"):
        raise UnusableInput(
            "a catalogue needs a licence with an SPDX 'name'", path="datapackage.json", field="licenses"
        )
    spdx_id = licences[0]["name"]
    uri = profile["licences"].get(spdx_id)
    if uri is None:
        raise UnusableInput(
            f"licence {spdx_id!r} has no EU licence URI in dcat_profile.json", path="datapackage.json", field="licenses"
        )
    node = typed(URIRef(uri), DCTERMS.LicenseDocument)
    if licences[0].get("path"):
        g.add((node, RDFS.seeAlso, URIRef(licences[0]["path"])))
    if licences[0].get("title"):
        g.add((node, RDFS.label, Literal(licences[0]["title"])))
    return node


def _date_literal(value: Any, *, start: bool) -> Any:
    """A coverage bound: ``YYYY`` becomes the first or last day of the year; dates stay dates."""
    from rdflib import Literal
    from rdflib.namespace import XSD

    text = str(value).strip()
    if len(text) == 4 and text.isdigit():
        text = f"{text}-01-01" if start else f"{text}-12-31"
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        raise UnusableInput(
            f"temporal bound {value!r} is neither YYYY nor YYYY-MM-DD", path="datapackage.json", field="temporal"
        ) from None
    return Literal(text, datatype=XSD.date)


def export_dcat(
    package_path: str | Path = ".",
    *,
    release: str | Path | None = None,
    rdf_format: str = "turtle",
    modified: dt.date | None = None,
) -> str:
    """Serialise the DCAT-AP description; without ``release`` a release is built in a temp folder."""
    if rdf_format not in RDF_FORMATS:
        raise UnusableInput(f"unknown RDF format {rdf_format!r}; choose {', '.join(RDF_FORMATS)}")
    profile = load_profile()
    if release is not None:
        artifacts = release_artifacts(release, profile)
        graph = dcat_graph(package_path, artifacts, profile=profile, modified=modified)
    else:
        with built_release(package_path) as folder:
            artifacts = release_artifacts(folder, profile)
            graph = dcat_graph(package_path, artifacts, profile=profile, modified=modified)
    return graph.serialize(format=RDF_FORMATS[rdf_format])


class built_release:
    """Build the package's release into a temporary folder for as long as the block runs."""

    def __init__(self, package_path: str | Path) -> None:
        self.package_path = package_path
        self.tmp: Path | None = None

    def __enter__(self) -> Path:
        import tempfile

        from bgopendata.publish.build import build

        self.tmp = Path(tempfile.mkdtemp(prefix="bgopendata-release-"))
        return build(self.package_path, self.tmp / "dist").path

    def __exit__(self, *exc: object) -> None:
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
