#pragma once
// application/x-www-form-urlencoded decoding (POST bodies and query strings).
#include <string>
#include <string_view>

#include "stsd/service/parameters.h"

namespace stsd::protocol {

// Percent-decodes; '+' is a space. A '%' not followed by two hex digits is
// kept literally (never an error: AWS then fails validation on the value).
std::string form_decode(std::string_view text);

// Splits on '&', decodes names and values, adds in order (first value wins).
void parse_form(std::string_view text, service::Parameters& params);

}  // namespace stsd::protocol
