// SPDX-License-Identifier: MIT
// Progress lines on standard error for long work (the brief: "progress on standard error for
// work over two seconds"). A Progress object is created when a long phase starts; nothing is
// printed during its first two seconds, so short runs stay silent; after that update() prints
// at most one line every two seconds:
//   mhla learn: lifting step 120 of ~310 (12 s)
// and the destructor (or finish()) prints a closing line "... done (14 s)" only if an earlier
// line was printed. --quiet (progress_set_enabled(false), set once by the CLI before any work)
// silences every line. Lines never carry results: they are for the person waiting, and tests
// never depend on them.
// Preconditions: none; update() is cheap (one steady_clock read) and may be called per row.
// Not thread-safe: call from the thread that owns the phase.
#pragma once
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <string>

namespace mhla {

inline std::atomic<bool>& progress_enabled_flag() {
  static std::atomic<bool> enabled{true};
  return enabled;
}
inline void progress_set_enabled(bool enabled) { progress_enabled_flag().store(enabled); }
inline bool progress_enabled() { return progress_enabled_flag().load(); }

class Progress {
 public:
  using Clock = std::chrono::steady_clock;

  // prefix: e.g. "mhla learn"; what: the unit of work ("prime", "row", "lifting step").
  // total: the expected count, 0 when unknown (printed as "~total" when approximate).
  Progress(std::string prefix, std::string what, std::size_t total = 0, bool approximate_total = false)
      : prefix_(std::move(prefix)), what_(std::move(what)), total_(total), approximate_(approximate_total),
        start_(Clock::now()), next_(start_ + std::chrono::seconds(2)) {}
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  ~Progress() { finish(); }

  void set_total(std::size_t total, bool approximate) {
    total_ = total;
    approximate_ = approximate;
  }

  // Reports that `done` units are complete; detail (optional) is appended, e.g. "rank 412".
  void update(std::size_t done, const std::string& detail = {}) {
    if (finished_ || !progress_enabled()) return;
    const Clock::time_point now = Clock::now();
    if (now < next_) return;
    next_ = now + std::chrono::seconds(2);
    std::string line = prefix_ + ": " + what_ + " " + std::to_string(done);
    if (total_ > 0) line += std::string(" of ") + (approximate_ ? "~" : "") + std::to_string(total_);
    if (!detail.empty()) line += ", " + detail;
    line += " (" + std::to_string(seconds(now)) + " s)";
    std::fprintf(stderr, "%s\n", line.c_str());
    std::fflush(stderr);
    printed_ = true;
  }

  // Prints "<prefix>: <what>s done (N s)" if a line was printed before; idempotent.
  void finish() {
    if (finished_) return;
    finished_ = true;
    if (!printed_ || !progress_enabled()) return;
    std::fprintf(stderr, "%s: %s done (%ld s)\n", prefix_.c_str(), what_.c_str(), seconds(Clock::now()));
    std::fflush(stderr);
  }

  // Seconds since the phase started (for callers that report their own timings).
  double elapsed_seconds() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

 private:
  long seconds(Clock::time_point now) const {
    return static_cast<long>(std::chrono::duration_cast<std::chrono::seconds>(now - start_).count());
  }

  std::string prefix_, what_;
  std::size_t total_ = 0;
  bool approximate_ = false;
  Clock::time_point start_, next_;
  bool printed_ = false, finished_ = false;
};

}  // namespace mhla
