#pragma once
// Time source. Services take a Clock so tests run on simulated time.
#include <chrono>
#include <cstdint>

namespace stsd::domain {

using Seconds = std::int64_t;  // Unix epoch seconds

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Seconds now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Seconds now() const override {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
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
