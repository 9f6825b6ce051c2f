#include "stsd/common/ascii.h"
#include "message.h"

#include <boost/beast/http/status.hpp>

#include <array>
#include <charconv>
#include <cstdint>
#include <ctime>
#include <limits>
#include <stdexcept>

namespace stsd::http {

namespace beast_http = boost::beast::http;

namespace {

// RFC 7230 3.3.3: these statuses never carry a body or a Content-Length.
bool status_without_body(int status) { return status < 200 || status == 204 || status == 304; }

// Beast keeps a field's name and value in 16-bit offsets (basic_fields::new_element).
constexpr std::size_t kMaxFieldPart = std::numeric_limits<std::uint16_t>::max();

// Beast trims a stored value's spaces and tabs at both ends (detail::trim).
std::string_view trim_ows(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  return value;
}

// http_date(now), worked out once a second per thread: gmtime_r and
// snprintf cost more than the rest of an answer's header together.
const std::string& http_date_now() {
  thread_local std::time_t second = -1;
  thread_local std::string text;
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  if (t != second) {
    text = http_date(now);
    second = t;
  }
  return text;
}

void append_field(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.append(": ");
  out.append(trim_ows(value));
  out.append("\r\n");
}

}  // namespace

std::string_view HttpRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (iequals(key, name)) return value;
  return {};
}

bool HttpRequest::has_header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (iequals(key, name)) return true;
  return false;
}

std::string http_date(std::chrono::system_clock::time_point when) {
  static constexpr std::array<const char*, 7> kDays{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::array<char, 32> out{};
  std::snprintf(out.data(), out.size(), "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday], tm.tm_mday,
                kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return out.data();
}

bool serialize_response(const HttpResponse& response, unsigned version, bool head_request, bool keep_alive,
                        std::string& out) {
  const int status = response.status >= 100 && response.status <= 599 ? response.status : 500;
  const auto& headers = response.headers;
  // The drops and checks Beast's conversion makes, in its order, before a
  // byte is written: a failure leaves nothing half-built.
  bool has_date = false;
  for (const auto& [name, value] : headers) {
    if (iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding")) continue;
    if (iequals(name, "Connection")) {
      if (iequals(value, "close")) keep_alive = false;
      continue;
    }
    if (iequals(name, "Date")) has_date = true;
    if (name.size() + 2 > kMaxFieldPart) throw std::length_error("field name too large");
    if (value.size() + 2 > kMaxFieldPart) throw std::length_error("field value too large");
  }

  out.clear();
  // basic_fields::writer's status line: "HTTP/X.Y ### <reason>\r\n".
  const std::array<char, 13> start{'H', 'T', 'T', 'P', '/',
                                   static_cast<char>('0' + version / 10), '.',
                                   static_cast<char>('0' + version % 10), ' ',
                                   static_cast<char>('0' + status / 100),
                                   static_cast<char>('0' + status / 10 % 10),
                                   static_cast<char>('0' + status % 10), ' '};
  out.append(start.data(), start.size());
  const auto reason = beast_http::obsolete_reason(static_cast<beast_http::status>(status));
  out.append(reason.data(), reason.size());
  out.append("\r\n");

  // Beast lists a repeated name's fields together where its first one stands.
  const auto server_owned = [](const std::string& name) {
    return iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding") || iequals(name, "Connection");
  };
  for (std::size_t i = 0; i < headers.size(); ++i) {
    const std::string& name = headers[i].first;
    if (server_owned(name)) continue;
    bool listed = false;
    for (std::size_t j = 0; j < i && !listed; ++j) listed = iequals(headers[j].first, name);
    if (listed) continue;
    append_field(out, name, headers[i].second);
    for (std::size_t j = i + 1; j < headers.size(); ++j)
      if (iequals(headers[j].first, name)) append_field(out, headers[j].first, headers[j].second);
  }
  if (!has_date) append_field(out, "Date", http_date_now());
  // message::keep_alive() on a response without a Connection field.
  if (version < 11 && keep_alive) append_field(out, "Connection", "keep-alive");
  if (version >= 11 && !keep_alive) append_field(out, "Connection", "close");
  const bool has_body = !status_without_body(status);
  if (has_body) {
    std::array<char, 24> length{};
    const auto end = std::to_chars(length.data(), length.data() + length.size(), response.body.size()).ptr;
    append_field(out, "Content-Length", std::string_view(length.data(), static_cast<std::size_t>(end - length.data())));
  }
  out.append("\r\n");
  // HEAD: the length of what GET would send, and no body.
  if (has_body && !head_request) out.append(response.body);
  return keep_alive;
}

void serialize_stream_head(const HttpResponse& response, unsigned version, std::string& out) {
  // serialize_response's head for an empty body ends with its Content-Length
  // field and the blank line: keep everything but that field.
  const HttpResponse head{response.status, response.headers, {}, nullptr};
  serialize_response(head, version, true, false, out);
  constexpr std::string_view kLength = "Content-Length: 0\r\n\r\n";
  if (std::string_view(out).ends_with(kLength)) {
    out.resize(out.size() - kLength.size());
    out.append("\r\n");
  }
}

std::string loggable_target(std::string_view target) {
  return std::string(target.substr(0, target.find('?')));
}

}  // namespace stsd::http
