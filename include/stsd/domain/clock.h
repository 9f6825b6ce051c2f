#pragma once
// Time source. Services take a Clock so tests run on simulated time.
#include <atomic>
#include <chrono>
#include <cstdint>

namespace stsd::domain {

using Seconds = std::int64_t;  // Unix epoch seconds

// The latest time a clock may show: 9999-12-31T23:59:59Z, as far as every
// timestamp format stsd writes goes.
inline constexpr Seconds kMaxClockSeconds = 253402300799;

class Clock {
 public:
  virtual ~Clock() = default;
  // stsd's time: credentials' issue and expiry, MFA code windows, tokens.
  virtual Seconds now() const = 0;
  // The machine's time, which clients sign requests with (SigV4's clock
  // check): differs from now() only while stsd's clock is moved.
  virtual Seconds machine_now() const { return now(); }
};

inline Seconds system_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class SystemClock final : public Clock {
 public:
  Seconds now() const override { return system_seconds(); }
};

// The system clock, moved by an offset that tests set at run time
// (POST /_stsd/clock) to expire credentials or cross MFA windows without
// sleeping. Read on every request: one relaxed atomic load.
class MovableClock final : public Clock {
 public:
  Seconds now() const override { return system_seconds() + offset_.load(std::memory_order_relaxed); }
  Seconds machine_now() const override { return system_seconds(); }
  Seconds offset() const { return offset_.load(std::memory_order_relaxed); }
  void set_offset(Seconds offset) { offset_.store(offset, std::memory_order_relaxed); }

 private:
  std::atomic<Seconds> offset_{0};
};

class FixedClock final : public Clock {
 public:
  explicit FixedClock(Seconds t) : now_(t) {}
  Seconds now() const override { return now_; }
  void set(Seconds t) { now_ = t; }
  void advance(Seconds d) { now_ += d; }

 private:
  Seconds now_;
};

}  // namespace stsd::domain
