#pragma once
// One HTTP/1.1 connection, plain or TLS. Everything runs on the connection's
// strand (the executor of its socket): read one request with a fresh parser,
// call the synchronous handler, write the answer, repeat while keep-alive.
// Pipelined requests are answered in order because the next one is only
// parsed (from the bytes already buffered) after the previous answer is out.
#include <utility>  // before Asio (coroutine support in 1.74)

#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/basic_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <type_traits>

#include "message.h"
#include "server_core.h"

namespace stsd::http {

namespace net = boost::asio;
namespace beast = boost::beast;

// A connection's strand, by its concrete type: Beast's tcp_stream erases it
// into any_io_executor, which is too large for its small buffer, so every
// copy (several per request inside Asio and Beast) allocated.
using ConnectionExecutor = net::strand<net::io_context::executor_type>;
using ConnectionSocket = net::basic_stream_socket<net::ip::tcp, ConnectionExecutor>;
using PlainStream = beast::basic_stream<net::ip::tcp, ConnectionExecutor>;
using TlsStream = beast::ssl_stream<PlainStream>;

template <class Stream>
class Session final : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  // stream_args: the accepted socket (and the ssl::context for TLS).
  template <class... StreamArgs>
  Session(std::shared_ptr<ServerCore> core, std::string remote_address, StreamArgs&&... stream_args)
      : core_(std::move(core)),
        remote_address_(std::move(remote_address)),
        stream_(std::forward<StreamArgs>(stream_args)...),
        executor_(stream_.get_executor()) {}

  ~Session() override { core_->remove(this); }

  void start() {
    core_->add(this->shared_from_this());
    // stop() may have taken its snapshot before add(): check after adding.
    if (core_->stopping()) return close_now();
    if constexpr (kTls) {
      state_ = State::Handshake;
      lowest().expires_after(limits().read_timeout);
      stream_.async_handshake(net::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) { self->on_handshake(ec); });
    } else {
      wait_for_request();
    }
  }

  void on_server_stop() override {
    net::post(executor_, [self = this->shared_from_this()] {
      // A request that has begun arriving is in flight and gets its answer.
      if (self->state_ == State::Handshake || self->state_ == State::Idle) return self->close_now();
      // A lingering close with nothing unread can end now without a reset.
      if (self->state_ == State::Closing && self->nothing_unread()) self->close_now();
    });
  }

  void force_close() override {
    net::post(executor_, [self = this->shared_from_this()] { self->close_now(); });
  }

 private:
  enum class State { Handshake, Idle, Reading, Handling, Writing, Closing, Closed };
  static constexpr std::size_t kFirstReadSize = 4096;
  static constexpr std::size_t kKeptOutputCapacity = 16 * 1024;
  // Bounds how long a closing connection waits for the peer to stop sending.
  static constexpr std::chrono::milliseconds kLingerLimit{1000};

  const Limits& limits() const { return core_->limits(); }
  PlainStream& lowest() { return beast::get_lowest_layer(stream_); }

  void on_handshake(beast::error_code ec) {
    if (ec) {
      spdlog::debug("http: TLS handshake with {} failed: {}", remote_address_, ec.message());
      return close_now();
    }
    wait_for_request();
  }

  // Keep-alive wait: idle_timeout until the first byte of the next request.
  void wait_for_request() {
    if (state_ == State::Closed) return;
    if (core_->stopping()) return graceful_close();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(limits().header_limit, UINT32_MAX)));
    parser_->body_limit(static_cast<std::uint64_t>(limits().body_limit));
    // Pipelined bytes already buffered: the next request has started.
    if (buffer_.size() > 0) return read_request();
    state_ = State::Idle;
    lowest().expires_after(limits().idle_timeout);
    stream_.async_read_some(buffer_.prepare(kFirstReadSize),
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->on_first_bytes(ec, n);
                            });
  }

  void on_first_bytes(beast::error_code ec, std::size_t n) {
    if (ec) return close_now();  // peer closed, idle timeout, or stop
    buffer_.commit(n);
    read_request();
  }

  // Slow-loris bound: the whole request (header, 100-continue, body) must
  // arrive within read_timeout of its first byte. Bytes already buffered are
  // parsed here at once; only an incomplete request waits on an async read.
  void read_request() {
    state_ = State::Reading;
    lowest().expires_after(limits().read_timeout);
    // The header alone, as async_read_header would: 100-continue is decided on it.
    parser_->eager(false);
    beast::error_code ec;
    put_buffered(ec);
    if (ec == beast_http::error::need_more || (!ec && !parser_->is_header_done())) {
      beast_http::async_read_header(stream_, buffer_, *parser_,
                                    [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                                      self->on_header(ec);
                                    });
      return;
    }
    on_header(ec);
  }

  void on_header(beast::error_code ec) {
    if (ec) return on_read_error(ec);
    if (parser_->is_done()) return handle();
    // curl and some SDKs wait for this before sending a large body.
    const auto expect = parser_->get()[beast_http::field::expect];
    if (beast::iequals(expect, "100-continue") && parser_->get().version() >= 11) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                       [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                         if (ec) return self->close_now();
                         self->read_body();
                       });
      return;
    }
    read_body();
  }

  void read_body() {
    parser_->eager(true);
    beast::error_code ec;
    put_buffered(ec);
    if (ec && ec != beast_http::error::need_more) return on_read_error(ec);
    if (parser_->is_done()) return handle();
    beast_http::async_read(stream_, buffer_, *parser_,
                           [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                             if (ec) return self->on_read_error(ec);
                             self->handle();
                           });
  }

  // One step of Beast's read_some without the read: feed the parser what is
  // buffered. need_more (or nothing buffered) leaves the rest to Beast's reads.
  void put_buffered(beast::error_code& ec) {
    if (buffer_.size() == 0) return;
    buffer_.consume(parser_->put(buffer_.data(), ec));
  }

  void on_read_error(beast::error_code ec) {
    if (ec == beast_http::error::body_limit) return send_bare(413);
    const bool syntax = ec.category() == beast_http::make_error_code(beast_http::error::bad_method).category() &&
                        ec != beast_http::error::end_of_stream && ec != beast_http::error::partial_message &&
                        ec != beast_http::error::short_read;
    if (syntax) {
      spdlog::debug("http: bad request from {}: {}", remote_address_, ec.message());
      return send_bare(400);
    }
    // Timeout (the stream already closed the socket), peer gone, or stop.
    if (ec == beast::error::timeout) spdlog::debug("http: read timeout from {}", remote_address_);
    close_now();
  }

  void handle() {
    state_ = State::Handling;
    BeastRequest request = parser_->release();
    const unsigned version = request.version();
    const bool head = request.method() == beast_http::verb::head;
    const bool keep_alive = request.keep_alive() && !core_->stopping();
    HttpRequest plain = to_http_request(std::move(request), remote_address_, kTls);
    try {
      HttpResponse answer = core_->handler()(plain);
      // stop() may have come while the handler ran: announce the close.
      keep_alive_ = serialize_response(answer, version, head, keep_alive && !core_->stopping(), out_);
    } catch (const std::exception& e) {
      spdlog::error("http: handler failed on {} {}: {}", plain.method, loggable_target(plain.target), e.what());
      keep_alive_ = serialize_response(HttpResponse{500, {}, {}}, version, false, keep_alive, out_);
    } catch (...) {
      spdlog::error("http: handler failed on {} {}: unknown exception", plain.method, loggable_target(plain.target));
      keep_alive_ = serialize_response(HttpResponse{500, {}, {}}, version, false, keep_alive, out_);
    }
    write();
  }

  // Answers the server makes itself; the rest of the connection is unusable.
  void send_bare(int status) {
    const unsigned version = parser_->get().version() == 10 ? 10 : 11;
    keep_alive_ = serialize_response(HttpResponse{status, {}, {}}, version, false, false, out_);
    write();
  }

  // The whole answer is in out_: one write, no serializer.
  void write() {
    state_ = State::Writing;
    lowest().expires_after(limits().read_timeout);
    net::async_write(stream_, net::buffer(out_), [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_write(ec);
    });
  }

  void on_write(beast::error_code ec) {
    if (ec) return close_now();
    // A large answer should not pin its memory to an idle keep-alive connection.
    if (out_.capacity() > kKeptOutputCapacity) std::string().swap(out_);
    if (!keep_alive_) return graceful_close();
    wait_for_request();
  }

  // Half-close, then drain what the peer still sends so that unread bytes
  // (an oversized body, a pipelined request) do not turn our close into a
  // reset that could destroy the answer before the client reads it.
  void graceful_close() {
    state_ = State::Closing;
    lowest().expires_after(std::min<std::chrono::milliseconds>(limits().read_timeout, kLingerLimit));
    if constexpr (kTls) {
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) { self->close_now(); });
    } else {
      beast::error_code ignored;
      lowest().socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
      // Stopping: do not hold the shutdown up for a peer that sent nothing more.
      if (core_->stopping() && nothing_unread()) return close_now();
      drain();
    }
  }

  void drain() {
    lowest().async_read_some(net::buffer(scratch_), [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->close_now();
      self->drain();
    });
  }

  bool nothing_unread() {
    beast::error_code ec;
    return lowest().socket().available(ec) == 0 && !ec;
  }

  void close_now() {
    if (state_ == State::Closed) return;
    state_ = State::Closed;
    // Cancels pending operations and the stream's timer.
    lowest().close();
  }

  std::shared_ptr<ServerCore> core_;
  std::string remote_address_;
  Stream stream_;
  ConnectionExecutor executor_;  // copied once: read from other threads by stop()
  beast::flat_buffer buffer_;
  std::optional<beast_http::request_parser<beast_http::string_body>> parser_;
  std::string out_;         // the answer being written, kept for the next one
  bool keep_alive_ = false;  // of the answer being written
  std::array<char, 4096> scratch_{};
  State state_ = State::Handshake;
};

}  // namespace stsd::http
