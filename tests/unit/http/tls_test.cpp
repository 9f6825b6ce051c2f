// Guards the HTTPS listener: a self-signed certificate made at test time,
// a real TLS client, HttpRequest::secure set, and start() failing loudly on
// unusable certificate or key files.
#include "test_support.h"

#include "stsd/http/client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>
#include <filesystem>
#include <stdexcept>

namespace stsd::http::test {
namespace {

namespace net = boost::asio;

// Writes a fresh P-256 key and a self-signed certificate for "localhost".
TlsSettings make_self_signed(const std::string& stem) {
  const std::string dir = ::testing::TempDir();
  TlsSettings tls{dir + stem + "-cert.pem", dir + stem + "-key.pem"};
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509_sign(cert, key, EVP_sha256());
  FILE* f = std::fopen(tls.cert_file.c_str(), "w");
  PEM_write_X509(f, cert);
  std::fclose(f);
  f = std::fopen(tls.key_file.c_str(), "w");
  PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  X509_free(cert);
  EVP_PKEY_free(key);
  return tls;
}

TEST(HttpTlsTest, ServesHttpsAndMarksRequestSecure) {
  const TlsSettings tls = make_self_signed("serves");
  std::atomic<bool> secure{false};
  TestServer server(
      test_limits(),
      [&secure](const HttpRequest& request) {
        secure = request.secure;
        return HttpResponse{200, {}, "tls:" + request.target};
      },
      2, tls);

  net::io_context io;
  net::ssl::context context(net::ssl::context::tls_client);
  context.set_verify_mode(net::ssl::verify_none);
  net::ssl::stream<net::ip::tcp::socket> stream(io, context);
  stream.next_layer().connect({net::ip::make_address("127.0.0.1"), server.port()});
  stream.handshake(net::ssl::stream_base::client);
  const std::string request = get("/secure", "Connection: close\r\n");
  net::write(stream, net::buffer(request));
  std::string received;
  boost::system::error_code ec;
  net::read(stream, net::dynamic_buffer(received), ec);  // until the server closes
  EXPECT_EQ(received.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << received;
  EXPECT_TRUE(received.ends_with("\r\n\r\ntls:/secure")) << received;
  EXPECT_TRUE(secure);
}

TEST(HttpTlsTest, PlainHttpOnTlsPortIsDropped) {
  TestServer server(test_limits(), echo_target, 2, make_self_signed("plain"));
  Client client(server.port());
  ASSERT_TRUE(client.send(get("/")));
  EXPECT_FALSE(client.read_response());
  EXPECT_TRUE(server.wait_for_connections(0));
}

TEST(HttpTlsTest, UnreadableCertificateThrowsAtStart) {
  boost::asio::io_context io;
  Server server(io, {ListenAddress{"127.0.0.1", 0}}, test_limits(), echo_target,
                TlsSettings{"/nonexistent/cert.pem", "/nonexistent/key.pem"});
  EXPECT_THROW(server.start(), std::runtime_error);
}

TEST(HttpTlsTest, KeyNotMatchingCertificateThrowsAtStart) {
  const TlsSettings a = make_self_signed("a");
  const TlsSettings b = make_self_signed("b");
  boost::asio::io_context io;
  Server server(io, {ListenAddress{"127.0.0.1", 0}}, test_limits(), echo_target, TlsSettings{a.cert_file, b.key_file});
  EXPECT_THROW(server.start(), std::runtime_error);
}

// SHA-1 of the certificate's DER, upper-case hex (as AWS consoles show thumbprints).
std::string thumbprint_of(const std::string& cert_file) {
  FILE* f = std::fopen(cert_file.c_str(), "r");
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  X509_digest(cert, EVP_sha1(), md, &n);
  X509_free(cert);
  std::string hex;
  for (unsigned i = 0; i < n; ++i) {
    hex += "0123456789ABCDEF"[md[i] >> 4];
    hex += "0123456789ABCDEF"[md[i] & 15];
  }
  return hex;
}

TEST(HttpClientTlsTest, TrustsASelfSignedServerByThumbprint) {
  const TlsSettings tls = make_self_signed("client-ok");
  TestServer server(test_limits(), [](const HttpRequest& r) { return HttpResponse{200, {}, "tls:" + r.target}; }, 2, tls);
  HttpGetOptions options;
  options.thumbprints = {std::string(40, '0'), thumbprint_of(tls.cert_file)};
  auto body = http_get("https://127.0.0.1:" + std::to_string(server.port()) + "/jwks", options);
  ASSERT_TRUE(body) << body.error();
  EXPECT_EQ(*body, "tls:/jwks");
}

TEST(HttpClientTlsTest, RefusesASelfSignedServerWithoutItsThumbprint) {
  const TlsSettings tls = make_self_signed("client-refused");
  std::atomic<int> requests{0};
  TestServer server(test_limits(), [&](const HttpRequest&) { ++requests; return HttpResponse{200, {}, "x"}; }, 2, tls);
  HttpGetOptions options;
  options.thumbprints = {std::string(40, '0')};
  auto body = http_get("https://127.0.0.1:" + std::to_string(server.port()) + "/jwks", options);
  ASSERT_FALSE(body);
  EXPECT_NE(body.error().find("not trusted"), std::string::npos) << body.error();
  EXPECT_EQ(requests, 0);  // nothing is sent to an untrusted server
}

}  // namespace
}  // namespace stsd::http::test
