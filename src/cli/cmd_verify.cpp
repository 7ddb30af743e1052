// SPDX-License-Identifier: MIT
// mhla verify --dataset D --certificate C [--domain S]
// Re-checks an identifiability certificate with the independent checker (checker/), which
// shares nothing with the code that made it but the file parsing. Prints one line on standard
// output, VALID (exit 0) or INVALID: <reason> (exit 1); unreadable or malformed files exit 2.
#include <iostream>
#include <memory>

#include "command.hpp"
#include "mhla/checker/verify_certificate.hpp"
#include "mhla/support/error.hpp"

namespace mhla::cli {
namespace {

struct VerifyOptions {
  std::string dataset_path, certificate_path;
  std::string domain_path;  // --domain: empty when not given
};

int run_verify(const VerifyOptions& opts, const GlobalOptions& global) {
  if (opts.dataset_path == "-" && opts.certificate_path == "-")
    fail(ErrorKind::usage, "verify: --dataset and --certificate cannot both be standard input");
  if (!opts.domain_path.empty() && opts.domain_path == "-" && (opts.dataset_path == "-" || opts.certificate_path == "-"))
    fail(ErrorKind::usage, "verify: only one of --dataset, --certificate and --domain can be standard input");
  const checker::CheckResult result =
      opts.domain_path.empty()
          ? checker::verify_certificate(opts.dataset_path, opts.certificate_path)
          : checker::verify_certificate_with_domain(opts.dataset_path, opts.certificate_path, opts.domain_path);
  std::cout << (result.valid ? "VALID" : "INVALID: " + result.reason) << std::endl;
  print_summary(global, "verify", std::string("certificate ") + (result.valid ? "valid" : "invalid"));
  return result.valid ? 0 : 1;
}

}  // namespace

Subcommand add_verify_command(CLI::App& app) {
  auto opts = std::make_shared<VerifyOptions>();
  CLI::App* sub = app.add_subcommand("verify", "Re-checks a certificate independently of the code that made it");
  sub->add_option("--dataset", opts->dataset_path, "Dataset file the certificate is about (- for standard input)")->required();
  sub->add_option("--certificate", opts->certificate_path, "Certificate file (- for standard input)")->required();
  sub->add_option("--domain", opts->domain_path,
                  "Domain file the certificate was made with (certify --domain): also checks the domain claims");
  sub->footer(
      "Prints VALID (exit 0) or INVALID: <reason> (exit 1). Checks the dataset hash, d and feature_dim,\n"
      "every coordinate's rows, rank and verdict against its witness (a prime and a nonzero minor mod p,\n"
      "or an exact kernel vector and distinguishing input), and the overall verdict. With --domain, also\n"
      "domain_sha256 and every coordinate's domain_rank and identifiable_on_domain against its\n"
      "domain_witness; without it the domain fields are ignored. The alternative model is not checked.");
  return {sub, [opts](const GlobalOptions& global) { return run_verify(*opts, global); }};
}

}  // namespace mhla::cli
