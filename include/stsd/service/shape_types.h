#pragma once
// Scalar types of the generated request/response structs
// (stsd/service/<service>/shapes.h) that a plain C++ type would not tell apart.
#include <cstdint>
#include <string>

namespace stsd::service {

// A model timestamp: epoch seconds, rendered as ISO 8601 (UTC, `Z`).
struct Timestamp {
  std::int64_t seconds = 0;
};

// A model blob: raw bytes, rendered as base64.
struct Blob {
  std::string bytes;
};

}  // namespace stsd::service
