#include "document.h"

#include <algorithm>
#include <set>

#include "encoding.h"

namespace stsd::config::detail {
namespace {

using nlohmann::json;

// Deep enough for any policy document; shallow enough that nothing recursive
// downstream (dump, policy evaluation) can exhaust the stack.
constexpr std::size_t kMaxDepth = 64;

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
  // nlohmann quotes the bytes it read; problems must stay printable UTF-8.
  if (!is_valid_utf8(reason)) {
    std::string escaped;
    for (unsigned char c : reason) {
      static constexpr char kHex[] = "0123456789ABCDEF";
      if (c < 0x80)
        escaped += static_cast<char>(c);
      else
        escaped += std::string("\\x") + kHex[c >> 4] + kHex[c & 0xF];
    }
    reason = std::move(escaped);
  }
  return "invalid JSON at line " + std::to_string(line) + ", column " + std::to_string(at - line_start + 1) + ": " +
         reason;
}

// A validating pass over the text that tracks the JSON pointer of every key.
class Checker final : public nlohmann::json_sax<json> {
 public:
  Checker(std::string_view text, std::vector<ConfigProblem>& problems) : text_(text), problems_(problems) {}

  bool null() override { return value(); }
  bool boolean(bool) override { return value(); }
  bool number_integer(number_integer_t) override { return value(); }
  bool number_unsigned(number_unsigned_t) override { return value(); }
  bool number_float(number_float_t, const string_t&) override { return value(); }
  bool string(string_t&) override { return value(); }
  bool binary(binary_t&) override { return value(); }
  bool start_object(std::size_t) override { return open(true); }
  bool start_array(std::size_t) override { return open(false); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }

  bool key(string_t& key) override {
    Frame& frame = stack_.back();
    frame.key = key;
    if (!frame.keys.insert(key).second) problems_.push_back({pointer(), "duplicate key"});
    return true;
  }

  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) override {
    problems_.push_back({"", syntax_message(text_, position, e.what())});
    return false;
  }

 private:
  struct Frame {
    bool object;
    std::set<std::string> keys;
    std::string key;
    std::size_t index = 0;
  };

  bool open(bool object) {
    if (stack_.size() >= kMaxDepth) {
      problems_.push_back({pointer(), "nested deeper than " + std::to_string(kMaxDepth) + " levels"});
      return false;
    }
    stack_.push_back(Frame{object, {}, {}, 0});
    return true;
  }

  bool close() {
    stack_.pop_back();
    return value();
  }

  // A finished value moves its array on to the next index.
  bool value() {
    if (!stack_.empty() && !stack_.back().object) ++stack_.back().index;
    return true;
  }

  std::string pointer() const {
    std::string p;
    for (const Frame& f : stack_) p += "/" + (f.object ? escape_pointer_token(f.key) : std::to_string(f.index));
    return p;
  }

  std::string_view text_;
  std::vector<ConfigProblem>& problems_;
  std::vector<Frame> stack_;
};

}  // namespace

std::string escape_pointer_token(std::string_view token) {
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

std::optional<json> parse_document(std::string_view text, std::vector<ConfigProblem>& problems) {
  Checker checker(text, problems);
  if (!json::sax_parse(text.begin(), text.end(), &checker)) return std::nullopt;
  return json::parse(text.begin(), text.end());
}

}  // namespace stsd::config::detail
