// The XML of S3's responses (errors, listings, multipart uploads) read with
// libxml2: element text by name, namespaces ignored, entities decoded, no
// network or external entities, no recursion over the document's depth.
#ifndef MX_CORE_FS_S3_XML_H_
#define MX_CORE_FS_S3_XML_H_

#include <string>
#include <vector>

namespace mx {

// The text of every element named `tag` in `xml`, in document order; empty
// for a body that is not well-formed XML (a proxy's HTML error page).
std::vector<std::string> XmlValues(const std::string& xml,
                                   const std::string& tag);
// The first of them, or "".
std::string XmlValue(const std::string& xml, const std::string& tag);

// `text` escaped for an XML element's content.
std::string XmlEscape(const std::string& text);

}  // namespace mx

#endif  // MX_CORE_FS_S3_XML_H_
