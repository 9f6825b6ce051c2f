#include "stsd/common/json.h"

#include <algorithm>
#include <set>

namespace stsd {

namespace {

// "invalid JSON at line L, column C: <nlohmann's reason>". The place is
// counted here from the byte offset: nlohmann calls the character after a
// newline "column 0" of the next line, which points at nothing.
std::string syntax_message(std::string_view text, std::size_t position, const std::string& what) {
  // `position` counts characters read, the offending one included.
  const std::size_t at = std::min(position > 0 ? position - 1 : 0, text.size());
  const std::string_view before = text.substr(0, at);
  const std::size_t line = 1 + static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
  const std::size_t last_newline = before.rfind('\n');
  const std::size_t line_start = last_newline == std::string_view::npos ? 0 : last_newline + 1;
  std::string reason = what;
  if (const auto p = what.find("parse error"); p != std::string::npos) {
    if (const auto colon = what.find(": ", p); colon != std::string::npos) reason = what.substr(colon + 2);
  }
  // nlohmann quotes the bytes it read; a message must stay printable ASCII
  // whatever those bytes were.
  std::string escaped;
  for (unsigned char c : reason) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    if (c >= 0x80)
      escaped += std::string("\\x") + kHex[c >> 4] + kHex[c & 0xF];
    else
      escaped += static_cast<char>(c);
  }
  return "invalid JSON at line " + std::to_string(line) + ", column " + std::to_string(at - line_start + 1) + ": " +
         escaped;
}

// nlohmann's DOM builder behind a SAX front that counts levels and tracks
// the JSON pointer of the current place (for messages and duplicate keys).
// Refusing the opening bracket that goes one level too deep stops the parse
// there: the document is never built.
template <class Json>
class LimitedBuilder {
 public:
  using number_integer_t = typename Json::number_integer_t;
  using number_unsigned_t = typename Json::number_unsigned_t;
  using number_float_t = typename Json::number_float_t;
  using string_t = typename Json::string_t;
  using binary_t = typename Json::binary_t;

  LimitedBuilder(Json& result, std::string_view text, std::size_t max_depth, std::vector<JsonProblem>* duplicates)
      : dom_(result, /*allow_exceptions=*/false), text_(text), max_depth_(max_depth), duplicates_(duplicates) {}

  bool null() { return value(), dom_.null(); }
  bool boolean(bool v) { return value(), dom_.boolean(v); }
  bool number_integer(number_integer_t v) { return value(), dom_.number_integer(v); }
  bool number_unsigned(number_unsigned_t v) { return value(), dom_.number_unsigned(v); }
  bool number_float(number_float_t v, const string_t& s) { return value(), dom_.number_float(v, s); }
  bool string(string_t& v) { return value(), dom_.string(v); }
  bool binary(binary_t& v) { return value(), dom_.binary(v); }
  bool start_object(std::size_t n) { return open(true) && dom_.start_object(n); }
  bool start_array(std::size_t n) { return open(false) && dom_.start_array(n); }
  bool end_object() { return close(), dom_.end_object(); }
  bool end_array() { return close(), dom_.end_array(); }

  bool key(string_t& key) {
    Frame& frame = frames_.back();
    frame.key = key;
    if (duplicates_ != nullptr && !frame.keys.insert(key).second)
      duplicates_->push_back({pointer(), "duplicate key"});
    return dom_.key(key);
  }

  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) {
    problem_ = {"", syntax_message(text_, position, e.what())};
    return false;
  }

  const JsonProblem& problem() const { return problem_; }

 private:
  struct Frame {
    bool object;
    std::string key;
    std::size_t index = 0;
    std::set<std::string> keys;  // only filled when duplicates are reported
  };

  bool open(bool object) {
    if (frames_.size() >= max_depth_) {
      problem_ = {pointer(), "nested deeper than " + std::to_string(max_depth_) + " levels"};
      return false;
    }
    frames_.push_back(Frame{object, {}, 0, {}});
    return true;
  }

  void close() {
    frames_.pop_back();
    value();
  }

  // A finished value moves its array on to the next index.
  void value() {
    if (!frames_.empty() && !frames_.back().object) ++frames_.back().index;
  }

  std::string pointer() const {
    std::string p;
    for (const Frame& f : frames_) {
      p += '/';
      p += f.object ? escape_json_pointer_token(f.key) : std::to_string(f.index);
    }
    return p;
  }

  nlohmann::detail::json_sax_dom_parser<Json> dom_;
  std::string_view text_;
  std::size_t max_depth_;
  std::vector<JsonProblem>* duplicates_;
  std::vector<Frame> frames_;
  JsonProblem problem_{"", "invalid JSON"};
};

}  // namespace

std::string escape_json_pointer_token(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

template <class Json>
Result<Json, JsonProblem> read_json(std::string_view text, const JsonLimits& limits,
                                    std::vector<JsonProblem>* duplicate_keys) {
  if (text.size() > limits.max_bytes)
    return unexpected(JsonProblem{"", "JSON text of " + std::to_string(text.size()) + " bytes is larger than the limit of " +
                                          std::to_string(limits.max_bytes)});
  try {
    Json result;
    LimitedBuilder<Json> builder(result, text, limits.max_depth, duplicate_keys);
    if (!Json::sax_parse(text.begin(), text.end(), &builder)) return unexpected(builder.problem());
    return result;
  } catch (const std::exception& e) {
    // Only resource exhaustion gets here: the builder never throws on input.
    return unexpected(JsonProblem{"", std::string("cannot read JSON: ") + e.what()});
  }
}

template Result<nlohmann::json, JsonProblem> read_json<nlohmann::json>(std::string_view, const JsonLimits&,
                                                                       std::vector<JsonProblem>*);
template Result<nlohmann::ordered_json, JsonProblem> read_json<nlohmann::ordered_json>(std::string_view,
                                                                                       const JsonLimits&,
                                                                                       std::vector<JsonProblem>*);

}  // namespace stsd
