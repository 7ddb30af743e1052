// SPDX-License-Identifier: MIT
#include "mhla/io/files.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
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

}  // namespace

std::string input_display_name(const std::string& path) { return path == "-" ? "<stdin>" : path; }

std::string read_file_bytes(const std::string& path) {
  if (path == "-") return read_all(STDIN_FILENO, path);
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) fail_io(path, "open", errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) == 0 && S_ISDIR(st.st_mode)) fail_io(path, "read", EISDIR);
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
  FileDescriptor fd(::mkstemp(temporary.data()));
  if (fd.get() < 0) fail_io(path, "create a temporary file in " + directory, errno);
  try {
    if (::fchmod(fd.get(), 0666 & ~current_umask()) != 0) fail_io(path, "set permissions", errno);
    write_all(fd.get(), bytes, path);
    if (::fsync(fd.get()) != 0) fail_io(path, "flush to disk", errno);
    if (::close(fd.release()) != 0) fail_io(path, "close", errno);
    if (::rename(temporary.c_str(), path.c_str()) != 0) fail_io(path, "rename the temporary file onto it", errno);
  } catch (...) {
    ::unlink(temporary.c_str());
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
