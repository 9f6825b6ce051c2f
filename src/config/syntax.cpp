#include "syntax.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

namespace stsd::config::detail {

namespace fs = std::filesystem;

bool is_account_id(std::string_view s) { return s.size() == 12 && all_chars(s, is_digit); }

// IAM userNameType / roleNameType: [\w+=,.@-]{1,64}.
bool is_iam_name(std::string_view s) {
  return !s.empty() && s.size() <= 64 && all_chars(s, [](char c) {
    return is_word(c) || std::string_view("+=,.@-").find(c) != std::string_view::npos;
  });
}

// IAM pathType: "/" or "/" printable-ASCII "/", at most 512 characters.
bool is_iam_path(std::string_view s) {
  if (s == "/") return true;
  return s.size() >= 3 && s.size() <= 512 && s.front() == '/' && s.back() == '/' &&
         all_chars(s, [](char c) { return c >= '!' && c <= '~'; });
}

// IAM accessKeyIdType is [\w]{16,128}. The minimum is relaxed to 1 on
// purpose: the embedded default's `test` key (what local setups export) is
// 4 characters long.
bool is_access_key_id(std::string_view s) { return !s.empty() && s.size() <= 128 && all_chars(s, is_word); }

// IAM serialNumberType: [\w+=/:,.@-]{9,256} (an MFA ARN or a hardware serial).
bool is_mfa_serial(std::string_view s) {
  return s.size() >= 9 && s.size() <= 256 && all_chars(s, [](char c) {
           return is_word(c) || std::string_view("+=/:,.@-").find(c) != std::string_view::npos;
         });
}

// IAM accountAliasType: ^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$.
bool is_account_alias(std::string_view s) {
  if (s.size() < 3 || s.size() > 63 || s.front() == '-' || s.back() == '-') return false;
  if (s.find("--") != std::string_view::npos) return false;
  return all_chars(s, [](char c) { return is_lower_alnum(c) || c == '-'; });
}

// Region names are lower-case words joined by hyphens: us-east-1, us-gov-west-1.
bool is_region(std::string_view s) {
  if (s.empty() || s.size() > 64 || s.front() == '-' || s.back() == '-') return false;
  if (s.find("--") != std::string_view::npos) return false;
  return all_chars(s, [](char c) { return is_lower_alnum(c) || c == '-'; });
}

// IAM SAMLProviderNameType: [\w._-]{1,128}.
bool is_saml_provider_name(std::string_view s) {
  return !s.empty() && s.size() <= 128 && all_chars(s, [](char c) { return is_word(c) || c == '.' || c == '-'; });
}

// IAM thumbprintType: 40 characters (a SHA-1 in hex).
bool is_thumbprint(std::string_view s) {
  return s.size() == 40 &&
         all_chars(s, [](char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); });
}

// What an OIDC provider URL is keyed by in its ARN: the URL without scheme.
std::string_view strip_scheme(std::string_view url) {
  const auto at = url.find("://");
  return at == std::string_view::npos ? url : url.substr(at + 3);
}

// A regular file of at most `limit` bytes. Opened without blocking and
// checked on the open descriptor, so a FIFO, a device (/dev/zero) or a file
// swapped in after a check is refused, never read or waited on.
Result<std::string, std::string> read_whole_file(const fs::path& path, std::size_t limit) {
  const std::string name = path.string();
  const int fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return unexpected("cannot read " + name + ": " + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) return unexpected("cannot read " + name + ": " + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) return unexpected("cannot read " + name + ": is a directory");
  if (!S_ISREG(st.st_mode)) return unexpected("cannot read " + name + ": not a regular file");
  if (static_cast<std::uint64_t>(st.st_size) > limit)
    return unexpected("cannot read " + name + ": larger than " + std::to_string(limit) + " bytes");
  std::string content;
  char buffer[64 * 1024];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return unexpected("cannot read " + name + ": " + std::strerror(errno));
    if (n == 0) break;
    // The file may grow after fstat.
    if (content.size() + static_cast<std::size_t>(n) > limit)
      return unexpected("cannot read " + name + ": larger than " + std::to_string(limit) + " bytes");
    content.append(buffer, static_cast<std::size_t>(n));
  }
  return content;
}

}  // namespace stsd::config::detail
