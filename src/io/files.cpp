// SPDX-License-Identifier: MIT
#include "mhla/io/files.hpp"

#include <fcntl.h>
#include <gmp.h>
#include <signal.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <memory>
#include <optional>
#include <mutex>
#include <utility>
#include <vector>

#include "mhla/support/error.hpp"

namespace mhla {
namespace {

[[noreturn]] void fail_io(const std::string& path, const std::string& action, int error_number) {
  fail(ErrorKind::io, input_display_name(path) + ": cannot " + action + ": " + std::strerror(error_number));
}

// Closes a file descriptor on scope exit unless released.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const noexcept { return fd_; }
  int release() noexcept { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

void write_all(int fd, std::string_view bytes, const std::string& path) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      fail_io(path, "write", errno);
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

std::string read_all(int fd, const std::string& path) {
  std::string out;
  std::vector<char> block(1 << 16);
  for (;;) {
    const ssize_t n = ::read(fd, block.data(), block.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      fail_io(path, "read", errno);
    }
    if (n == 0) return out;
    out.append(block.data(), static_cast<std::size_t>(n));
  }
}

std::string directory_of(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

mode_t current_umask() {
  const mode_t mask = ::umask(0);
  ::umask(mask);
  return mask;
}

struct DigestContext {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  DigestContext() {
    if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) != 1) fail(ErrorKind::internal, "sha256: cannot initialise OpenSSL");
  }
  ~DigestContext() { EVP_MD_CTX_free(ctx); }
  DigestContext(const DigestContext&) = delete;
  DigestContext& operator=(const DigestContext&) = delete;
  void update(const void* data, std::size_t size) {
    if (EVP_DigestUpdate(ctx, data, size) != 1) fail(ErrorKind::internal, "sha256: OpenSSL update failed");
  }
  std::string hex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(ctx, digest, &length) != 1) fail(ErrorKind::internal, "sha256: OpenSSL final failed");
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < length; ++i) {
      out.push_back(digits[digest[i] >> 4]);
      out.push_back(digits[digest[i] & 15]);
    }
    return out;
  }
};

// The temporary output file being written, for the signal handler: a fixed buffer (no
// allocation in the handler) and a flag, both set and cleared with the signals blocked.
char pending_temporary[4096];
volatile sig_atomic_t pending_temporary_set = 0;

extern "C" void remove_temporary_and_exit(int signal_number) {
  if (pending_temporary_set) ::unlink(pending_temporary);  // async-signal-safe
  ::_exit(128 + signal_number);
}

// Blocks SIGINT, SIGTERM and SIGHUP for its lifetime (the window in which the temporary
// file exists but is not yet registered, or is renamed but still registered).
class TerminatingSignalsBlocked {
 public:
  TerminatingSignalsBlocked() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    ::sigprocmask(SIG_BLOCK, &set, &previous_);
  }
  ~TerminatingSignalsBlocked() { ::sigprocmask(SIG_SETMASK, &previous_, nullptr); }
  TerminatingSignalsBlocked(const TerminatingSignalsBlocked&) = delete;
  TerminatingSignalsBlocked& operator=(const TerminatingSignalsBlocked&) = delete;

 private:
  sigset_t previous_;
};

// (device, inode) of every file this process read as input, so that -o cannot replace one.
std::mutex inputs_mutex;
std::vector<std::pair<dev_t, ino_t>> inputs_read;

void remember_input(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return;
  const std::lock_guard<std::mutex> lock(inputs_mutex);
  inputs_read.emplace_back(st.st_dev, st.st_ino);
}

bool is_input(const struct stat& st) {
  const std::lock_guard<std::mutex> lock(inputs_mutex);
  for (const auto& [dev, ino] : inputs_read)
    if (dev == st.st_dev && ino == st.st_ino) return true;
  return false;
}

// Test hook (like MHLA_TEST_TINY_PRIMES): MHLA_TEST_PAUSE_BEFORE_RENAME=S sleeps S seconds with
// the complete temporary file in place, so that a test can deliver a signal in that window.
void pause_for_signal_test() {
  const char* seconds = std::getenv("MHLA_TEST_PAUSE_BEFORE_RENAME");
  if (!seconds) return;
  struct timespec left {std::atoi(seconds), 0};
  while (::nanosleep(&left, &left) != 0 && errno == EINTR) {
  }
}

// GMP cannot report an allocation failure to its caller (its manual: the allocation functions
// must not return, and a longjmp or a C++ exception from them is undefined), and by default it
// aborts (exit 134). These functions end the run the contract's way instead: the temporary
// output removed, one line on standard error, exit 2. Test hook: MHLA_TEST_GMP_ALLOCATION_LIMIT
// (bytes) makes every larger request fail.
std::size_t gmp_test_limit() {
  static const std::size_t limit = [] {
    const char* text = std::getenv("MHLA_TEST_GMP_ALLOCATION_LIMIT");
    return text ? static_cast<std::size_t>(std::strtoull(text, nullptr, 10)) : SIZE_MAX;
  }();
  return limit;
}

[[noreturn]] void gmp_out_of_memory(std::size_t bytes) {
  if (pending_temporary_set) ::unlink(pending_temporary);
  char line[256];
  const int n = std::snprintf(line, sizeof line,
                              "mhla: out of memory: an exact number of %zu bytes could not be allocated (the input "
                              "is too large for this machine; see --memory-limit)\n",
                              bytes);
  if (n > 0) {
    [[maybe_unused]] const ssize_t written = ::write(STDERR_FILENO, line, static_cast<std::size_t>(n));
  }
  ::_exit(2);
}

void* gmp_allocate(std::size_t bytes) {
  void* p = bytes > gmp_test_limit() ? nullptr : std::malloc(bytes);
  if (!p) gmp_out_of_memory(bytes);
  return p;
}

void* gmp_reallocate(void* old, std::size_t, std::size_t bytes) {
  void* p = bytes > gmp_test_limit() ? nullptr : std::realloc(old, bytes);
  if (!p) gmp_out_of_memory(bytes);
  return p;
}

void gmp_free(void* p, std::size_t) { std::free(p); }

}  // namespace

void install_allocation_failure_exit() { mp_set_memory_functions(gmp_allocate, gmp_reallocate, gmp_free); }

void install_signal_cleanup() {
  struct sigaction action {};
  action.sa_handler = remove_temporary_and_exit;
  sigemptyset(&action.sa_mask);
  for (int s : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction previous {};
    // A signal the caller ignores (nohup, a background job's SIGINT) stays ignored.
    if (::sigaction(s, nullptr, &previous) == 0 && previous.sa_handler == SIG_IGN) continue;
    ::sigaction(s, &action, nullptr);
  }
}

std::string input_display_name(const std::string& path) { return path == "-" ? "<stdin>" : path; }

std::string read_file_bytes(const std::string& path) {
  if (path == "-") return read_all(STDIN_FILENO, path);
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) fail_io(path, "open", errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) == 0 && S_ISDIR(st.st_mode)) fail_io(path, "read", EISDIR);
  remember_input(fd.get());
  return read_all(fd.get(), path);
}

void write_file_atomically(const std::string& given_path, std::string_view bytes) {
  if (given_path == "-") {
    write_all(STDOUT_FILENO, bytes, "<stdout>");
    return;
  }
  // A symbolic link is followed: the file it names is replaced, the link stays. A FIFO, device
  // or other non-regular file (e.g. /dev/null) cannot be replaced by renaming onto it without
  // destroying it, so it is written in place (there is no half-written file to leave behind).
  std::error_code ec;
  const std::filesystem::path resolved = std::filesystem::weakly_canonical(given_path, ec);
  const std::string path = ec ? given_path : resolved.string();
  if (struct stat st {}; ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
    if (is_input(st))
      fail(ErrorKind::usage, given_path + ": is also an input of this run; refusing to replace it (write the output elsewhere)");
    if ((st.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH)) == 0)
      fail(ErrorKind::io, given_path + ": cannot write: the file is read-only (refusing to replace it)");
  }
  const std::filesystem::file_status status = std::filesystem::status(path, ec);
  if (!ec && std::filesystem::exists(status) && !std::filesystem::is_regular_file(status)) {
    if (std::filesystem::is_directory(status)) fail_io(given_path, "write (it is a directory)", EISDIR);
    FileDescriptor out(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (out.get() < 0) fail_io(given_path, "open for writing", errno);
    write_all(out.get(), bytes, given_path);
    return;
  }
  const std::string directory = directory_of(path);
  const std::size_t slash = path.rfind('/');
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  std::string temporary = (directory == "/" ? "" : directory) + "/." + base + ".tmp-XXXXXX";
  std::optional<TerminatingSignalsBlocked> blocked(std::in_place);
  FileDescriptor fd(::mkstemp(temporary.data()));
  if (fd.get() < 0) fail_io(path, "create a temporary file in " + directory, errno);
  // A SIGINT/SIGTERM/SIGHUP from here to the rename removes the temporary file (handler above).
  if (temporary.size() < sizeof pending_temporary) {
    std::memcpy(pending_temporary, temporary.c_str(), temporary.size() + 1);
    pending_temporary_set = 1;
  }
  blocked.reset();
  const auto unregister = [] {
    const TerminatingSignalsBlocked during;
    pending_temporary_set = 0;
  };
  try {
    if (::fchmod(fd.get(), 0666 & ~current_umask()) != 0) fail_io(path, "set permissions", errno);
    write_all(fd.get(), bytes, path);
    if (::fsync(fd.get()) != 0) fail_io(path, "flush to disk", errno);
    if (::close(fd.release()) != 0) fail_io(path, "close", errno);
    pause_for_signal_test();
    {
      const TerminatingSignalsBlocked during;
      if (::rename(temporary.c_str(), path.c_str()) != 0) fail_io(path, "rename the temporary file onto it", errno);
      pending_temporary_set = 0;
    }
  } catch (...) {
    ::unlink(temporary.c_str());
    unregister();
    throw;
  }
  // Make the rename itself durable; failure here leaves a complete file, so it is not an error.
  FileDescriptor dir(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() >= 0) ::fsync(dir.get());
}

std::string sha256_hex(std::string_view bytes) {
  DigestContext digest;
  digest.update(bytes.data(), bytes.size());
  return digest.hex();
}

std::string sha256_file_hex(const std::string& path) {
  if (path == "-") fail(ErrorKind::internal, "sha256_file_hex: standard input cannot be hashed twice; use sha256_hex");
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) fail_io(path, "open", errno);
  DigestContext digest;
  std::vector<char> block(1 << 16);
  for (;;) {
    const ssize_t n = ::read(fd.get(), block.data(), block.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      fail_io(path, "read", errno);
    }
    if (n == 0) break;
    digest.update(block.data(), static_cast<std::size_t>(n));
  }
  return digest.hex();
}

}  // namespace mhla
