#include "stsd/protocol/query.h"

#include "stsd/common/percent_encoding.h"

namespace stsd::protocol {

void parse_form(std::string_view text, service::Parameters& params) {
  for (auto& pair : parse_form_pairs(text)) params.add(std::move(pair.name), std::move(pair.value));
}

}  // namespace stsd::protocol
