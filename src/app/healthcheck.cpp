// `stsd healthcheck [URL]` for docker HEALTHCHECK: a plain HTTP/1.1 GET with
// a short timeout; no TLS (the check runs inside the container).
#include <utility>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <iostream>
#include <regex>

#include "stsd/app/app.h"

namespace stsd::app {

int healthcheck(const std::string& url) {
  namespace asio = boost::asio;
  static const std::regex kUrl(R"(^http://(\[[^\]]+\]|[^/:]+)(?::(\d+))?(/.*)?$)");
  std::smatch m;
  if (!std::regex_match(url, m, kUrl)) {
    std::cerr << "healthcheck: expected http://HOST[:PORT][/PATH], got '" << url << "'\n";
    return 2;
  }
  std::string host = m[1].str();
  if (host.front() == '[') host = host.substr(1, host.size() - 2);
  const std::string port = m[2].matched ? m[2].str() : "80";
  const std::string path = m[3].matched ? m[3].str() : "/_stsd/health";

  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  std::string response;
  boost::system::error_code ec;
  asio::ip::tcp::resolver resolver(io);
  auto endpoints = resolver.resolve(host, port, ec);
  if (!ec) {
    asio::async_connect(socket, endpoints, [&](const boost::system::error_code& e, const auto&) {
      if (e) { ec = e; return; }
      auto request = std::make_shared<std::string>("GET " + path + " HTTP/1.1\r\nHost: " + host +
                                                   "\r\nConnection: close\r\n\r\n");
      asio::async_write(socket, asio::buffer(*request), [&, request](const boost::system::error_code& w, std::size_t) {
        if (w) { ec = w; return; }
        asio::async_read(socket, asio::dynamic_buffer(response), [&](const boost::system::error_code&, std::size_t) {});
      });
    });
    io.run_for(std::chrono::seconds(3));
  }
  const bool healthy = response.rfind("HTTP/1.1 200", 0) == 0 && response.find("\"status\":\"ok\"") != std::string::npos;
  if (!healthy) {
    std::cerr << "healthcheck: " << url << " is not healthy" << (ec ? " (" + ec.message() + ")" : "") << "\n";
    return 1;
  }
  return 0;
}

}  // namespace stsd::app
