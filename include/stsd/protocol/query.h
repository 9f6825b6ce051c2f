#pragma once
// application/x-www-form-urlencoded decoding (POST bodies and query strings).
#include <string>
#include <string_view>

#include "stsd/service/parameters.h"

namespace stsd::protocol {

// Splits on '&', decodes names and values (stsd/common/percent_encoding.h),
// adds them in order (first value wins). A malformed escape is kept
// literally: never an error here, AWS then fails validation on the value.
void parse_form(std::string_view text, service::Parameters& params);

}  // namespace stsd::protocol
