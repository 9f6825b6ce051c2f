// Fuzz target: the Query-protocol form decoder (protocol::parse_form) and the
// percent-encoding helpers it and the SigV4 canonicaliser share.
// Input: any bytes, taken as a POST body / query string.
// Checks beyond "no crash": first value wins, and decoding undoes encoding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "stsd/common/percent_encoding.h"
#include "stsd/protocol/query.h"
#include "stsd/service/parameters.h"

namespace {

void require(bool ok) {
  if (!ok) std::abort();  // libFuzzer reports a deadly signal with the input
}

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

bool is_upper_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  stsd::service::Parameters params;
  stsd::protocol::parse_form(text, params);

  // parse_form keeps the first value of each name, in arrival order.
  const auto pairs = stsd::parse_form_pairs(text);
  std::unordered_map<std::string_view, std::string_view> first;
  std::vector<std::string_view> order;
  for (const auto& pair : pairs)
    if (first.emplace(pair.name, pair.value).second) order.push_back(pair.name);
  require(params.size() == order.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    require(params.items()[i].first == order[i]);
    require(params.items()[i].second == first[order[i]]);
  }

  // Decoding never grows the text.
  const std::string decoded = stsd::form_decode(text);
  require(decoded.size() <= text.size());

  // uri_encode: only unreserved bytes (and '/' with keep_slash) and %XX;
  // form_decode undoes it exactly (uri_encode escapes '+' and '%').
  for (bool keep_slash : {false, true}) {
    const std::string encoded = stsd::uri_encode(text, keep_slash);
    for (std::size_t i = 0; i < encoded.size(); ++i) {
      const auto c = static_cast<unsigned char>(encoded[i]);
      if (c == '%') {
        require(i + 2 < encoded.size() && is_upper_hex(encoded[i + 1]) && is_upper_hex(encoded[i + 2]));
        i += 2;
      } else {
        require(is_unreserved(c) || (keep_slash && c == '/'));
      }
    }
    require(stsd::form_decode(encoded) == text);
  }
  return 0;
}
