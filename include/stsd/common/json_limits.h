#pragma once
// How deep JSON stsd reads may nest: the one constant behind every JSON
// reader's depth limit (policies, JWT parts, the JSON reader of json.h).
#include <cstddef>

namespace stsd {

// Request-path JSON (policy documents, a JWT's header and claims): far past
// any real document (policies nest at most 6 deep), and shallow enough that
// every recursive walk downstream stays far from the stack's end.
inline constexpr std::size_t kMaxJsonDepth = 32;

// The operator's documents (config, state, admin bodies) carry policies and
// claims inside their own structure, so they get twice the request path's room.
inline constexpr std::size_t kDefaultMaxJsonDepth = 2 * kMaxJsonDepth;

}  // namespace stsd
