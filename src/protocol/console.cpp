#include "stsd/protocol/console.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <chrono>

#include "console_assets.h"
#include "stsd/service/console/console_json.h"

namespace stsd::protocol {

namespace {

using service::console::RequestLog;

constexpr std::string_view kUi = "/_stsd/ui";
constexpr std::string_view kRequests = "/_stsd/requests";
constexpr std::string_view kConsole = "/_stsd/console/";
// The live stream sends at most kBatch records per poll interval (800 a
// second a watcher): more than anyone reads, and few enough that watching
// costs the request path nothing measurable. Under heavier load it shows
// the newest and counts the rest as skipped.
constexpr std::size_t kBatch = 200;
constexpr std::size_t kBacklog = 100;  // records a new subscriber starts with
constexpr std::chrono::seconds kKeepAlive{15};

// No inline script or style anywhere: the page's script and style are files
// of their own, and data reaches the DOM only as text.
constexpr std::string_view kCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

void harden(http::HttpResponse& r) {
  r.headers.emplace_back("Content-Security-Policy", std::string(kCsp));
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.headers.emplace_back("Cache-Control", "no-store");
}

http::HttpResponse answer(int status, std::string_view content_type, std::string body) {
  http::HttpResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", std::string(content_type));
  r.body = std::move(body);
  harden(r);
  return r;
}

http::HttpResponse json_error(int status, std::string_view code, std::string_view message) {
  return answer(status, "application/json", nlohmann::json{{"error", message}, {"code", code}}.dump());
}

std::string_view content_type_of(std::string_view name) {
  if (name.ends_with(".html")) return "text/html; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  if (name.ends_with(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

// A query parameter's value (no decoding: only digits are read from it).
std::string_view query_value(std::string_view target, std::string_view name) {
  const auto q = target.find('?');
  if (q == std::string_view::npos) return {};
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    if (pair.size() > name.size() && pair.substr(0, name.size()) == name && pair[name.size()] == '=')
      return pair.substr(name.size() + 1);
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return {};
}

std::optional<std::uint64_t> number(std::string_view text) {
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

// One subscriber of the live list. It pulls from the ring on its own
// connection's strand (the session asks); the request path never sees it.
// A subscriber more than a batch behind jumps to the newest records and is
// told how many it missed.
class LiveStream final : public http::ResponseStream {
 public:
  LiveStream(RequestLog& log, std::uint64_t after) : log_(log), last_(after) {}
  ~LiveStream() override { log_.unsubscribe(); }

  std::optional<std::string> next() override {
    const auto now = std::chrono::steady_clock::now();
    std::string out;
    if (first_) {
      // EventSource's reconnection delay, and an opening event the page waits for.
      out = "retry: 2000\nevent: hello\ndata: {\"ring_size\":" + std::to_string(log_.capacity()) + "}\n\n";
      first_ = false;
    } else if (now - last_batch_ < poll_interval()) {
      return out;  // one batch per interval: the session asks again after it
    }
    std::uint64_t from = last_, jumped = 0;
    if (const std::uint64_t newest = log_.last_seq(); newest > last_ + kBatch) {
      from = newest - kBatch;
      jumped = from - last_;
    }
    auto batch = log_.since(from, kBatch);
    last_ = batch.last;
    if (!batch.records.empty()) last_batch_ = now;
    if (const std::uint64_t skipped = jumped + batch.skipped; skipped > 0)
      out += "event: skipped\ndata: {\"count\":" + std::to_string(skipped) + "}\n\n";
    for (const auto& record : batch.records) {
      // summary_json is one line: JSON escapes every newline inside strings.
      out += "event: request\nid: " + std::to_string(record->seq) + "\ndata: ";
      out += service::console::summary_json(*record);
      out += "\n\n";
    }
    if (out.empty() && now - last_write_ >= kKeepAlive) out = ": keep-alive\n\n";
    if (!out.empty()) last_write_ = now;
    return out;
  }

 private:
  RequestLog& log_;
  std::uint64_t last_;
  bool first_ = true;
  std::chrono::steady_clock::time_point last_write_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_batch_{};
};

}  // namespace

bool ConsoleApi::owns(std::string_view path) {
  return path == kUi || path.starts_with("/_stsd/ui/") || path == kRequests || path.starts_with("/_stsd/requests/") ||
         path.starts_with(kConsole);
}

http::HttpResponse ConsoleApi::handle(const http::HttpRequest& request, std::string_view path) const {
  const bool get = request.method == "GET" || request.method == "HEAD";
  if (!get) return json_error(405, "MethodNotAllowed", "use GET");

  // The page and its files are served without the token: they hold no data,
  // and the page asks for the token when the data endpoints want one.
  if (path == kUi || path == "/_stsd/ui/") path = "/_stsd/ui/index.html";
  if (path.starts_with("/_stsd/ui/")) {
    const std::string_view name = path.substr(10);
    for (const auto& asset : console_assets())
      if (asset.name == name) return answer(200, content_type_of(name), std::string(asset.bytes));
    return json_error(404, "NotFound", "not found");
  }

  if (admin_ != nullptr && !admin_->authorized(request))
    return json_error(401, "Unauthorized", "admin token required (Authorization: Bearer <admin_token>)");

  if (path == "/_stsd/console/info") {
    const bool token = admin_ != nullptr && admin_->token_required();
    nlohmann::json j{{"ring_size", log_ ? log_->capacity() : 0},
                     {"subscribers", log_ ? log_->subscribers() : 0},
                     {"max_subscribers", log_ ? log_->max_subscribers() : 0},
                     {"token_required", token}};
    return answer(200, "application/json", j.dump());
  }
  if (path == "/_stsd/console/identities") {
    if (store_ == nullptr) return json_error(404, "NotFound", "not found");
    return answer(200, "application/json", service::console::identities_json(*store_->get()));
  }
  if (log_ == nullptr || !log_->enabled())
    return json_error(404, "NotFound", "the request ring is off (--console-ring-size 0)");

  if (path == "/_stsd/console/events") {
    if (!log_->try_subscribe())
      return json_error(503, "ServiceUnavailable", "too many console subscribers; close another console first");
    const std::uint64_t newest = log_->last_seq();
    std::uint64_t after = newest > kBacklog ? newest - kBacklog : 0;
    if (auto given = number(query_value(request.target, "after")); given && *given <= newest) after = *given;
    http::HttpResponse r;
    r.headers.emplace_back("Content-Type", "text/event-stream; charset=utf-8");
    harden(r);
    r.stream = std::make_shared<LiveStream>(*log_, after);
    return r;
  }
  if (path == kRequests) {
    std::size_t limit = 100;
    if (auto given = number(query_value(request.target, "limit")); given && *given > 0)
      limit = static_cast<std::size_t>(std::min<std::uint64_t>(*given, log_->capacity()));
    std::string body = "[";
    for (const auto& record : log_->latest(limit).records) {
      if (body.size() > 1) body += ',';
      body += service::console::summary_json(*record);
    }
    body += ']';
    return answer(200, "application/json", std::move(body));
  }
  if (path.starts_with("/_stsd/requests/")) {
    const std::string_view id = path.substr(16);
    if (auto record = log_->find(id)) return answer(200, "application/json", service::console::trace_json(*record));
    return json_error(404, "NotFound", "no request with this id is kept (the ring holds the last " +
                                           std::to_string(log_->capacity()) + " requests)");
  }
  return json_error(404, "NotFound", "not found");
}

}  // namespace stsd::protocol
