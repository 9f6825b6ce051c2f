#pragma once
// One HTTP/1.1 connection, plain or TLS. Everything runs on the connection's
// strand (the executor of its socket): read one request with a fresh parser,
// call the synchronous handler, write the answer, repeat while keep-alive.
// Pipelined requests are answered in order because the next one is only
// parsed (from the bytes already buffered) after the previous answer is out.
//
// The read loop is the session's own (not Beast's async_read): it feeds
// RequestParser, which never throws and bounds every buffered part of a
// request (head, chunk lines, trailers). Every completion handler is
// guarded: an exception closes this connection and nothing else.
#include <utility>  // before Asio (coroutine support in 1.74)

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/read_size.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/basic_stream.hpp>
#include <boost/beast/http/error.hpp>
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
#include "request_parser.h"
#include "server_core.h"

namespace stsd::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace beast_http = boost::beast::http;

// A connection's strand, by its concrete type: Beast's tcp_stream erases it
// into any_io_executor, which is too large for its small buffer, so every
// copy (several per request inside Asio and Beast) allocated.
using ConnectionExecutor = net::strand<net::io_context::executor_type>;
using ConnectionSocket = net::basic_stream_socket<net::ip::tcp, ConnectionExecutor>;
using PlainStream = beast::basic_stream<net::ip::tcp, ConnectionExecutor>;
using TlsStream = beast::ssl_stream<PlainStream>;

// Stream: PlainStream, TlsStream, or (the fuzz target) any stream whose
// lowest layer offers expires_after, close and socket().shutdown/available.
template <class Stream>
class Session final : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  // stream_args: the accepted socket (and the ssl::context for TLS).
  template <class... StreamArgs>
  Session(std::shared_ptr<ServerCore> core, std::string remote_address, StreamArgs&&... stream_args)
      : core_(std::move(core)),
        stream_(std::forward<StreamArgs>(stream_args)...),
        executor_(stream_.get_executor()) {
    request_.remote_address = std::move(remote_address);
    request_.secure = kTls;
  }

  ~Session() override { core_->remove(this); }

  void start() {
    core_->add(this->shared_from_this());
    // stop() may have taken its snapshot before add(): check after adding.
    if (core_->stopping()) return close_now();
    if constexpr (kTls) {
      state_ = State::Handshake;
      lowest().expires_after(limits().read_timeout);
      stream_.async_handshake(net::ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
        self->guarded([&] { self->on_handshake(ec); });
      });
    } else {
      wait_for_request();
    }
  }

  void on_server_stop() override {
    net::post(executor_, [self = this->shared_from_this()] {
      self->guarded([&] {
        // A request that has begun arriving is in flight and gets its answer;
        // a stream has no end of its own and closes now.
        if (self->state_ == State::Handshake || self->state_ == State::Idle || self->state_ == State::Streaming)
          return self->close_now();
        // A lingering close with nothing unread can end now without a reset.
        if (self->state_ == State::Closing && self->nothing_unread()) self->close_now();
      });
    });
  }

  void force_close() override {
    net::post(executor_, [self = this->shared_from_this()] { self->guarded([&] { self->close_now(); }); });
  }

 private:
  enum class State { Handshake, Idle, Reading, Handling, Writing, Streaming, Closing, Closed };
  static constexpr std::size_t kFirstReadSize = 4096;
  static constexpr std::size_t kReadSize = 65536;  // as Beast's read loop
  static constexpr std::size_t kKeptOutputCapacity = 16 * 1024;
  static constexpr std::size_t kKeptInputCapacity = 16 * 1024;
  // Bounds how long a closing connection waits for the peer to stop sending.
  static constexpr std::chrono::milliseconds kLingerLimit{1000};

  const Limits& limits() const { return core_->limits(); }
  auto& lowest() { return beast::get_lowest_layer(stream_); }

  // No exception may leave a completion handler: it would end io_context::run.
  template <class Fn>
  void guarded(Fn&& fn) noexcept {
    try {
      fn();
    } catch (const std::exception& e) {
      spdlog::error("http: connection from {} failed: {}", request_.remote_address, e.what());
      close_quietly();
    } catch (...) {
      spdlog::error("http: connection from {} failed: unknown exception", request_.remote_address);
      close_quietly();
    }
  }

  void on_handshake(beast::error_code ec) {
    if (ec) {
      spdlog::debug("http: TLS handshake with {} failed: {}", request_.remote_address, ec.message());
      return close_now();
    }
    wait_for_request();
  }

  // Keep-alive wait: idle_timeout until the first byte of the next request.
  void wait_for_request() {
    if (state_ == State::Closed) return;
    if (core_->stopping()) return graceful_close();
    const Limits& l = limits();
    parser_.emplace(request_, l.header_limit, l.body_limit, core_->budget());
    // Pipelined bytes already buffered: the next request has started.
    if (buffer_.size() > 0) return read_request();
    // A large head should not pin its buffer to an idle connection.
    if (buffer_.capacity() > kKeptInputCapacity) buffer_.shrink_to_fit();
    state_ = State::Idle;
    mark_idle();  // from here the server may close this connection for a new one
    lowest().expires_after(l.idle_timeout);
    stream_.async_read_some(buffer_.prepare(kFirstReadSize),
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->guarded([&] { self->on_first_bytes(ec, n); });
                            });
  }

  void on_first_bytes(beast::error_code ec, std::size_t n) {
    // Chosen for eviction while the bytes were on their way: it is closed.
    if (!mark_busy()) return close_now();
    if (ec) return close_now();  // peer closed, idle timeout, or stop
    buffer_.commit(n);
    read_request();
  }

  // Slow-loris bound: the whole request (header, 100-continue, body) must
  // arrive within read_timeout of its first byte. Bytes already buffered are
  // parsed at once; only an incomplete request waits on a read.
  void read_request() {
    state_ = State::Reading;
    reading_body_ = false;
    lowest().expires_after(limits().read_timeout);
    // The header alone first: 100-continue is decided on it.
    parser_->eager(false);
    parse_buffered();
  }

  void read_body() {
    reading_body_ = true;
    parser_->eager(true);
    parse_buffered();
  }

  // Feeds the parser what is buffered, then moves on or reads more.
  void parse_buffered() {
    beast::error_code ec;
    if (buffer_.size() > 0) buffer_.consume(parser_->feed(buffer_.data(), ec));
    if (ec && ec != beast_http::error::need_more) return on_read_error(ec);
    if (!reading_body_ && parser_->is_header_done()) return on_header();
    if (reading_body_ && parser_->is_done()) return handle();
    // The parser has bounded what stays buffered; read at most kReadSize more.
    stream_.async_read_some(buffer_.prepare(beast::read_size(buffer_, kReadSize)),
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->guarded([&] { self->on_read(ec, n); });
                            });
  }

  void on_read(beast::error_code ec, std::size_t n) {
    buffer_.commit(n);
    // EOF, reset or timeout mid-request: nobody is left to answer.
    if (ec && n == 0) {
      if (ec == beast::error::timeout) spdlog::debug("http: read timeout from {}", request_.remote_address);
      return close_now();
    }
    parse_buffered();
  }

  void on_header() {
    if (parser_->is_done()) return handle();
    // curl and some SDKs wait for this before sending a large body.
    if (parser_->expects_continue()) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                       [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                         self->guarded([&] {
                           if (ec) return self->close_now();
                           self->read_body();
                         });
                       });
      return;
    }
    read_body();
  }

  void on_read_error(beast::error_code ec) {
    if (ec == beast_http::error::body_limit) return send_bare(413);
    if (ec == RequestError::over_budget) return send_busy();
    if (ec == RequestError::unsupported_coding) return send_bare(501);
    // Any other parser verdict (syntax, head limit, framing, a Beast exception).
    spdlog::debug("http: bad request from {}: {}", request_.remote_address, ec.message());
    send_bare(400);
  }

  void handle() {
    state_ = State::Handling;
    const unsigned version = parser_->version();
    const bool head = parser_->head_request();
    const bool keep_alive = parser_->keep_alive() && !core_->stopping();
    try {
      HttpResponse answer = core_->handler()(request_);
      if (answer.stream && !head) {
        parser_->release_body();
        return start_stream(answer, version);
      }
      // stop() may have come while the handler ran: announce the close.
      keep_alive_ = serialize_response(answer, version, head, keep_alive && !core_->stopping(), out_);
    } catch (const std::exception& e) {
      spdlog::error("http: handler failed on {} {}: {}", request_.method, loggable_target(request_.target), e.what());
      keep_alive_ = serialize_response(HttpResponse{500, {}, {}}, version, false, keep_alive, out_);
    } catch (...) {
      spdlog::error("http: handler failed on {} {}: unknown exception", request_.method,
                    loggable_target(request_.target));
      keep_alive_ = serialize_response(HttpResponse{500, {}, {}}, version, false, keep_alive, out_);
    }
    // The body is done with: its memory goes back before the answer is written.
    parser_->release_body();
    write();
  }

  // Answers the server makes itself; the rest of the connection is unusable.
  void send_bare(int status) {
    const unsigned version = parser_->version() == 10 ? 10 : 11;
    keep_alive_ = serialize_response(HttpResponse{status, {}, {}}, version, false, false, out_);
    write();
  }

  // The body budget is spent: the server's busy answer (AWS's ServiceUnavailable
  // from the application, a bare 503 without one), then close.
  void send_busy() {
    spdlog::warn("http: body budget of {} bytes spent; refusing a request from {}", core_->budget().limit(),
                 request_.remote_address);
    const unsigned version = parser_->version() == 10 ? 10 : 11;
    HttpResponse answer{503, {}, {}};
    if (const auto& busy = core_->busy_handler) {
      try {
        answer = busy(request_);
      } catch (...) {
        answer = HttpResponse{503, {}, {}};
      }
    }
    keep_alive_ = serialize_response(answer, version, false, false, out_);
    write();
  }

  // The whole answer is in out_: one write, no serializer.
  void write() {
    state_ = State::Writing;
    lowest().expires_after(limits().read_timeout);
    net::async_write(stream_, net::buffer(out_), [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      self->guarded([&] { self->on_write(ec); });
    });
  }

  // A streamed answer (ResponseStream): the head, then pieces as the source
  // has them, until it ends, the peer stops reading (the write timeout) or
  // the server stops. Nothing is read from the peer meanwhile.
  void start_stream(HttpResponse& answer, unsigned version) {
    stream_source_ = std::move(answer.stream);
    keep_alive_ = false;
    serialize_stream_head(answer, version, out_);
    timer_.emplace(executor_);
    write_piece();
  }

  void write_piece() {
    state_ = State::Streaming;
    lowest().expires_after(limits().read_timeout);
    net::async_write(stream_, net::buffer(out_), [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      self->guarded([&] {
        if (ec || self->state_ != State::Streaming) return self->close_now();
        self->next_piece();
      });
    });
  }

  void next_piece() {
    if (core_->stopping()) return close_now();
    std::optional<std::string> piece = stream_source_->next();
    if (!piece) return graceful_close();
    if (!piece->empty()) {
      out_ = std::move(*piece);
      return write_piece();
    }
    // Nothing now: ask again later. No I/O is pending meanwhile, so the
    // stream's I/O timeout has nothing to end; the next write sets it anew.
    timer_->expires_after(stream_source_->poll_interval());
    timer_->async_wait([self = this->shared_from_this()](beast::error_code ec) {
      self->guarded([&] {
        if (ec || self->state_ != State::Streaming) return;
        self->next_piece();
      });
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
    parser_.reset();  // gives back any body budget now, not at the close
    lowest().expires_after(std::min<std::chrono::milliseconds>(limits().read_timeout, kLingerLimit));
    if constexpr (kTls) {
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {
        self->guarded([&] { self->close_now(); });
      });
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
      self->guarded([&] {
        if (ec) return self->close_now();
        self->drain();
      });
    });
  }

  bool nothing_unread() {
    beast::error_code ec;
    return lowest().socket().available(ec) == 0 && !ec;
  }

  void close_now() {
    if (state_ == State::Closed) return;
    state_ = State::Closed;
    mark_busy();  // no longer a candidate for eviction
    if (timer_) timer_->cancel();
    stream_source_.reset();  // a stream's subscription ends with its connection
    // Cancels pending operations and the stream's timer.
    lowest().close();
  }

  // close_now for the exception path, which must not throw again.
  void close_quietly() noexcept {
    try {
      close_now();
    } catch (...) {
      state_ = State::Closed;
    }
  }

  std::shared_ptr<ServerCore> core_;
  Stream stream_;
  ConnectionExecutor executor_;  // copied once: read from other threads by stop()
  beast::flat_buffer buffer_;
  HttpRequest request_;                  // reused: keeps its capacity between requests
  std::optional<RequestParser> parser_;  // after request_: it refers to it
  std::string out_;          // the answer being written, kept for the next one
  bool keep_alive_ = false;  // of the answer being written
  bool reading_body_ = false;
  std::array<char, 4096> scratch_{};
  State state_ = State::Handshake;
  // A streamed answer's source and its poll timer (made when one starts).
  std::shared_ptr<ResponseStream> stream_source_;
  std::optional<net::steady_timer> timer_;
};

}  // namespace stsd::http
