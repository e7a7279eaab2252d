"""OIO Basic Privilege Profile (OIO BPP, Digitaliseringsstyrelsen), as KOMBIT's adgangsstyring sends it in the
SAML attribute ``dk:gov:saml:attribute:Privileges_intermediate``: base64 of UTF-8 XML, a ``PrivilegeList`` of
``PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:…"`` elements holding ``Privilege`` URIs (and
``Constraint`` elements, which Turnus does not read). Turnus takes the privilege URIs, whatever their scope, and
looks them up in TURNUS_SAML_ROLE_MAP like any other value.

The XML came through a signed assertion, but it is parsed as untrusted all the same: no DOCTYPE, no entities,
no network, no huge trees, and a size cap before a byte is decoded.
"""

from __future__ import annotations

import base64
import binascii
import logging

log = logging.getLogger("turnus.directory")
MAX_BYTES = 256 * 1024  # a person with hundreds of privileges stays far below this
BPP_NS = "http://itst.dk/oiosaml/basic_privilege_profile"


def decode(value: str) -> list[str]:
    """The privilege URIs in one attribute value; an undecodable value gives none (and is logged), so a broken
    attribute costs the person their privileges, not their sign-in."""
    from lxml import etree  # here, not at the top: read-only CLI commands load engine.cases without XML

    if len(value) > MAX_BYTES * 4 // 3 + 4:
        log.warning("privilege attribute of %d characters is too long and is left out", len(value))
        return []
    try:
        data = base64.b64decode("".join(value.split()), validate=True)
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
        root = etree.fromstring(data, parser)
        if root.getroottree().docinfo.doctype:
            raise ValueError("a DOCTYPE is not allowed")
    except (binascii.Error, ValueError, etree.XMLSyntaxError) as err:
        log.warning("privilege attribute is not a base64 OIO BPP PrivilegeList (%s) and is left out", err)
        return []
    if etree.QName(root).localname != "PrivilegeList":
        log.warning("privilege attribute's root is %s, not PrivilegeList, and is left out", root.tag)
        return []
    found = []
    for element in root.iter("{*}Privilege", "Privilege"):
        text = (element.text or "").strip()
        if text:
            found.append(text)
    return list(dict.fromkeys(found))


def encode(groups: dict[str, list[str]]) -> str:
    """The attribute value for {scope: [privilege, …]} (what KOMBIT sends; the tests' identity provider uses it)."""
    from lxml import etree

    root = etree.Element(f"{{{BPP_NS}}}PrivilegeList", nsmap={"bpp": BPP_NS})
    for scope, privileges in groups.items():
        group = etree.SubElement(root, "PrivilegeGroup", Scope=scope)
        for privilege in privileges:
            etree.SubElement(group, "Privilege").text = privilege
    return base64.b64encode(etree.tostring(root, xml_declaration=True, encoding="UTF-8")).decode()
