// Fuzz target: the config loader (config::parse_config), then dump_config and
// the documented round trip: parse_config(dump_config(c, StateFile)) == c.
// Input: any bytes, taken as the config file's JSON text.
//
// Every input is first read as PUT /_stsd/config reads it
// (ConfigSource::Admin): that never opens a file, whatever "*_file" names,
// so no input is skipped there; what it accepts names no side file and its
// admin dump never carries the token key (issue 11, items 7 and 9).
//
// parse_config reads `jwks_file` / `metadata_file` side files. So that the
// fuzzer can reach that code without reading the machine's files (or blocking
// on /dev/stdin), base_dir is a fixture folder made at start-up (jwks.json,
// metadata.xml, empty.txt, bad.json, latin1.xml, a sub-folder dir), and an
// input is skipped when any string following a "*_file" key is not a plain
// name of [A-Za-z0-9._-] (no '/'; ".." is a folder, refused by the loader).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "fixtures.h"
#include "stsd/config/config.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

void require(bool ok) {
  if (!ok) std::abort();
}

bool plain_name(std::string_view s) {
  if (s.size() > 64) return false;
  for (char c : s)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
          c == '-'))
      return false;
  return true;
}

// Flags a string value that follows a key ending in "_file" (at any depth,
// until the next key) and is not a plain name. Sees duplicate keys too.
class SideFileCheck final : public nlohmann::json_sax<json> {
 public:
  bool safe = true;
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_object() override { return true; }
  bool end_array() override { return true; }
  bool key(string_t& key) override {
    after_file_key_ = key.size() >= 5 && key.compare(key.size() - 5, 5, "_file") == 0;
    return true;
  }
  bool string(string_t& value) override {
    if (after_file_key_ && !plain_name(value)) safe = false;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }

 private:
  bool after_file_key_ = false;
};

void write(const fs::path& path, std::string_view content) {
  std::ofstream out(path, std::ios::binary);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
}

// Never destroyed: the atexit handler that removes the folder runs after
// function-local statics constructed later would have been destroyed.
const std::string& fixture_dir() {
  static const std::string& dir = *new std::string([] {
    std::string pattern = (fs::temp_directory_path() / "stsd-fuzz-config-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) std::abort();
    const fs::path base(pattern);
    write(base / "jwks.json", stsd::fuzz::kJwksJson);
    write(base / "metadata.xml", stsd::fuzz::kSamlMetadataXml);
    write(base / "empty.txt", "");
    write(base / "bad.json", "{\"keys\": [");
    write(base / "latin1.xml", "<md:EntityDescriptor entityID=\"caf\xe9\"/>");
    fs::create_directory(base / "dir");
    std::atexit([] {
      std::error_code ec;
      fs::remove_all(fixture_dir(), ec);
    });
    return pattern;
  }());
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 256 * 1024) return -1;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string& base_dir = fixture_dir();

  auto admin = stsd::config::parse_config(text, base_dir, stsd::config::ConfigSource::Admin);
  if (admin) {
    const std::string shown = stsd::config::dump_config(*admin, stsd::config::DumpFor::Admin);
    require(!json::parse(shown).contains("token_key"));
    auto back = stsd::config::parse_config(shown, base_dir, stsd::config::ConfigSource::Admin);
    require(back.has_value());
  }

  SideFileCheck check;
  json::sax_parse(text.begin(), text.end(), &check);  // a syntax error stops parse_config before any file
  if (!check.safe) return -1;  // not added to the corpus

  auto config = stsd::config::parse_config(text, base_dir);
  if (!config) {
    require(!config.error().problems.empty());
    for (const auto& problem : config.error().problems) require(!problem.to_string().empty());
    (void)config.error().to_string();
    return 0;
  }
  // "For any Config parse_config returned, parse_config reads the dump back
  // to an equal Config; side files appear inline."
  const std::string dumped = stsd::config::dump_config(*config, stsd::config::DumpFor::StateFile);
  auto again = stsd::config::parse_config(dumped, base_dir, stsd::config::ConfigSource::StateFile);
  require(again.has_value());
  require(*again == *config);
  return 0;
}
