"""XML parsing that refuses DTDs, entity declarations and external references.

Every XML reader of orbwatch (OMM, CDM) goes through :func:`parse_xml`, so a
"billion laughs" or external-entity file is refused the same way everywhere.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import defusedxml
import defusedxml.ElementTree as DET

from orbwatch.errors import FormatNotRecognizedError, ParseError, UnsafeXMLError

__all__ = ["parse_xml"]


def parse_xml(data, path: str | None = None, *, what: str = "XML",
              malformed: type[ParseError] = FormatNotRecognizedError) -> ET.Element:
    """The root element of ``data`` (str or bytes).

    Raises :class:`UnsafeXMLError` for a DTD, entities or external references
    and ``malformed`` (a ParseError subclass) for XML that is not well formed.
    """
    try:
        return DET.fromstring(data, forbid_dtd=True, forbid_entities=True,
                              forbid_external=True)
    except defusedxml.DefusedXmlException as exc:
        raise UnsafeXMLError(f"refused unsafe XML ({type(exc).__name__})", path=path,
                             field="DTD", expected="XML without DTD, entities or external "
                             "references", found=str(exc)[:120]) from None
    except ET.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise malformed(f"malformed XML: {exc}", path=path, line=line,
                        expected=f"well-formed {what}") from None
