#include "core/fs/s3_xml.h"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <climits>
#include <memory>

namespace mx {

std::vector<std::string> XmlValues(const std::string& xml,
                                   const std::string& tag) {
  std::vector<std::string> out;
  if (xml.empty() || xml.size() > static_cast<size_t>(INT_MAX)) return out;
  // No network, no entity substitution (XXE), no error output of
  // libxml2's own; its default depth limit holds.
  const std::unique_ptr<xmlDoc, void (*)(xmlDocPtr)> doc(
      xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "s3.xml", nullptr,
                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                        XML_PARSE_NOCDATA),
      xmlFreeDoc);
  if (doc == nullptr) return out;
  // Depth first, in document order, with an explicit stack.
  std::vector<xmlNodePtr> stack;
  if (xmlNodePtr root = xmlDocGetRootElement(doc.get())) stack.push_back(root);
  while (!stack.empty()) {
    xmlNodePtr node = stack.back();
    stack.pop_back();
    if (node->type != XML_ELEMENT_NODE) continue;
    if (tag == reinterpret_cast<const char*>(node->name)) {
      xmlChar* text = xmlNodeGetContent(node);
      out.emplace_back(text != nullptr ? reinterpret_cast<const char*>(text)
                                       : "");
      xmlFree(text);
    }
    std::vector<xmlNodePtr> children;
    for (xmlNodePtr c = node->children; c != nullptr; c = c->next) {
      children.push_back(c);
    }
    stack.insert(stack.end(), children.rbegin(), children.rend());
  }
  return out;
}

std::string XmlValue(const std::string& xml, const std::string& tag) {
  const std::vector<std::string> v = XmlValues(xml, tag);
  return v.empty() ? "" : v[0];
}

std::string XmlEscape(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace mx
