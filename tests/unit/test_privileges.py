"""KOMBIT's privilege attribute (OIO Basic Privilege Profile, base64 XML): decoded into privilege URIs, and
anything else gives none rather than an error or a parser reading files."""

from __future__ import annotations

import base64

from engine.cases import privileges

CVR = "urn:dk:gov:saml:cvrNumberIdentifier:11931316"


def _b64(xml: str) -> str:
    return base64.b64encode(xml.encode()).decode()


def test_privileges_of_every_group_are_read_in_order_once() -> None:
    value = privileges.encode({CVR: ["http://kombit.dk/roles/a/1", "http://kombit.dk/roles/b/1"],
                               "urn:dk:gov:saml:seNumberIdentifier:1": ["http://kombit.dk/roles/a/1"]})
    assert privileges.decode(value) == ["http://kombit.dk/roles/a/1", "http://kombit.dk/roles/b/1"]


def test_the_specifications_form_with_constraints_and_line_breaks_is_read() -> None:
    xml = ('<?xml version="1.0" encoding="UTF-8"?>\n<bpp:PrivilegeList xmlns:bpp="http://itst.dk/oiosaml/'
           'basic_privilege_profile" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
           f'<PrivilegeGroup Scope="{CVR}"><Constraint Name="urn:dk:kombit:KLE">25.*</Constraint>'
           '<Privilege> urn:dk:kombit:system_xyz:view_case </Privilege></PrivilegeGroup></bpp:PrivilegeList>')
    encoded = _b64(xml)
    wrapped = "\n".join(encoded[i:i + 76] for i in range(0, len(encoded), 76))
    assert privileges.decode(wrapped) == ["urn:dk:kombit:system_xyz:view_case"]


def test_what_is_not_a_privilege_list_gives_none() -> None:
    assert privileges.decode("not base64 at all!") == []
    assert privileges.decode(_b64("<html><Privilege>x</Privilege></html>")) == []
    assert privileges.decode(_b64("<PrivilegeList><PrivilegeGroup>")) == []
    assert privileges.decode("A" * (privileges.MAX_BYTES * 2)) == []


def test_a_doctype_or_entity_is_refused_and_no_file_is_read() -> None:
    xml = ('<?xml version="1.0"?><!DOCTYPE l [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           '<PrivilegeList><PrivilegeGroup Scope="s"><Privilege>&x;</Privilege></PrivilegeGroup></PrivilegeList>')
    assert privileges.decode(_b64(xml)) == []
