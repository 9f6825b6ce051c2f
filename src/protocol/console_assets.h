#pragma once
// The console's files (src/protocol/console_ui/), embedded at build time by
// cmake/embed_files.cmake into console_assets_generated.cpp.
#include <span>
#include <string_view>

namespace stsd::protocol {

struct ConsoleAsset {
  std::string_view name;  // file name, e.g. "app.js"
  std::string_view bytes;
};

std::span<const ConsoleAsset> console_assets();

}  // namespace stsd::protocol
