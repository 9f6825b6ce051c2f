#include "stsd/protocol/query.h"

#include "stsd/common/percent_encoding.h"

namespace stsd::protocol {

void parse_form(std::string_view text, service::Parameters& params) {
  // Pair by pair, as parse_form_pairs splits: a list of every pair first
  // doubled the memory of a large form (10 MB of parameters cost ~100 MB more).
  while (!text.empty()) {
    const auto amp = text.find('&');
    const std::string_view piece = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
    if (piece.empty()) continue;
    const auto eq = piece.find('=');
    std::string name = form_decode(piece.substr(0, eq));
    // The first value wins: a repeated name's value is not even decoded.
    if (params.contains(name)) continue;
    params.add(std::move(name), eq == std::string_view::npos ? std::string() : form_decode(piece.substr(eq + 1)));
  }
}

}  // namespace stsd::protocol
