// SPDX-License-Identifier: MIT
// The subcommands of mhla, one line each, in the order --help lists them. No include guard:
// main.cpp includes this twice with different definitions of MHLA_SUBCOMMAND (command.hpp).
MHLA_SUBCOMMAND(demo)
MHLA_SUBCOMMAND(eval)
MHLA_SUBCOMMAND(features)
MHLA_SUBCOMMAND(verify)
MHLA_SUBCOMMAND(certify)
MHLA_SUBCOMMAND(learn)
MHLA_SUBCOMMAND(equiv)
MHLA_SUBCOMMAND(label)
MHLA_SUBCOMMAND(generate)
MHLA_SUBCOMMAND(construct)
MHLA_SUBCOMMAND(sgd)
MHLA_SUBCOMMAND(crosscheck)
MHLA_SUBCOMMAND(import)
MHLA_SUBCOMMAND(experiment)
