#include "stsd/protocol/response_writer.h"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <cstring>

#include "stsd/common/time_format.h"
#include "stsd/common/utf8.h"
#include "stsd/domain/authorization_message.h"

namespace stsd::protocol {

namespace {

using service::ResultNode;
using ordered_json = nlohmann::ordered_json;

// Writes AWS's bytes directly (this is on every request's path; a DOM costs
// more than the rest of rendering): no declaration, two-space indent, '\n'
// after every element, `<A></A>` for empty ones. Escaping is pugixml's, which
// the writer's tests use as the reference: text escapes & < > and control
// characters (as &#NN;), attribute values & < " and control characters.
class XmlWriter {
 public:
  XmlWriter() { out_.reserve(2048); }

  void open(std::string_view name, std::string_view xmlns = {}) {
    indent();
    out_ += '<';
    out_ += name;
    if (!xmlns.empty()) {
      out_ += " xmlns=\"";
      escape(xmlns, true);
      out_ += '"';
    }
    out_ += ">\n";
    ++depth_;
  }
  void close(std::string_view name) {
    --depth_;
    indent();
    end_tag(name);
  }
  void element(std::string_view name, std::string_view text) {
    indent();
    out_ += '<';
    out_ += name;
    out_ += '>';
    escape(text, false);
    end_tag(name);
  }
  void node(const ResultNode& node) {
    switch (node.kind) {
      case ResultNode::Kind::Structure:
        if (node.children.empty()) return element(node.name, {});
        open(node.name);
        for (const auto& child : node.children) this->node(child);
        return close(node.name);
      case ResultNode::Kind::String:
        return element(node.name, node.text);
      case ResultNode::Kind::Integer:
        return element(node.name, std::to_string(node.number));
      case ResultNode::Kind::Timestamp:
        return element(node.name, format_iso8601(node.number));
    }
  }
  std::string take() { return std::move(out_); }

 private:
  void indent() { out_.append(2 * depth_, ' '); }
  void end_tag(std::string_view name) {
    out_ += "</";
    out_ += name;
    out_ += ">\n";
  }
  // needs_escape[attribute][byte]
  static constexpr auto kNeedsEscape = [] {
    std::array<std::array<bool, 256>, 2> table{};
    for (int attribute = 0; attribute < 2; ++attribute) {
      for (int c = 0; c < 0x20; ++c) table[attribute][c] = attribute || (c != '\t' && c != '\n' && c != '\r');
      table[attribute]['&'] = table[attribute]['<'] = true;
      table[attribute]['>'] = !attribute;
      table[attribute]['"'] = attribute;
    }
    return table;
  }();

  static bool needs_escape(unsigned char c, bool attribute) { return kNeedsEscape[attribute][c]; }

  // Eight bytes at a time: whether any byte is below 0x20 or equals '&', '<'
  // or the third special character. Exact as to "any" (the classic SWAR
  // tests, valid for thresholds up to 0x80), so a false result proves the
  // word needs no escape. Text mode's kept \t \n \r fail the test and are
  // then looked at byte by byte.
  static bool word_may_need_escape(std::uint64_t w, bool attribute) {
    constexpr std::uint64_t kOnes = 0x0101010101010101ULL, kHighs = 0x8080808080808080ULL;
    const auto any_below = [&](std::uint64_t v, unsigned n) { return ((v - kOnes * n) & ~v & kHighs) != 0; };
    const auto any_equal = [&](unsigned char c) { return any_below(w ^ (kOnes * c), 1); };
    return any_below(w, 0x20) || any_equal('&') || any_equal('<') || any_equal(attribute ? '"' : '>');
  }

  void escape(std::string_view text, bool attribute) {
    std::size_t run = 0;  // start of the pending span of characters copied as they are
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text.size() - i >= 8) {
        std::uint64_t w;
        std::memcpy(&w, text.data() + i, sizeof w);
        if (!word_may_need_escape(w, attribute)) {
          i += 7;  // and the loop's ++i
          continue;
        }
      }
      const auto c = static_cast<unsigned char>(text[i]);
      if (!needs_escape(c, attribute)) continue;
      out_.append(text.data() + run, i - run);
      run = i + 1;
      if (c == '&') out_ += "&amp;";
      else if (c == '<') out_ += "&lt;";
      else if (c == '>') out_ += "&gt;";
      else if (c == '"') out_ += "&quot;";
      else {
        const char ref[] = {'&', '#', static_cast<char>('0' + c / 10), static_cast<char>('0' + c % 10), ';'};
        out_.append(ref, sizeof ref);
      }
    }
    out_.append(text.data() + run, text.size() - run);
  }

  std::string out_;
  std::size_t depth_ = 0;
};

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
    // Strict UTF-8 only: an overlong form, a surrogate or a byte F5..FF is replaced.
    if (const std::size_t len = utf8_sequence_length(in, i); len != 0) {
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
                                  Format format, std::string_view xml_namespace) {
  const std::string response_name = std::string(action) + "Response";
  const bool has_result = !result.name.empty();
  if (format == Format::Json) {
    ordered_json body;
    if (has_result) body[response_name][result.name] = to_json(result);
    body[response_name]["ResponseMetadata"]["RequestId"] = request_id;
    return make_response(200, request_id, format, body.dump());
  }
  XmlWriter xml;
  xml.open(response_name, xml_namespace);
  if (has_result) xml.node(result);
  xml.open("ResponseMetadata");
  xml.element("RequestId", request_id);
  xml.close("ResponseMetadata");
  xml.close(response_name);
  return make_response(200, request_id, format, xml.take());
}

namespace {
// The service never issues a message longer than DecodeAuthorizationMessage
// accepts; one that were would only make the header too long to send.
bool carries_encoded_message(const StsError& error) {
  return !error.encoded_authorization_message.empty() &&
         error.encoded_authorization_message.size() <= domain::kMaxEncodedAuthorizationMessage;
}
}  // namespace

http::HttpResponse render_error(const StsError& error, std::string_view request_id, Format format,
                                std::string_view xml_namespace) {
  const ErrorInfo& info = error_info(error.code);
  const char* type = info.sender ? "Sender" : "Receiver";
  if (format == Format::Json) {
    ordered_json body;
    body["Error"]["Code"] = info.wire_code;
    if (error.has_message) body["Error"]["Message"] = xml_safe(error.message);
    body["Error"]["Type"] = type;
    body["RequestId"] = request_id;
    http::HttpResponse response = make_response(info.http_status, request_id, format, body.dump());
    if (carries_encoded_message(error))
      response.headers.emplace_back(kEncodedAuthorizationMessageHeader, error.encoded_authorization_message);
    return response;
  }
  XmlWriter xml;
  xml.open("ErrorResponse", info.aws_fault_namespace ? kAwsFaultNamespace : xml_namespace);
  xml.open("Error");
  xml.element("Type", type);
  xml.element("Code", info.wire_code);
  if (error.has_message) xml.element("Message", xml_safe(error.message));
  xml.close("Error");
  xml.element("RequestId", request_id);
  xml.close("ErrorResponse");
  http::HttpResponse response = make_response(info.http_status, request_id, format, xml.take());
  if (carries_encoded_message(error))
    response.headers.emplace_back(kEncodedAuthorizationMessageHeader, error.encoded_authorization_message);
  return response;
}

}  // namespace stsd::protocol
