#include "message.h"

#include <boost/beast/core/string.hpp>

#include <array>
#include <ctime>

namespace stsd::http {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return boost::beast::iequals(boost::beast::string_view(a.data(), a.size()),
                               boost::beast::string_view(b.data(), b.size()));
}

// RFC 7230 3.3.3: these statuses never carry a body or a Content-Length.
bool status_without_body(int status) { return status < 200 || status == 204 || status == 304; }

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

HttpRequest to_http_request(BeastRequest&& request, std::string remote_address, bool secure) {
  HttpRequest out;
  out.method = std::string(request.method_string());
  out.target = std::string(request.target());
  for (const auto& field : request)
    out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  out.body = std::move(request.body());
  out.remote_address = std::move(remote_address);
  out.secure = secure;
  return out;
}

BeastResponse to_beast_response(HttpResponse&& response, unsigned version, bool head_request,
                                bool keep_alive) {
  BeastResponse out;
  out.version(version);
  // Beast refuses codes above 999; anything outside 1xx-5xx is a handler bug.
  const int status = response.status >= 100 && response.status <= 599 ? response.status : 500;
  out.result(static_cast<unsigned>(status));
  bool has_date = false;
  for (auto& [name, value] : response.headers) {
    if (iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding")) continue;
    if (iequals(name, "Connection")) {
      // A handler may ask to close; it cannot keep open what the client closes.
      if (iequals(value, "close")) keep_alive = false;
      continue;
    }
    if (iequals(name, "Date")) has_date = true;
    out.insert(boost::beast::string_view(name.data(), name.size()),
               boost::beast::string_view(value.data(), value.size()));
  }
  if (!has_date) out.set(beast_http::field::date, http_date(std::chrono::system_clock::now()));
  out.keep_alive(keep_alive);
  if (status_without_body(status)) return out;
  out.content_length(response.body.size());
  // HEAD: the length of what GET would send, and no body.
  if (!head_request) out.body() = std::move(response.body);
  return out;
}

BeastResponse bare_response(int status, unsigned version, bool keep_alive) {
  return to_beast_response(HttpResponse{status, {}, {}}, version, false, keep_alive);
}

std::string loggable_target(std::string_view target) {
  return std::string(target.substr(0, target.find('?')));
}

}  // namespace stsd::http
