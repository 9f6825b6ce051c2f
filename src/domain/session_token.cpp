#include "stsd/domain/session_token.h"

#include <algorithm>
#include <cstdint>

#include "stsd/crypto/crypto.h"

namespace stsd::domain {

namespace {

// Format 3: a compact binary record (varints and length-prefixed strings) in
// a fixed field order, ending with the scope-down policies and a padding
// string (MinimumSessionTokenSize). Format 2 (the same without those two) is
// still read. The version byte lets the format change without misreading
// older tokens; it is also bound into the AEAD as additional data.
constexpr char kFormatVersion = 3;
constexpr char kFormatV2 = 2;
constexpr std::string_view kAad = "stsd-session-token-v3";
constexpr std::string_view kAadV2 = "stsd-session-token-v2";
constexpr std::size_t kMaxListItems = 1024;

class Writer {
 public:
  void u64(std::uint64_t v) {
    while (v >= 0x80) {
      out_ += static_cast<char>((v & 0x7F) | 0x80);
      v >>= 7;
    }
    out_ += static_cast<char>(v);
  }
  void i64(std::int64_t v) { u64((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63)); }
  void str(std::string_view s) {
    u64(s.size());
    out_.append(s);
  }
  void opt(const std::optional<std::string>& s) {
    u64(s ? 1 : 0);
    if (s) str(*s);
  }
  void strings(const std::vector<std::string>& v) {
    u64(v.size());
    for (const auto& s : v) str(s);
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  bool at_end() const { return pos_ == in_.size(); }

  std::uint64_t u64() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= in_.size()) return fail();
      auto b = static_cast<unsigned char>(in_[pos_++]);
      v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) return v;
    }
    return fail();
  }
  std::int64_t i64() {
    std::uint64_t z = u64();
    return static_cast<std::int64_t>((z >> 1) ^ (~(z & 1) + 1));
  }
  std::string str() {
    std::uint64_t n = u64();
    if (!ok_ || n > in_.size() - pos_) return fail(), std::string();
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  std::optional<std::string> opt() {
    std::uint64_t present = u64();
    if (present > 1) fail();
    if (present == 1) return str();
    return std::nullopt;
  }
  std::vector<std::string> strings() {
    std::uint64_t n = u64();
    std::vector<std::string> v;
    if (n > kMaxListItems) return fail(), v;
    for (std::uint64_t i = 0; ok_ && i < n; ++i) v.push_back(str());
    return v;
  }

 private:
  std::uint64_t fail() {
    ok_ = false;
    pos_ = in_.size();
    return 0;
  }
  std::string_view in_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

// Without the padding string, which seal() appends.
std::string encode(const Session& s) {
  Writer w;
  w.u64(static_cast<std::uint64_t>(s.type));
  w.str(s.access_key_id);
  w.str(s.secret_access_key);
  w.i64(s.issued_at);
  w.i64(s.expiration);
  w.u64(static_cast<std::uint64_t>(s.principal_type));
  w.str(s.account);
  w.str(s.arn);
  w.str(s.user_id);
  w.str(s.source_arn);
  w.str(s.role_session_name);
  w.u64(s.mfa_authenticated ? 1 : 0);
  w.i64(s.mfa_auth_time);
  w.i64(s.chain_depth);
  w.opt(s.source_identity);
  w.u64(s.tags.size());
  for (const auto& t : s.tags) {
    w.str(t.key);
    w.str(t.value);
  }
  w.strings(s.transitive_tag_keys);
  w.opt(s.session_policy);
  w.strings(s.policy_arns);
  w.strings(s.scope_policies);
  return w.take();
}

std::string padding_field(std::size_t n) {
  Writer w;
  w.str(std::string(n, '\0'));
  return w.take();
}

std::size_t base64_size(std::size_t bytes) { return (bytes + 2) / 3 * 4; }

std::optional<Session> decode(std::string_view bytes, char version) {
  Reader r(bytes);
  Session s;
  std::uint64_t type = r.u64();
  s.access_key_id = r.str();
  s.secret_access_key = r.str();
  s.issued_at = r.i64();
  s.expiration = r.i64();
  std::uint64_t principal = r.u64();
  s.account = r.str();
  s.arn = r.str();
  s.user_id = r.str();
  s.source_arn = r.str();
  s.role_session_name = r.str();
  s.mfa_authenticated = r.u64() == 1;
  s.mfa_auth_time = r.i64();
  s.chain_depth = static_cast<int>(r.i64());
  s.source_identity = r.opt();
  std::uint64_t tags = r.u64();
  if (tags > kMaxListItems) return std::nullopt;
  for (std::uint64_t i = 0; r.ok() && i < tags; ++i) {
    std::string key = r.str();
    s.tags.push_back({std::move(key), r.str()});
  }
  s.transitive_tag_keys = r.strings();
  s.session_policy = r.opt();
  s.policy_arns = r.strings();
  if (version >= 3) {
    s.scope_policies = r.strings();
    r.str();  // padding
  }
  if (!r.ok() || !r.at_end() || type > static_cast<std::uint64_t>(CredentialType::Delegated) ||
      principal > static_cast<std::uint64_t>(PrincipalType::FederatedUser))
    return std::nullopt;
  s.type = static_cast<CredentialType>(type);
  s.principal_type = static_cast<PrincipalType>(principal);
  return s;
}

}  // namespace

SessionTokenCodec::SessionTokenCodec(std::string key) : key_(std::move(key)) {}

void SessionTokenCodec::set_key(std::string key) { key_.set(std::move(key)); }

const std::string& SessionTokenCodec::key() const {
  thread_local KeySlot::Cache cache;
  return key_.get(cache);
}

std::string SessionTokenCodec::seal(const Session& session, std::size_t min_size) const {
  std::string plain = encode(session);
  // The token is base64 of the version byte, then nonce || ciphertext || tag:
  // its size follows the plaintext's, so the padding is computed, not tried.
  constexpr std::size_t kOverhead = 1 + 12 + 16;
  const auto token_size = [&](std::size_t pad) {
    std::size_t varint = 1;  // the padding string's length prefix
    for (std::size_t n = pad; n >= 0x80; n >>= 7) ++varint;
    return base64_size(kOverhead + plain.size() + varint + pad);
  };
  std::size_t pad = 0;
  while (token_size(pad) < min_size) pad += std::max<std::size_t>(1, (min_size - token_size(pad)) * 3 / 4);
  plain += padding_field(pad);
  std::string blob(1, kFormatVersion);
  blob += crypto::aead_seal(key(), plain, kAad);
  return crypto::base64_encode(blob);
}

std::optional<Session> SessionTokenCodec::open(std::string_view token) const {
  auto blob = crypto::base64_decode(token);
  if (!blob || blob->size() < 2) return std::nullopt;
  const char version = (*blob)[0];
  if (version != kFormatVersion && version != kFormatV2) return std::nullopt;
  auto plain = crypto::aead_open(key(), std::string_view(*blob).substr(1), version == kFormatV2 ? kAadV2 : kAad);
  if (!plain) return std::nullopt;
  // The AEAD tag proves this server (or one sharing its key) wrote it.
  return decode(*plain, version);
}

}  // namespace stsd::domain
