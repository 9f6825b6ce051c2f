#include "stsd/protocol/query.h"

#include "stsd/common/percent_encoding.h"

namespace stsd::protocol {

void parse_form(std::string_view text, service::Parameters& params) {
  // Pair by pair: a list of every pair first doubled the memory of a large
  // form (10 MB of parameters cost ~100 MB more).
  for_each_raw_form_pair(text, [&](std::string_view raw_name, std::string_view raw_value) {
    std::string name = form_decode(raw_name);
    // The first value wins: a repeated name's value is not even decoded.
    if (params.contains(name)) return;
    params.add(std::move(name), form_decode(raw_value));
  });
}

}  // namespace stsd::protocol
