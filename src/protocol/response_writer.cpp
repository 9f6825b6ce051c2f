#include "stsd/protocol/response_writer.h"

#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "stsd/common/time_format.h"

namespace stsd::protocol {

namespace {

using service::ResultNode;
using ordered_json = nlohmann::ordered_json;

struct StringWriter final : pugi::xml_writer {
  std::string out;
  void write(const void* data, std::size_t size) override { out.append(static_cast<const char*>(data), size); }
};

// AWS's bytes: no declaration, two-space indent, '\n', trailing newline.
std::string to_text(const pugi::xml_document& doc) {
  StringWriter writer;
  writer.out.reserve(2048);
  doc.save(writer, "  ", pugi::format_indent | pugi::format_no_declaration | pugi::format_no_empty_element_tags,
           pugi::encoding_utf8);
  return std::move(writer.out);
}

void append_xml(pugi::xml_node parent, const ResultNode& node) {
  pugi::xml_node el = parent.append_child(node.name.c_str());
  switch (node.kind) {
    case ResultNode::Kind::Structure:
      for (const auto& child : node.children) append_xml(el, child);
      break;
    case ResultNode::Kind::String:
      el.text().set(node.text.c_str());
      break;
    case ResultNode::Kind::Integer:
      el.text().set(std::to_string(node.number).c_str());
      break;
    case ResultNode::Kind::Timestamp:
      el.text().set(format_iso8601(node.number).c_str());
      break;
  }
}

ordered_json to_json(const ResultNode& node) {
  switch (node.kind) {
    case ResultNode::Kind::Structure: {
      ordered_json obj = ordered_json::object();
      for (const auto& child : node.children) obj[child.name] = to_json(child);
      return obj;
    }
    case ResultNode::Kind::String:
      return node.text;
    case ResultNode::Kind::Integer:
    case ResultNode::Kind::Timestamp:  // epoch seconds in AWS's JSON rendering
      return node.number;
  }
  return nullptr;
}

http::HttpResponse make_response(int status, std::string_view request_id, Format format, std::string body) {
  http::HttpResponse response;
  response.status = status;
  response.headers.emplace_back("x-amzn-RequestId", std::string(request_id));
  response.headers.emplace_back("Content-Type", format == Format::Json ? "application/json" : "text/xml");
  response.body = std::move(body);
  return response;
}

// Error messages echo caller input; keep the document well-formed XML 1.0 and
// valid UTF-8 by replacing what cannot appear with U+FFFD.
std::string xml_safe(std::string_view in) {
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size();) {
    unsigned char c = static_cast<unsigned char>(in[i]);
    if (c < 0x80) {
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') out += kReplacement;
      else out += static_cast<char>(c);
      ++i;
      continue;
    }
    std::size_t len = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 0;
    bool ok = len != 0 && i + len <= in.size();
    for (std::size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(in[i + k]) & 0xC0) == 0x80;
    if (ok && len == 3) {
      unsigned char c1 = static_cast<unsigned char>(in[i + 1]);
      ok = !(c == 0xE0 && c1 < 0xA0) && !(c == 0xED && c1 >= 0xA0);  // overlong, surrogates
    }
    if (ok && len == 4) {
      unsigned char c1 = static_cast<unsigned char>(in[i + 1]);
      ok = !(c == 0xF0 && c1 < 0x90) && !(c == 0xF4 && c1 >= 0x90);
    }
    if (ok) {
      out.append(in.substr(i, len));
      i += len;
    } else {
      out += kReplacement;
      ++i;
    }
  }
  return out;
}

}  // namespace

http::HttpResponse render_success(std::string_view action, const ResultNode& result, std::string_view request_id,
                                  Format format) {
  const std::string response_name = std::string(action) + "Response";
  if (format == Format::Json) {
    ordered_json body;
    body[response_name][result.name] = to_json(result);
    body[response_name]["ResponseMetadata"]["RequestId"] = request_id;
    return make_response(200, request_id, format, body.dump());
  }
  pugi::xml_document doc;
  pugi::xml_node root = doc.append_child(response_name.c_str());
  root.append_attribute("xmlns").set_value(kStsNamespace.data());
  append_xml(root, result);
  root.append_child("ResponseMetadata").append_child("RequestId").text().set(std::string(request_id).c_str());
  return make_response(200, request_id, format, to_text(doc));
}

http::HttpResponse render_error(const StsError& error, std::string_view request_id, Format format) {
  const ErrorInfo& info = error_info(error.code);
  const char* type = info.sender ? "Sender" : "Receiver";
  if (format == Format::Json) {
    ordered_json body;
    body["Error"]["Code"] = info.wire_code;
    if (error.has_message) body["Error"]["Message"] = xml_safe(error.message);
    body["Error"]["Type"] = type;
    body["RequestId"] = request_id;
    http::HttpResponse response = make_response(info.http_status, request_id, format, body.dump());
    if (!error.encoded_authorization_message.empty())
      response.headers.emplace_back(kEncodedAuthorizationMessageHeader, error.encoded_authorization_message);
    return response;
  }
  pugi::xml_document doc;
  pugi::xml_node root = doc.append_child("ErrorResponse");
  root.append_attribute("xmlns").set_value(info.aws_fault_namespace ? kAwsFaultNamespace.data()
                                                                    : kStsNamespace.data());
  pugi::xml_node e = root.append_child("Error");
  e.append_child("Type").text().set(type);
  e.append_child("Code").text().set(std::string(info.wire_code).c_str());
  if (error.has_message) e.append_child("Message").text().set(xml_safe(error.message).c_str());
  root.append_child("RequestId").text().set(std::string(request_id).c_str());
  http::HttpResponse response = make_response(info.http_status, request_id, format, to_text(doc));
  if (!error.encoded_authorization_message.empty())
    response.headers.emplace_back(kEncodedAuthorizationMessageHeader, error.encoded_authorization_message);
  return response;
}

}  // namespace stsd::protocol
